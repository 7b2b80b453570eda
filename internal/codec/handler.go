package codec

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"go.temporal.io/sdk/converter"
)

// DefaultAllowOrigin is the origin of the Temporal UI served by `temporal server start-dev`.
const DefaultAllowOrigin = "http://localhost:8233"

// maxRequestBytes caps a codec request body; Temporal itself caps a payload at 2 MB.
const maxRequestBytes = 16 << 20

// HandlerOption configures Handler.
type HandlerOption func(*handlerConfig)

type handlerConfig struct {
	allowOrigin string
	token       string
}

// WithAllowOrigin sets the origin allowed by CORS, normally the Temporal UI's address
// (default DefaultAllowOrigin). An empty origin keeps the default.
func WithAllowOrigin(origin string) HandlerOption {
	return func(c *handlerConfig) {
		if origin != "" {
			c.allowOrigin = origin
		}
	}
}

// WithToken requires "Authorization: Bearer <tok>" on every request except CORS preflights.
// An empty token turns the check off.
func WithToken(tok string) HandlerOption {
	return func(c *handlerConfig) { c.token = tok }
}

// Handler returns a codec server for the Temporal UI (--ui-codec-endpoint) and CLI
// (--codec-endpoint). It serves POST /encode and POST /decode with the same codecs as
// DataConverter, answers CORS preflights for the allowed origin, and checks the bearer token
// if WithToken was given. It logs nothing.
func Handler(k *Keyring, opts ...HandlerOption) http.Handler {
	cfg := handlerConfig{allowOrigin: DefaultAllowOrigin}
	for _, o := range opts {
		o(&cfg)
	}
	payloads := converter.NewPayloadCodecHTTPHandler(codecs(k)...)
	mux := http.NewServeMux()
	mux.Handle("POST /encode", payloads)
	mux.Handle("POST /decode", payloads)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", cfg.allowOrigin)
		h.Add("Vary", "Origin")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
			h.Set("Access-Control-Allow-Methods", "POST")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if cfg.token != "" && !validBearer(r.Header.Get("Authorization"), cfg.token) {
			h.Set("WWW-Authenticate", `Bearer realm="wecomsync codec"`)
			http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxRequestBytes)
		mux.ServeHTTP(w, r)
	})
}

func validBearer(header, token string) bool {
	scheme, got, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) == 1
}
