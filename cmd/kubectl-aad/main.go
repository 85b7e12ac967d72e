// Command kubectl-aad is a kubectl exec credential plugin that signs in to AKS clusters with
// Microsoft Entra ID. It is a drop-in for Azure/kubelogin: kubeconfigs that run `kubelogin
// get-token …` work with `kubectl-aad get-token …` and the same flags and variables, and
// convert-kubeconfig rewrites them. Run as `kubectl aad …`, it is a kubectl plugin; run by the
// name kubelogin (`kubectl aad configure --as-kubelogin` makes the link), it answers as
// kubelogin, so that kubeconfigs need no change at all.
package main

import (
	"fmt"
	"os"

	urfave "github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/internal/cli"
)

func main() {
	if !runsAsKubelogin(os.Args[0]) {
		cli.Main(tool())
		return
	}
	args, version, err := kubeloginArgs(os.Args)
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "kubelogin: %s\n", err)
		os.Exit(2)
	case version:
		writeKubeloginVersion(os.Stdout)
		return
	}
	cli.MainArgs(kubeloginTool(), args)
}

// tool is kubectl-aad: the shared commands and kubectl's.
func tool() cli.Tool {
	return cli.Tool{
		Name:          "kubectl-aad",
		Usage:         "kubectl credential plugin for AKS with Microsoft Entra ID",
		SignInCommand: "kubectl aad login",
		Commands: func(s *cli.Session) []*urfave.Command {
			commands := []*urfave.Command{getTokenCommand(s, false), convertCommand(s)}
			commands = append(commands, removeTokensCommands(s)...)
			return append(commands, configureCommand(s))
		},
	}
}
