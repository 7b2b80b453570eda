package httpserve

import (
	"context"
	"fmt"
	"net"
	"net/http"

	"go.uber.org/zap"
)

// StartFields returns what an emulator command logs when it starts, given the address it
// listens on. It must not return a secret.
type StartFields func(addr string) []zap.Field

// Logged is Serve between a start line ("<name> listening", with the address and fields) and a
// stop line ("<name> stopped").
func Logged(ctx context.Context, ln net.Listener, h http.Handler, log *zap.Logger, name string, fields StartFields) error {
	addr := ln.Addr().String()
	log.Info(name+" listening", append([]zap.Field{zap.String("addr", addr)}, fields(addr)...)...)
	if err := Serve(ctx, ln, h); err != nil {
		return err
	}
	log.Info(name + " stopped")
	return nil
}

// Main is the rest of an emulator command once its server is built: a production logger (a
// human-readable one when development), a listener on addr, and Logged until SIGINT or SIGTERM.
func Main(addr string, development bool, h http.Handler, name string, fields StartFields) error {
	newLogger := zap.NewProduction
	if development {
		newLogger = zap.NewDevelopment
	}
	log, err := newLogger()
	if err != nil {
		return fmt.Errorf("logger: %w", err)
	}
	defer func() { _ = log.Sync() }()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	ctx, stop := SignalContext()
	defer stop()
	return Logged(ctx, ln, h, log, name, fields)
}
