// Command kubectl-aad is a kubectl exec credential plugin that signs in to AKS clusters with
// Microsoft Entra ID.
package main

import "github.com/aadcred/aadcred/cmd/internal/cli"

func main() {
	cli.Main(cli.Tool{
		Name:          "kubectl-aad",
		Usage:         "kubectl credential plugin for AKS with Microsoft Entra ID",
		SignInCommand: "kubectl aad login",
	})
}
