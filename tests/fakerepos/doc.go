// Package fakerepos is a fake Azure Repos for end-to-end tests: the real git http-backend (git's
// smart HTTP protocol) behind net/http/cgi, behind a front that authenticates the way Azure
// DevOps does.
//
//   - Repositories live at /{org}/{project}/_git/{repo}; organisations are registered with the
//     tenant they sign in with (AddOrg).
//   - A request without credentials answers 401 with Azure DevOps's headers: WWW-Authenticate
//     Bearer authorization_uri=<authority>/<tenant>, Basic realm=…, TFS-Federated, and
//     X-VSS-ResourceTenant. An organisation backed by personal Microsoft accounts names no
//     authorization_uri and the all-zero tenant. An unauthenticated HEAD /{org} is counted as a
//     tenant probe.
//   - Credentials are HTTP Basic with a non-empty user name and an Entra access token as the
//     password (or the token as a Bearer credential). The token must verify against the fake
//     Entra ID (signature, audience 499b84ac-1321-427f-aa17-267ca6975798), belong to the
//     organisation's tenant, not have expired (no leeway), and not have been revoked here.
//
// It serves TLS with the fake Entra ID's certificate, so the one CA file of the test world is all
// git (GIT_SSL_CAINFO) and the helper (SSL_CERT_FILE) need. It records the tokens it accepted
// (never the tokens themselves) and can revoke them.
package fakerepos
