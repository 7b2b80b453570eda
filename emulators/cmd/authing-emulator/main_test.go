package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/emulators/internal/httpserve"
	"github.com/wecomsync/wecomsync/emulators/internal/httpserve/servetest"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantErr   bool
		wantBurst int
	}{
		{"defaults", nil, false, 300},
		{"all", []string{"--addr", "127.0.0.1:0", "--seed", "empty", "--pool-id", "p", "--secret", "s",
			"--qps", "10", "--burst", "20", "--token-ttl", "1h", "--latency", "1ms", "--fault-seed", "7", "--dev-log"}, false, 20},
		{"burst follows qps", []string{"--qps", "5"}, false, 5},
		{"unlimited", []string{"--qps", "0"}, false, 1},
		{"empty secret", []string{"--secret", ""}, true, 0},
		{"stray arg", []string{"extra"}, true, 0},
		{"unknown flag", []string{"--nope"}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseFlags(tt.args, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && c.burst != tt.wantBurst {
				t.Fatalf("burst = %d, want %d", c.burst, tt.wantBurst)
			}
		})
	}
}

// TestSeeds covers --seed: SEED=empty make dev must start a pool without organization.
func TestSeeds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(path, []byte(`{"organizations":[{"organizationCode":"a","organizationName":"A"},{"organizationCode":"b","organizationName":"B"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		seed     string
		wantOrgs int
		wantErr  bool
	}{
		{"demo", 1, false},
		{"empty", 0, false},
		{path, 2, false},
		{filepath.Join(t.TempDir(), "missing.json"), 0, true},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.seed), func(t *testing.T) {
			c, err := parseFlags([]string{"--seed", tt.seed}, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			emu, err := newServer(c)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			snap := emu.Snapshot()
			if len(snap.Organizations) != tt.wantOrgs || len(snap.Departments)+len(snap.Users)+len(snap.CustomFields) != 0 {
				t.Fatalf("snapshot = %+v", snap)
			}
		})
	}
}

func TestServeLogsWithoutSecretAndShutsDown(t *testing.T) {
	c, err := parseFlags([]string{"--secret", "very-secret-value"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	emu, err := newServer(c)
	if err != nil {
		t.Fatal(err)
	}
	serve := func(ctx context.Context, ln net.Listener, log *zap.Logger) error {
		return httpserve.Logged(ctx, ln, emu.Handler(), log, "authing emulator", startFields(emu, c))
	}
	entries := servetest.Check(t, "very-secret-value", serve, func(addr string) error {
		body := `{"accessKeyId":"` + c.poolID + `","accessKeySecret":"very-secret-value"}`
		resp, err := http.Post("http://"+addr+"/api/v3/get-management-token", "application/json", strings.NewReader(body))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var env struct {
			StatusCode int `json:"statusCode"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.StatusCode != 200 {
			return fmt.Errorf("get-management-token = %+v, %v", env, err)
		}
		return nil
	})
	if fields := entries[0].ContextMap(); fields["poolId"] != c.poolID || fields["organizations"] != int64(1) {
		t.Fatalf("start line = %v", fields)
	}
}
