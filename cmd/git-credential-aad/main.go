// Command git-credential-aad is a git credential helper that answers Azure Repos with Microsoft
// Entra ID tokens.
package main

import "github.com/aadcred/aadcred/cmd/internal/cli"

func main() {
	cli.Main(cli.Tool{
		Name:          "git-credential-aad",
		Usage:         "git credential helper for Azure Repos with Microsoft Entra ID",
		SignInCommand: "git credential-aad login",
	})
}
