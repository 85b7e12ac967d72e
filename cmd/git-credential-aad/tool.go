package main

import (
	"context"
	"net/http"

	"github.com/urfave/cli/v2"

	aadcli "github.com/aadcred/aadcred/cmd/internal/cli"
)

// signInCommand is how a person signs in through git; errors name it when no one can be asked.
const signInCommand = "git credential-aad login"

// wiring is what tests replace in the tool; the zero value is the real thing.
type wiring struct {
	// probeClient sends the tenant probes; nil means the default client.
	probeClient *http.Client
	// credentialInteractive reads git's credential.interactive; nil runs git.
	credentialInteractive func(context.Context) bool
}

// tool is git-credential-aad.
func tool(w wiring) aadcli.Tool {
	return aadcli.Tool{
		Name:          "git-credential-aad",
		Usage:         "git credential helper for Azure Repos with Microsoft Entra ID",
		SignInCommand: signInCommand,
		// git hands helpers actions newer than they know; they must ignore them (gitcredentials).
		IgnoreUnknownCommands: true,
		Commands: func(s *aadcli.Session) []*cli.Command {
			h := &helper{session: s, wiring: w}
			return append(h.commands(), configureCommand(s))
		},
	}
}
