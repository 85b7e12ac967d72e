package cli

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"

	"github.com/cli/browser"

	"github.com/aadcred/aadcred/core"
)

// PersonPresent reports whether a person can be asked to sign in, as far as the session can tell.
// AADCRED_PROMPT=never or always decides outright (always suits a terminal that stderr reaches
// through a pipe); otherwise a person is present when stderr is a terminal and CI is not set.
// Tools add their own signals (GIT_TERMINAL_PROMPT, ExecCredential's spec.interactive) through
// Inputs.Interactive.
func (s *Session) PersonPresent() bool {
	switch strings.ToLower(s.Env.Getenv("AADCRED_PROMPT")) {
	case "never":
		return false
	case "always":
		return true
	}
	return s.Env.Terminal && !truthy(s.Env.Getenv("CI"))
}

func (s *Session) interaction(in Inputs) core.Interaction {
	return core.Interaction{
		Allowed:       in.Interactive && s.PersonPresent(),
		Prompt:        s.Env.Stderr,
		OpenBrowser:   s.browserOpener(in.NoBrowser),
		RedirectPort:  in.RedirectPort,
		Timeout:       in.Timeout,
		SignInCommand: s.Tool.SignInCommand,
	}
}

// browserOpener returns how to open a sign-in page here, or nil when no browser can be opened:
// --no-browser, or no display (an SSH session, a container). $BROWSER, when set, is the command
// to run, as for many command-line tools.
func (s *Session) browserOpener(noBrowser bool) func(context.Context, string) error {
	if noBrowser {
		return nil
	}
	if cmd := s.Env.Getenv("BROWSER"); cmd != "" {
		return s.browserCommand(cmd)
	}
	if !displayAvailable(s.Env.Getenv) {
		return nil
	}
	return func(_ context.Context, url string) error {
		// The launcher's children (xdg-open, Chromium) write to stdout, which is the tool's
		// protocol stream: send their output to stderr instead. github.com/cli/browser only
		// offers package variables for this; we are its only user in this process.
		browser.Stdout = s.Env.Stderr
		browser.Stderr = s.Env.Stderr
		return browser.OpenURL(url)
	}
}

// browserCommand runs $BROWSER with the URL: "%s" in it is replaced, else the URL is appended.
// It may list several commands separated by ":", tried in order.
func (s *Session) browserCommand(spec string) func(context.Context, string) error {
	return func(_ context.Context, url string) error {
		var errs []error
		for _, one := range strings.Split(spec, ":") {
			fields := strings.Fields(one)
			if len(fields) == 0 {
				continue
			}
			args := fields[1:]
			if strings.Contains(one, "%s") {
				for i, a := range args {
					args[i] = strings.ReplaceAll(a, "%s", url)
				}
			} else {
				args = append(args, url)
			}
			cmd := exec.Command(fields[0], args...) // not bound to ctx: the browser outlives the sign-in
			cmd.Stdout, cmd.Stderr = s.Env.Stderr, s.Env.Stderr
			if err := cmd.Start(); err != nil {
				errs = append(errs, fmt.Errorf("starting $BROWSER %s: %w", fields[0], err))
				continue
			}
			go cmd.Wait() // reap it whenever it exits
			return nil
		}
		if len(errs) == 0 {
			return errors.New("$BROWSER names no command")
		}
		return errors.Join(errs...)
	}
}

// displayAvailable reports whether a browser opened here would be seen by the person: a desktop
// session, not a remote shell or a container.
func displayAvailable(getenv func(string) string) bool {
	remote := getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != ""
	switch runtime.GOOS {
	case "darwin", "windows":
		return !remote
	}
	if getenv("WSL_DISTRO_NAME") != "" {
		return true // WSL opens the Windows browser
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}
