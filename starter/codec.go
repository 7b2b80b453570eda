package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/wecomsync/wecomsync/internal/codec"
)

// cmdCodecServer serves /encode and /decode for the Temporal UI and CLI, so that people with the
// keys can read encrypted payloads (temporal server start-dev --ui-codec-endpoint, or the UI's
// "codec server" setting).
func cmdCodecServer(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("codec-server", "[--addr 127.0.0.1:8234] [--allow-origin URL] [--token-env NAME]")
	addr := fs.String("addr", "127.0.0.1:8234", "listen address")
	origin := fs.String("allow-origin", codec.DefaultAllowOrigin, "the Temporal UI's origin (CORS)")
	token := fs.String("token-env", "", "require 'Authorization: Bearer <token>', the token read from this environment variable")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if e.cfg.CodecKeys == "" {
		return errors.New("WECOMSYNC_CODEC_KEYS is not set: payloads are not encrypted, there is nothing to decode")
	}
	keys, err := codec.ParseKeys(e.cfg.CodecKeys)
	if err != nil {
		return fmt.Errorf("WECOMSYNC_CODEC_KEYS: %w", err)
	}
	opts := []codec.HandlerOption{codec.WithAllowOrigin(*origin)}
	if *token != "" {
		tok := getenv(*token)
		if tok == "" {
			return fmt.Errorf("--token-env %s: the variable is empty; refusing to serve decrypted payloads without a token", *token)
		}
		opts = append(opts, codec.WithToken(tok))
	}
	srv := &http.Server{Addr: *addr, Handler: codec.Handler(keys, opts...), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	fmt.Fprintf(e.stderr, "codec server on http://%s (keys %v, UI origin %s)\n", *addr, keys.KeyIDs(), *origin)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
