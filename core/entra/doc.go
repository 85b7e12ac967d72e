// Package entra is aadcred's client for the Microsoft Entra ID (Azure AD) protocol: the v1
// (resource=) and v2 (scope=) token, device-code and authorize endpoints, the error bodies Entra
// returns, and the retry rules that keep a client polite to the service.
//
// The package speaks forms and JSON, nothing more: callers (package core) decide which grant to
// run and build its form; this package sends it to the right endpoint, retries it when that is
// safe, and turns the answer into a TokenResponse or a typed *Error.
//
// It deliberately does not use golang.org/x/oauth2: that package cannot send a refresh token for a
// resource other than the one it was issued for, cannot decode v1's string-typed numbers, and on
// failure may resend a request with another auth style, which re-submits single-use codes.
package entra
