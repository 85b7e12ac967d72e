package cli

import (
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// Env is the world a command runs in, passed in so that tests can run commands in-process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer // the tool's protocol, and nothing else
	Stderr io.Writer // prompts, progress, warnings, errors
	Getenv func(string) string
	// Terminal says a person is watching stderr: it is a terminal. TerminalWidth is its width
	// in columns (0 when unknown); nil means unknown.
	Terminal      bool
	TerminalWidth func() int
	// StdinTerminal says stdin is a terminal: a person typed the command, no tool runs it. It is
	// asked only when that matters (a command not known); nil means no.
	StdinTerminal func() bool
}

// SystemEnv is the process's own environment.
func SystemEnv() Env {
	fd := int(os.Stderr.Fd())
	return Env{
		Stdin:    os.Stdin,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Getenv:   os.Getenv,
		Terminal: term.IsTerminal(fd),
		TerminalWidth: func() int {
			w, _, err := term.GetSize(fd)
			if err != nil {
				return 0
			}
			return w
		},
		StdinTerminal: func() bool { return term.IsTerminal(int(os.Stdin.Fd())) },
	}
}

// truthy reads a boolean environment variable the way CI systems set them: anything but empty,
// "0", "false", "no" or "off" is true.
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}
