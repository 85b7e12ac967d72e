package fakeentra

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// openIDConfiguration is the OpenID Provider metadata Entra publishes per tenant.
type openIDConfiguration struct {
	TokenEndpoint                 string   `json:"token_endpoint"`
	TokenEndpointAuthMethods      []string `json:"token_endpoint_auth_methods_supported"`
	JWKSURI                       string   `json:"jwks_uri"`
	ResponseModesSupported        []string `json:"response_modes_supported"`
	SubjectTypesSupported         []string `json:"subject_types_supported"`
	IDTokenSigningAlgs            []string `json:"id_token_signing_alg_values_supported"`
	ResponseTypesSupported        []string `json:"response_types_supported"`
	ScopesSupported               []string `json:"scopes_supported,omitempty"`
	Issuer                        string   `json:"issuer"`
	RequestURIParameterSupported  bool     `json:"request_uri_parameter_supported"`
	UserInfoEndpoint              string   `json:"userinfo_endpoint"`
	AuthorizationEndpoint         string   `json:"authorization_endpoint"`
	DeviceAuthorizationEndpoint   string   `json:"device_authorization_endpoint"`
	HTTPLogoutSupported           bool     `json:"http_logout_supported"`
	FrontchannelLogoutSupported   bool     `json:"frontchannel_logout_supported"`
	EndSessionEndpoint            string   `json:"end_session_endpoint"`
	ClaimsSupported               []string `json:"claims_supported"`
	TenantRegionScope             *string  `json:"tenant_region_scope"`
	CloudInstanceName             string   `json:"cloud_instance_name"`
	CloudGraphHostName            string   `json:"cloud_graph_host_name"`
	MSGraphHost                   string   `json:"msgraph_host"`
	RBACURL                       string   `json:"rbac_url"`
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported,omitempty"`
}

// discoveryTenant resolves the tenant of a discovery request, answering invalid_tenant when
// it is unknown. It returns the path segment endpoints use and the tenant ID for the issuer
// ("{tenantid}" for the aliases, as Entra writes it).
func (s *Server) discoveryTenant(w http.ResponseWriter, r *http.Request) (segment, issuerTenant string, ok bool) {
	ref, found := s.dir.resolveTenant(r.PathValue("tenant"))
	if !found {
		e := errTenantNotFound(r.PathValue("tenant")).(*oauthError).e
		e.Error = "invalid_tenant"
		s.writeEntraError(w, r, e)
		return "", "", false
	}
	if ref.alias != "" {
		return ref.alias, "{tenantid}", true
	}
	return ref.id, ref.id, true
}

// handleOpenIDConfiguration serves v1 or v2 OpenID discovery with the fake's own scheme and
// host in every URL, issuer included.
func (s *Server) handleOpenIDConfiguration(version int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tenant, issuerTenant, ok := s.discoveryTenant(w, r)
		if !ok {
			return
		}
		base := s.URL() + "/" + tenant
		var region *string
		if issuerTenant != "{tenantid}" {
			na := "NA"
			region = &na
		}
		cfg := openIDConfiguration{
			TokenEndpointAuthMethods:     []string{"client_secret_post", "private_key_jwt"},
			ResponseModesSupported:       []string{"query", "fragment", "form_post"},
			SubjectTypesSupported:        []string{"pairwise"},
			IDTokenSigningAlgs:           []string{"RS256"},
			ResponseTypesSupported:       []string{"code", "id_token", "code id_token", "id_token token"},
			RequestURIParameterSupported: false,
			UserInfoEndpoint:             "https://graph.microsoft.com/oidc/userinfo",
			HTTPLogoutSupported:          true,
			FrontchannelLogoutSupported:  true,
			TenantRegionScope:            region,
			CloudInstanceName:            "microsoftonline.com",
			CloudGraphHostName:           "graph.windows.net",
			MSGraphHost:                  "graph.microsoft.com",
			RBACURL:                      "https://pas.windows.net",
		}
		if version == 2 {
			cfg.TokenEndpoint = base + "/oauth2/v2.0/token"
			cfg.JWKSURI = base + "/discovery/v2.0/keys"
			cfg.ScopesSupported = []string{"openid", "profile", "email", "offline_access"}
			cfg.Issuer = s.URL() + "/" + issuerTenant + "/v2.0"
			cfg.AuthorizationEndpoint = base + "/oauth2/v2.0/authorize"
			cfg.DeviceAuthorizationEndpoint = base + "/oauth2/v2.0/devicecode"
			cfg.EndSessionEndpoint = base + "/oauth2/v2.0/logout"
			cfg.ClaimsSupported = []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"}
			cfg.CodeChallengeMethodsSupported = []string{"S256"}
		} else {
			cfg.TokenEndpoint = base + "/oauth2/token"
			cfg.JWKSURI = s.URL() + "/common/discovery/keys"
			cfg.Issuer = "https://sts.windows.net/" + issuerTenant + "/"
			cfg.AuthorizationEndpoint = base + "/oauth2/authorize"
			cfg.DeviceAuthorizationEndpoint = base + "/oauth2/devicecode"
			cfg.EndSessionEndpoint = base + "/oauth2/logout"
			cfg.ClaimsSupported = []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name", "family_name", "nickname"}
		}
		writeJSON(w, http.StatusOK, cfg)
	}
}

