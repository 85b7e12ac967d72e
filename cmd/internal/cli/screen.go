package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aadcred/aadcred/core"
)

// screen is stderr as the person sees it. On a terminal it can hold one status line, the last
// line, redrawn in place while a sign-in waits for the person; anything else written to stderr
// first clears it, so that logs and messages never run into it.
//
// The line is drawn with a carriage return and overwritten with spaces: no escape sequences, so
// every terminal shows it the same, Windows' console included, and nothing is left behind if the
// process dies. This is all a status line needs; the terminal libraries that do more (spinners,
// colour, cursor control) each cost every process, and so every cached-token answer, 50 to 200 µs
// of package initialisation.
type screen struct {
	w        io.Writer
	terminal bool
	width    func() int // the terminal's width in columns, 0 when unknown

	mu     sync.Mutex
	status string // the status line shown, "" when none
}

func newScreen(w io.Writer, terminal bool, width func() int) *screen {
	return &screen{w: w, terminal: terminal, width: width}
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clear()
	return s.w.Write(p)
}

// show replaces the status line with line, cut to the terminal's width so that it never wraps
// (a wrapped line cannot be redrawn in place).
func (s *screen) show(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.width(); w > 1 && len(line) > w-1 {
		line = line[:w-1]
	}
	pad := max(len(s.status)-len(line), 0)
	io.WriteString(s.w, "\r"+line+strings.Repeat(" ", pad))
	s.status = line
}

// clear removes the status line, leaving the cursor at the start of the empty line. Two columns
// more are blanked, where a terminal echoes the ^C that interrupted the wait. The caller holds mu.
func (s *screen) clear() {
	if s.status == "" {
		return
	}
	n := len(s.status) + 2
	if w := s.width(); w > 1 {
		n = min(n, w-1)
	}
	io.WriteString(s.w, "\r"+strings.Repeat(" ", n)+"\r")
	s.status = ""
}

// waiting is core's Interaction.Waiting for this session: on a terminal, a status line that
// counts down the time the person has left, once a second; without one, nothing until the end.
// Either way the end is one line: who is now signed in. A failure says nothing here: the error
// is reported once, by the command.
func (s *Session) waiting(deadline time.Time) func(*core.Token, error) {
	scr := s.screen
	if scr == nil { // a Session not started by Tool.Run: plain stderr
		scr = newScreen(s.Env.Stderr, false, func() int { return 0 })
	}
	stop := make(chan struct{})
	stopped := make(chan struct{})
	if scr.terminal {
		go func() {
			defer close(stopped)
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				scr.show(fmt.Sprintf("Waiting for you to sign in: %s left (Ctrl-C cancels)", timeLeft(time.Until(deadline))))
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
	} else {
		close(stopped)
	}
	s.signingIn = true
	return func(tok *core.Token, err error) {
		close(stop)
		<-stopped
		scr.mu.Lock()
		scr.clear()
		scr.mu.Unlock()
		if err == nil && tok != nil {
			s.announceSignIn(tok)
		}
	}
}

// announceSignIn says who is signed in now, once per run.
func (s *Session) announceSignIn(tok *core.Token) {
	if s.announced {
		return
	}
	s.announced = true
	// The account alone: with the tenant GUID the line would not fit 80 columns (status has it).
	fmt.Fprintf(s.Env.Stderr, "Signed in as %s.\n", orUnknown(tok.UPN))
}

// timeLeft shows a countdown as minutes and seconds.
func timeLeft(d time.Duration) string {
	d = max(d.Round(time.Second), 0)
	return fmt.Sprintf("%d:%02d", int(d/time.Minute), int(d%time.Minute/time.Second))
}
