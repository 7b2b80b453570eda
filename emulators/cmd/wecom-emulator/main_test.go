package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
	}{
		{"defaults", nil, false},
		{"all", []string{"--addr", "127.0.0.1:0", "--seed", "empty", "--corp-id", "c", "--secret", "s",
			"--mode", "daikaifa", "--new-ip", "--rate-per-min", "5", "--rate-per-hour", "50", "--token-ttl", "2h"}, false},
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.InfoLevel)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, emu, c, zap.New(core)) }()

	q := url.Values{"corpid": {c.corpID}, "corpsecret": {"very-secret-value"}}
	resp, err := http.Get("http://" + ln.Addr().String() + "/cgi-bin/gettoken?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		ErrCode     int    `json:"errcode"`
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.ErrCode != 0 || tok.AccessToken == "" {
		t.Fatalf("gettoken = %+v, %v", tok, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	entries := logs.All()
	if len(entries) != 2 || entries[0].ContextMap()["corp_id"] != c.corpID {
		t.Fatalf("log entries = %+v", entries)
	}
	for _, e := range entries {
		b, _ := json.Marshal(e.ContextMap())
		if strings.Contains(string(b)+e.Message, "very-secret-value") {
			t.Fatalf("log line holds the secret: %s", b)
		}
	}
}
