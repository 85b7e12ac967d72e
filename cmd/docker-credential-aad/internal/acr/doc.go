// Package acr is what docker-credential-aad knows about Azure Container Registry: which hosts
// are registries that may receive a token, the registry's bearer challenge, the exchange of an
// Entra access token for an ACR refresh token at https://<registry>/oauth2/exchange, and the
// cache that keeps that refresh token until shortly before it expires.
//
// Entra tokens themselves come from package core; this package only spends them, and only at
// https hosts that passed the allowlist.
package acr
