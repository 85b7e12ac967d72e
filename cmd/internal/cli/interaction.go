package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"

	"github.com/cli/browser"

	"github.com/aadcred/aadcred/core"
)

// The values of AADCRED_PROMPT.
const (
	promptAuto   = "auto"   // ask where a person can be seen (the default)
	promptAlways = "always" // ask even where stderr is not a terminal: a person reads it elsewhere
	promptNever  = "never"  // never ask
)

// promptSetting reads AADCRED_PROMPT; a value that is none of auto, always or never is an error,
// not a silent default, since it decides whether a command may wait for someone.
func (s *Session) promptSetting() (string, error) {
	v := strings.ToLower(strings.TrimSpace(s.Env.Getenv("AADCRED_PROMPT")))
	switch v {
	case "":
		return promptAuto, nil
	case promptAuto, promptAlways, promptNever:
		return v, nil
	}
	return "", fmt.Errorf("environment AADCRED_PROMPT=%q: use auto, always or never", s.Env.Getenv("AADCRED_PROMPT"))
}

// askable is the interaction policy: whether a person may be asked to sign in for this request,
// and if not, why not (for the error that names the sign-in command).
//
// A sign-in the person asked for (Inputs.Explicit: login, token --method devicecode|browser)
// goes ahead wherever its prompt can be read on stderr, terminal or not (a notebook, an IDE's
// task pane, `login 2>&1 | tee log`); only AADCRED_PROMPT=never stops it. Every other sign-in is
// one a tool's protocol started, and waits for a person only when every signal says one is
// there: the tool's own (GIT_TERMINAL_PROMPT, git's credential.interactive, kubectl's
// spec.interactive), which nothing overrides, then CI and a terminal on stderr, which
// AADCRED_PROMPT=always overrides.
func (s *Session) askable(in Inputs) (allowed bool, noPerson, override string, err error) {
	setting, err := s.promptSetting()
	switch {
	case err != nil:
		return false, "", "", err
	case setting == promptNever:
		return false, "AADCRED_PROMPT=never", "", nil
	case in.Explicit:
		return true, "", "", nil
	case !in.Interactive:
		return false, cmp.Or(in.NoPerson, "the tool says no one may be asked") + "; AADCRED_PROMPT=always does not override that", "", nil
	case !gitBool(s.Env.Getenv("GIT_TERMINAL_PROMPT"), true):
		return false, "GIT_TERMINAL_PROMPT=0; AADCRED_PROMPT=always does not override that", "", nil
	case setting == promptAlways:
		return true, "", "", nil
	case truthy(s.Env.Getenv("CI")):
		return false, "CI is set", "set AADCRED_PROMPT=always if a person can answer", nil
	case !s.Env.Terminal:
		return false, "stderr is not a terminal", "set AADCRED_PROMPT=always if a person reads stderr", nil
	}
	return true, "", "", nil
}

func (s *Session) interaction(in Inputs) (core.Interaction, error) {
	allowed, noPerson, override, err := s.askable(in)
	if err != nil {
		return core.Interaction{}, err
	}
	it := core.Interaction{
		Allowed:       allowed,
		Prompt:        s.Env.Stderr,
		OpenBrowser:   s.browserOpener(in.NoBrowser),
		RedirectPort:  in.RedirectPort,
		Timeout:       in.Timeout,
		SignInCommand: s.Tool.SignInCommand,
		NoPerson:      noPerson,
		Override:      override,
		Purpose:       in.Purpose,
	}
	if allowed {
		it.Waiting = s.waiting
	}
	return it, nil
}

// gitBool reads a boolean environment variable the way git does (git_env_bool): empty means
// def; false, no, off and 0 are false; anything else is true.
func gitBool(v string, def bool) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return def
	case "false", "no", "off", "0":
		return false
	}
	return true
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
