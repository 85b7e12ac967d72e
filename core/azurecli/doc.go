// Package azurecli borrows the sign-in of Microsoft's command-line tools: the Azure CLI (az) and
// the Azure Developer CLI (azd). Runner.Token runs `az account get-access-token` and reads its
// answer, DeveloperRunner.Token `azd auth token`; their Account methods fingerprint the account
// each is signed in with, cheaply, so that a caller caching their tokens (az takes half a second
// or more per call) can drop them when `az login`, `az account set` or `azd auth login` changes
// the account.
//
// The tools' output carries the token, so it is captured, never echoed, and never quoted in an
// error.
package azurecli
