// Package servetest checks how an emulator command serves: it answers a call over a real
// loopback listener, logs one start and one stop line that never hold the secret, and returns
// cleanly once its context ends. The command tests share it.
package servetest

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// Serve is a command's serving, as httpserve.Logged runs it.
type Serve func(ctx context.Context, ln net.Listener, log *zap.Logger) error

// Check runs serve on a loopback listener, makes call against its address (host:port), stops
// it and returns the log entries. It fails t when call fails, serve returns an error, the log
// is not exactly a start and a stop line, or a line holds secret.
func Check(t testing.TB, secret string, serve Serve, call func(addr string) error) []observer.LoggedEntry {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.InfoLevel)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, zap.New(core)) }()
	callErr := call(ln.Addr().String())
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if callErr != nil {
		t.Fatalf("call: %v", callErr)
	}
	entries := logs.All()
	if len(entries) != 2 || !strings.HasSuffix(entries[0].Message, " listening") || !strings.HasSuffix(entries[1].Message, " stopped") {
		t.Fatalf("log entries = %+v, want a start and a stop line", entries)
	}
	for _, e := range entries {
		b, _ := json.Marshal(e.ContextMap())
		if strings.Contains(string(b)+e.Message, secret) {
			t.Fatalf("log line holds the secret: %s %s", e.Message, b)
		}
	}
	return entries
}