// handleKeys serves the JWKS with the token-signing key.
func (s *Server) handleKeys(version int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, issuerTenant, ok := s.discoveryTenant(w, r)
		if !ok {
			return
		}
		issuer := ""
		if version == 2 {
			issuer = s.URL() + "/" + issuerTenant + "/v2.0"
		}
		writeJSON(w, http.StatusOK, jsonWebKeySet{Keys: []jsonWebKey{s.signer.jwk(issuer)}})
	}
}

// instanceMetadata is one cloud's entry in instance discovery.
type instanceMetadata struct {
	PreferredNetwork string   `json:"preferred_network"`
	PreferredCache   string   `json:"preferred_cache"`
	Aliases          []string `json:"aliases"`
}

// handleInstanceDiscovery answers MSAL's instance discovery for the fake's own host only.
func (s *Server) handleInstanceDiscovery(w http.ResponseWriter, r *http.Request) {
	host := strings.TrimPrefix(s.URL(), "https://")
	authorize := r.Form.Get("authorization_endpoint")
	u, err := url.Parse(authorize)
	if authorize == "" || err != nil || u.Host != host {
		s.writeEntraError(w, r, EntraError{Error: "invalid_instance", Code: 50049,
			Description: "Unknown or invalid instance."})
		return
	}
	tenant, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if tenant == "" {
		tenant = "common"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": s.URL() + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata":                  []instanceMetadata{{PreferredNetwork: host, PreferredCache: host, Aliases: []string{host}}},
	})
}

// handleUserRealm tells whether a user's domain is managed (cloud passwords) or unknown.
func (s *Server) handleUserRealm(w http.ResponseWriter, r *http.Request) {
	upn := r.PathValue("upn")
	_, domain, _ := strings.Cut(upn, "@")
	accountType := "Unknown"
	if _, ok := s.dir.resolveTenant(domain); ok && domain != "" {
		accountType = "Managed"
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"ver":                 "1.0",
		"account_type":        accountType,
		"domain_name":         domain,
		"cloud_instance_name": "microsoftonline.com",
		"cloud_audience_urn":  "urn:federation:MicrosoftOnline",
	})
}

// handleErrorPage is where error_uri points: a page for people.
func (s *Server) handleErrorPage(w http.ResponseWriter, r *http.Request) {
	code, err := strconv.Atoi(r.Form.Get("code"))
	if err != nil {
		http.Error(w, "the code parameter must be an AADSTS number", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><title>AADSTS%d</title><h1>AADSTS%d</h1><p>%s</p>", code, code,
		html.EscapeString("This is the fake Entra ID used by aadcred's tests."))
}
