// Command git-credential-aad is a git credential helper that answers Azure Repos with Microsoft
// Entra ID tokens.
//
// git runs it as `git credential-aad get|store|erase`, with the request on stdin; `git
// credential-aad configure` sets it up for dev.azure.com and *.visualstudio.com. The commands it
// shares with the other aadcred tools (login, logout, status, token, cache) work here too.
package main

import "github.com/aadcred/aadcred/cmd/internal/cli"

func main() {
	cli.Main(tool(wiring{}))
}
