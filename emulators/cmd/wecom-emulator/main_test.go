package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/emulators/internal/httpserve"
	"github.com/wecomsync/wecomsync/emulators/internal/httpserve/servetest"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
	}{
		{"defaults", nil, false},
		{"all", []string{"--addr", "127.0.0.1:0", "--seed", "empty", "--corp-id", "c", "--secret", "s",
			"--mode", "daikaifa", "--new-ip", "--rate-per-min", "5", "--rate-per-hour", "50", "--token-ttl", "2h",
			"--max-concurrent", "8", "--max-nodes", "100"}, false},
		{"bad mode", []string{"--mode", "other"}, true},
		{"empty secret", []string{"--secret", ""}, true},
		{"stray arg", []string{"extra"}, true},
		{"unknown flag", []string{"--nope"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFlags(tt.args, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func TestFixtureSeeds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(path, []byte(`{"corp_name":"文件公司","departments":[{"id":2,"name":"A","parentid":1}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		seed      string
		wantDepts int
		wantErr   bool
	}{
		{"demo", 7, false},
		{"empty", 1, false},
		{path, 2, false},
		{filepath.Join(t.TempDir(), "missing.json"), 0, true},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.seed), func(t *testing.T) {
			c, err := parseFlags([]string{"--seed", tt.seed, "--corp-id", "cx"}, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			emu, err := newServer(c)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && (len(emu.Snapshot().Departments) != tt.wantDepts || emu.CorpID() != "cx") {
				t.Fatalf("snapshot %+v, corp %q", emu.Snapshot(), emu.CorpID())
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
		return httpserve.Logged(ctx, ln, emu.Handler(), log, "wecom emulator", startFields(emu, c))
	}
	entries := servetest.Check(t, "very-secret-value", serve, func(addr string) error {
		q := url.Values{"corpid": {c.corpID}, "corpsecret": {"very-secret-value"}}
		resp, err := http.Get("http://" + addr + "/cgi-bin/gettoken?" + q.Encode())
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var tok struct {
			ErrCode     int    `json:"errcode"`
			AccessToken string `json:"access_token"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.ErrCode != 0 || tok.AccessToken == "" {
			return fmt.Errorf("gettoken = %+v, %v", tok, err)
		}
		return nil
	})
	if fields := entries[0].ContextMap(); fields["corp_id"] != c.corpID || fields["base_url"] == "" {
		t.Fatalf("start line = %v", fields)
	}
}
