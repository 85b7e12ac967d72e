// Package azurecli borrows the Azure CLI's sign-in. Runner.Token runs
// `az account get-access-token` and reads its answer; Runner.Account fingerprints the account az
// is signed in with, cheaply, so that a caller caching az's tokens (az takes half a second or more
// per call) can drop them when `az login` or `az account set` changes the account.
//
// az's output carries the token, so it is captured, never echoed, and never quoted in an error.
package azurecli
