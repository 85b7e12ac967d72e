package main

import (
	"net/http"

	"github.com/urfave/cli/v2"

	aadcli "github.com/aadcred/aadcred/cmd/internal/cli"
)

// signInCommand is how a person signs in through git; errors name it when no one can be asked.
const signInCommand = "git credential-aad login"

// tool is git-credential-aad. probeClient sends the tenant probes; nil means the default client.
func tool(probeClient *http.Client) aadcli.Tool {
	return aadcli.Tool{
		Name:          "git-credential-aad",
		Usage:         "git credential helper for Azure Repos with Microsoft Entra ID",
		SignInCommand: signInCommand,
		// git hands helpers actions newer than they know; they must ignore them (gitcredentials).
		IgnoreUnknownCommands: true,
		Commands: func(s *aadcli.Session) []*cli.Command {
			h := &helper{session: s, probeClient: probeClient}
			return append(h.commands(), configureCommand(s))
		},
	}
}
