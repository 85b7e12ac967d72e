// Package fakeacr is a fake Azure Container Registry for end-to-end tests: a real OCI registry
// (go-containerregistry's pkg/registry) behind a front that behaves like ACR's authentication.
//
//   - GET /v2/ without a token answers 401 with ACR's challenge:
//     Bearer realm="https://<host>/oauth2/token",service="<host>".
//   - POST /oauth2/exchange takes grant_type=access_token, service, tenant and an Entra access
//     token, verifies the token against the fake Entra ID (signature, audience, tenant) and
//     answers an ACR refresh token, a JWT signed by the registry.
//   - /oauth2/token takes that refresh token (basic credentials with the null-GUID user name on
//     GET, or grant_type=refresh_token on POST) and answers an access token for the scopes asked.
//   - Every other registry call needs that access token, with the right repository and action.
//
// It serves TLS with the fake Entra ID's certificate, so the one CA file of the test world is
// all a client needs. It counts exchanges and token requests and can be told to refuse exchanges,
// to be slow, or to run its clock at an offset.
package fakeacr
