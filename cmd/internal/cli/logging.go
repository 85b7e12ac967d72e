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
//
// A warning is written once per process: the same condition met again (an entry read before and
// after a lock, each account of a list) says nothing new to the person.
func newLogger(w io.Writer, tool string, debug bool) *slog.Logger {
	level := slog.LevelWarn
	if debug {
		level = slog.LevelDebug
	}
	return slog.New(&lineHandler{w: w, tool: tool, level: level, out: &lineOutput{warned: map[string]bool{}}})
}

type lineHandler struct {
	w     io.Writer
	tool  string
	level slog.Level
	attrs []slog.Attr
	out   *lineOutput // shared by the handlers WithAttrs makes
}

// lineOutput serialises the lines of one logger and remembers the warnings written.
type lineOutput struct {
	mu     sync.Mutex
	warned map[string]bool
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
	line := b.String()
	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	if r.Level >= slog.LevelWarn {
		if h.out.warned[line] {
			return nil
		}
		h.out.warned[line] = true
	}
	_, err := io.WriteString(h.w, line)
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
