package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
)

// TestWaitingLine: on a terminal the wait is one line redrawn in place with carriage returns
// (no escape sequences), cut to the terminal's width, cleared before anything else is written and
// at the end, which one line then reports; without a terminal there is only that line.
func TestWaitingLine(t *testing.T) {
	for _, terminal := range []bool{true, false} {
		out := &lockedBuffer{}
		scr := newScreen(out, terminal, func() int { return 40 })
		s := &Session{Env: Env{Stderr: scr}, screen: scr}
		done := s.waiting(time.Now().Add(15 * time.Minute))
		time.Sleep(1200 * time.Millisecond) // two draws
		scr.Write([]byte("a warning\n"))
		done(&core.Token{UPN: "alice@contoso.example"}, nil)
		got := out.String()
		if !terminal {
			if got != "a warning\nSigned in as alice@contoso.example.\n" {
				t.Errorf("without a terminal: %q", got)
			}
			continue
		}
		if strings.Contains(got, "\x1b") || strings.Count(got, "\rWaiting for you to sign in: 1") < 2 {
			t.Fatalf("on a terminal: %q", got)
		}
		for _, l := range strings.Split(got, "\r") {
			if strings.HasPrefix(l, "Waiting") && len(strings.TrimRight(l, " ")) > 39 {
				t.Errorf("the status line %q is wider than the terminal", l)
			}
		}
		clear := "\r" + strings.Repeat(" ", 39) + "\r" // the line and two more columns, within the width
		_, after, _ := strings.Cut(got, clear+"a warning\n")
		if after == "" || !strings.HasSuffix(after, "Signed in as alice@contoso.example.\n") ||
			(strings.Contains(after, "Waiting") && !strings.Contains(after, clear+"Signed in")) {
			t.Errorf("the status line was not cleared before other output and at the end: %q", got)
		}
	}
}
