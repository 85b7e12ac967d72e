package fakeentra

import "net/http"

// authorityRoutes serves the login host: every Entra endpoint a client or browser reaches.
func (s *Server) authorityRoutes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern, kind string, h http.HandlerFunc) { mux.Handle(pattern, s.endpoint(kind, h)) }

	handle("/{tenant}/oauth2/v2.0/token", EndpointToken, s.handleToken(2))
	handle("/{tenant}/oauth2/token", EndpointToken, s.handleToken(1))
	handle("/{tenant}/oauth2/v2.0/devicecode", EndpointDeviceCode, s.handleDeviceCode(2))
	handle("/{tenant}/oauth2/devicecode", EndpointDeviceCode, s.handleDeviceCode(1))
	handle("/{tenant}/oauth2/v2.0/authorize", EndpointAuthorize, s.handleAuthorize(2))
	handle("/{tenant}/oauth2/authorize", EndpointAuthorize, s.handleAuthorize(1))
	handle("POST /{tenant}/login", EndpointAuthorize, s.handleSignIn)
	handle("/devicelogin", EndpointDeviceLogin, s.handleDeviceLogin)

	handle("GET /{tenant}/v2.0/.well-known/openid-configuration", EndpointDiscovery, s.handleOpenIDConfiguration(2))
	handle("GET /{tenant}/.well-known/openid-configuration", EndpointDiscovery, s.handleOpenIDConfiguration(1))
	handle("GET /{tenant}/discovery/v2.0/keys", EndpointDiscovery, s.handleKeys(2))
	handle("GET /{tenant}/discovery/keys", EndpointDiscovery, s.handleKeys(1))
	handle("GET /common/discovery/instance", EndpointDiscovery, s.handleInstanceDiscovery)
	handle("GET /common/UserRealm/{upn}", EndpointDiscovery, s.handleUserRealm)
	handle("GET /error", EndpointOther, s.handleErrorPage)

	handle("GET "+kubernetesIssuerPath+"/.well-known/openid-configuration", EndpointWorkload, s.handleIssuerConfiguration(kubernetesIssuerPath))
	handle("GET "+kubernetesIssuerPath+"/openid/v1/jwks", EndpointWorkload, s.handleIssuerKeys(kubernetesIssuerPath))
	handle("GET "+githubIssuerPath+"/.well-known/openid-configuration", EndpointWorkload, s.handleIssuerConfiguration(githubIssuerPath))
	handle("GET "+githubIssuerPath+"/openid/v1/jwks", EndpointWorkload, s.handleIssuerKeys(githubIssuerPath))
	handle(githubTokenPath, EndpointWorkload, s.handleGitHubActionsToken)
	handle(pipelinesPath+"/", EndpointAzurePipelines, s.handleAzurePipelinesToken)

	handle("/", EndpointOther, http.NotFound)
	return mux
}
