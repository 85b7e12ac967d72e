// Command docker-credential-aad is a docker credential helper that answers Azure Container
// Registry with tokens obtained from Microsoft Entra ID.
package main

import "github.com/aadcred/aadcred/cmd/internal/cli"

func main() {
	cli.Main(cli.Tool{
		Name:          "docker-credential-aad",
		Usage:         "docker credential helper for Azure Container Registry with Microsoft Entra ID",
		SignInCommand: "docker-credential-aad login",
	})
}
