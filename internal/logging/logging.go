// Package logging builds the zap logger of the binaries and adapts it to Temporal's logger
// interface. It must not log secrets: callers pass ids, never credentials or personal data.
package logging

import (
	"fmt"

	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// New returns a JSON production logger at level (debug, info, warn, error).
func New(level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.Sampling = nil
	return cfg.Build()
}

// Temporal adapts a zap logger to the Temporal SDK's log.Logger.
type Temporal struct{ z *zap.SugaredLogger }

var _ log.Logger = (*Temporal)(nil)

// NewTemporal wraps z for client.Options.Logger.
func NewTemporal(z *zap.Logger) *Temporal {
	return &Temporal{z: z.WithOptions(zap.AddCallerSkip(1)).Sugar()}
}

// Debug logs at debug level with alternating key/value pairs.
func (t *Temporal) Debug(msg string, kv ...any) { t.z.Debugw(msg, kv...) }

// Info logs at info level.
func (t *Temporal) Info(msg string, kv ...any) { t.z.Infow(msg, kv...) }

// Warn logs at warn level.
func (t *Temporal) Warn(msg string, kv ...any) { t.z.Warnw(msg, kv...) }

// Error logs at error level.
func (t *Temporal) Error(msg string, kv ...any) { t.z.Errorw(msg, kv...) }

// With returns a logger with the key/value pairs added to every line.
func (t *Temporal) With(kv ...any) log.Logger { return &Temporal{z: t.z.With(kv...)} }
