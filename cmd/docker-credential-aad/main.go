// Command docker-credential-aad is a docker credential helper that answers Azure Container
// Registry with tokens obtained from Microsoft Entra ID.
//
// Docker runs it as `docker-credential-aad get|store|erase|list|version` for the registries that
// config.json sends to the "aad" helper (see `docker-credential-aad configure`). For an ACR login
// server it answers the null-GUID user name and an ACR refresh token, exchanged at the registry
// for an Entra token from the shared sign-in; every other host gets docker's "credentials not
// found" answer, so that docker goes on anonymously.
package main

import "github.com/aadcred/aadcred/cmd/internal/cli"

func main() { cli.Main(tool()) }

func tool() cli.Tool {
	return cli.Tool{
		Name:          "docker-credential-aad",
		Usage:         "docker credential helper for Azure Container Registry with Microsoft Entra ID",
		SignInCommand: "docker-credential-aad login",
		Commands:      commands,
	}
}
