package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/aadcred/aadcred/core/entra"
)

// newLogger writes warnings (and with debug, debug lines) to w as one line each, prefixed with the
// tool's name. Values that look like secrets are redacted even though nothing should log them:
// a mistake elsewhere must not put a token into a terminal scrollback or a CI log.
func newLogger(w io.Writer, tool string, debug bool) *slog.Logger {
	level := slog.LevelWarn
	if debug {
		level = slog.LevelDebug
	}
	return slog.New(&lineHandler{w: w, tool: tool, level: level, mu: new(sync.Mutex)})
}

type lineHandler struct {
	w     io.Writer
	tool  string
	level slog.Level
	attrs []slog.Attr
	mu    *sync.Mutex
}

func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(h.tool)
	switch {
	case r.Level >= slog.LevelError:
		b.WriteString(": error: ")
	case r.Level >= slog.LevelWarn:
		b.WriteString(": warning: ")
	default:
		b.WriteString(": debug: ")
	}
	b.WriteString(entra.RedactJWTs(r.Message))
	write := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%s", a.Key, redact(a.Key, a.Value.Resolve().String()))
		return true
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(write)
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &h2
}

func (h *lineHandler) WithGroup(string) slog.Handler { return h }

// redact hides the value of an attribute whose name says it is secret, and any JWT in a value.
func redact(key, value string) string {
	k := strings.ToLower(key)
	for _, secret := range []string{"token", "secret", "password", "assertion", "code_verifier", "authorization"} {
		if strings.Contains(k, secret) && !strings.HasSuffix(k, "_type") {
			return "[redacted]"
		}
	}
	return entra.RedactJWTs(value)
}
