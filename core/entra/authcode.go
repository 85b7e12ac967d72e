package entra

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
)

// PKCE is a proof key for one authorization-code exchange (RFC 7636, method S256).
type PKCE struct {
	Verifier  string // sent with the code redemption; kept secret until then
	Challenge string // sent with the authorize request
}

// NewPKCE makes a verifier from 32 random bytes (43 base64url characters) and its S256 challenge.
func NewPKCE() PKCE {
	verifier := randomString(32)
	return PKCE{Verifier: verifier, Challenge: s256(verifier)}
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// NewState makes an unguessable 256-bit state value that ties a redirect to the request that
// started it.
func NewState() string { return randomString(32) }

func randomString(n int) string {
	// crypto/rand.Read never returns an error: it crashes the program if the system's random
	// source fails, which is the only safe reaction.
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// AuthorizeURL is the address that starts a browser sign-in at ep with params (client_id,
// response_type, redirect_uri, scope or resource, state, code_challenge, …).
func AuthorizeURL(ep Endpoint, params url.Values) string {
	return ep.AuthorizeURL() + "?" + params.Encode()
}
