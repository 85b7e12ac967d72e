package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/docker/docker-credential-helpers/credentials"
	urfave "github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/cmd/internal/version"
	"github.com/aadcred/aadcred/core/entra"
)

// commands are the docker credential-helper actions and configure, beside the shared commands.
func commands(s *cli.Session) []*urfave.Command {
	return []*urfave.Command{
		action(s, credentials.ActionGet, "print the credentials for the registry named on stdin (docker protocol)",
			&urfave.BoolFlag{Name: "identity-token", Usage: `answer the "<token>" user name (an identity token) instead of the null GUID`}),
		action(s, credentials.ActionStore, "accept credentials from docker login and ignore them: tokens come from Entra ID"),
		action(s, credentials.ActionErase, "forget the cached token of the registry named on stdin (docker logout)"),
		action(s, credentials.ActionList, "list the registries with a cached token, as JSON (docker protocol)"),
		{
			Name:  credentials.ActionVersion,
			Usage: "print the helper's version (docker protocol)",
			Action: func(*urfave.Context) error {
				_, err := fmt.Fprintf(s.Env.Stdout, "%s (github.com/aadcred/aadcred) %s\n", s.Tool.Name, version.String())
				return err
			},
		},
		configureCommand(s),
	}
}

// action runs one protocol action through docker-credential-helpers, so that the answers and
// error texts are exactly the ones docker's clients parse. Its stdout carries the answer, or on
// failure the error text with exit status 1, as the protocol says; a person reads stderr.
func action(s *cli.Session, name, usage string, flags ...urfave.Flag) *urfave.Command {
	return &urfave.Command{
		Name:  name,
		Usage: usage,
		Flags: flags,
		Action: func(c *urfave.Context) error {
			h := &helper{ctx: c.Context, s: s, identityToken: c.Bool("identity-token")}
			var out bytes.Buffer // nothing reaches stdout before the action has succeeded
			err := inputError(name, credentials.HandleCommand(h, name, s.Env.Stdin, &out))
			if err == nil {
				_, err = s.Env.Stdout.Write(out.Bytes())
				return err
			}
			if c.Context.Err() != nil {
				return err // stopped by Ctrl-C: said as such, with its own exit status
			}
			msg := oneLine(err.Error())
			fmt.Fprintln(s.Env.Stdout, msg)
			if credentials.IsErrCredentialsNotFound(err) {
				return cli.ExitError{Code: 1} // docker's "no credentials, go on anonymously"
			}
			fmt.Fprintf(s.Env.Stderr, "%s: %s\n", s.Tool.Name, msg)
			var hinted interface{ Hint() string }
			if errors.As(err, &hinted) && hinted.Hint() != "" {
				fmt.Fprintf(s.Env.Stderr, "hint: %s\n", hinted.Hint())
			}
			return cli.ExitError{Code: 1}
		},
	}
}

// expectedInput says what docker sends on the stdin of each action that reads one.
var expectedInput = map[string]string{
	credentials.ActionGet:   "the registry's server URL",
	credentials.ActionErase: "the registry's server URL",
	credentials.ActionStore: "one JSON object with ServerURL, Username and Secret",
}

// inputError turns the errors docker-credential-helpers returns for stdin it could not read
// (bufio's and encoding/json's own words) into one that says what was wrong with the input. Any
// other error is returned as it is.
func inputError(action string, err error) error {
	want, ok := expectedInput[action]
	if err == nil || !ok {
		return err
	}
	var syntax *json.SyntaxError
	var wrongType *json.UnmarshalTypeError
	switch {
	case errors.Is(err, bufio.ErrTooLong):
		return fmt.Errorf("%s: a line on stdin is longer than %d KiB; docker sends %s", action, bufio.MaxScanTokenSize>>10, want)
	case action != credentials.ActionStore:
		return err
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("store: the credentials on stdin are cut short; docker sends %s", want)
	case errors.As(err, &syntax):
		return fmt.Errorf("store: the credentials on stdin are not JSON (%v); docker sends %s", syntax, want)
	case errors.As(err, &wrongType):
		return fmt.Errorf("store: the credentials on stdin are not what docker sends (%s is not a %s); docker sends %s", wrongType.Field, wrongType.Type, want)
	}
	return err
}

// oneLine makes an error one line without anything that looks like a token: docker shows the
// helper's stdout inside its own one-line error.
func oneLine(s string) string {
	return entra.RedactJWTs(strings.Join(strings.Fields(s), " "))
}
