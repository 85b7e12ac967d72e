package fakeentra

import (
	"net/http"
	"net/url"
)

// Grant types the token endpoints accept.
const (
	grantClientCredentials = "client_credentials"
	grantPassword          = "password"
	grantRefreshToken      = "refresh_token"
	grantAuthorizationCode = "authorization_code"
	grantDeviceCodeShort   = "device_code"
	grantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	grantJWTBearer         = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

// tokenRequest is a POST to a token endpoint.
type tokenRequest struct {
	r        *http.Request
	form     url.Values // the body only: Entra ignores the query string
	version  int        // 1 for /oauth2/token, 2 for /oauth2/v2.0/token
	tenant   tenantRef
	tokenURL string
	// popKeyID is the key a proof-of-possession token is bound to; "" for bearer tokens.
	popKeyID string
}

// tokenVersion is the access-token version issued for t: v1 endpoints issue v1 tokens, v2
// endpoints the version the resource asks for.
func (req *tokenRequest) tokenVersion(t target) int {
	if req.version == 1 {
		return 1
	}
	return t.resource.AccessTokenVersion
}

// target resolves the request's scope (v2) or resource (v1). When the parameter is absent and
// fallback is non-nil, the fallback (what an earlier step authorized) is used.
func (s *Server) requestTarget(req *tokenRequest, fallback *target) (target, error) {
	name := "scope"
	if req.version == 1 {
		name = "resource"
	}
	if req.form.Get(name) == "" && fallback != nil {
		return *fallback, nil
	}
	if req.version == 1 {
		return s.parseResource(req.form.Get("resource"), req.form.Get("scope"), req.tenant.segment)
	}
	return s.parseScope(req.form.Get("scope"), req.tenant.segment)
}

// handleToken serves /{tenant}/oauth2/token (version 1) and /{tenant}/oauth2/v2.0/token.
func (s *Server) handleToken(version int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		answer, err := s.token(r, version)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, answer)
	}
}

func (s *Server) token(r *http.Request, version int) (any, error) {
	if r.Method != http.MethodPost {
		return nil, errNotPost(r.Method)
	}
	ref, ok := s.dir.resolveTenant(r.PathValue("tenant"))
	if !ok {
		return nil, errTenantNotFound(r.PathValue("tenant"))
	}
	req := &tokenRequest{r: r, form: r.PostForm, version: version, tenant: ref, tokenURL: s.tokenURLFor(r.URL)}
	if version == 2 && req.form.Get("resource") != "" {
		return nil, errResourceParameterOnV2()
	}
	var err error
	if req.popKeyID, err = popBinding(req); err != nil {
		return nil, err
	}
	grantType := req.form.Get("grant_type")
	switch grantType {
	case "":
		return nil, errMissingParameter("grant_type")
	case grantClientCredentials:
		return s.grantClientCredentials(req)
	case grantPassword:
		return s.grantPassword(req)
	case grantRefreshToken:
		return s.grantRefreshToken(req)
	case grantAuthorizationCode:
		return s.grantAuthorizationCode(req)
	case grantDeviceCode, grantDeviceCodeShort:
		return s.grantDeviceCode(req)
	case grantJWTBearer:
		return s.grantOnBehalfOf(req)
	default:
		return nil, errUnsupportedGrantType(grantType)
	}
}

// userTenant is the tenant a user signs in to: the path's tenant, which must be the user's
// home, or the user's home for the aliases.
func userTenant(ref tenantRef, u *User) (string, error) {
	if ref.id != "" && ref.id != u.Tenant {
		return "", errUserNotInTenant(ref.segment)
	}
	return u.Tenant, nil
}

// grantClientCredentials issues an app-only token (REFERENCE.md §1.6, §1.7).
func (s *Server) grantClientCredentials(req *tokenRequest) (any, error) {
	app, auth, err := s.authenticateClient(req)
	if err != nil {
		return nil, err
	}
	if app.Public {
		return nil, fail("invalid_client", 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
	}
	if req.tenant.id == "" {
		return nil, errTenantRequired()
	}
	t, err := s.requestTarget(req, nil)
	if err != nil {
		return nil, err
	}
	// MSAL adds "openid offline_access profile" to every request, this one included; Entra
	// accepts them and answers with an access token alone.
	if req.version == 2 && !t.isDefault {
		return nil, errClientCredentialsScope(req.form.Get("scope"))
	}
	return s.issueAppOnly(req, app, auth, req.tenant.id, t)
}

// grantPassword is ROPC (REFERENCE.md §1.8).
func (s *Server) grantPassword(req *tokenRequest) (any, error) {
	app, auth, err := s.authenticateClient(req)
	if err != nil {
		return nil, err
	}
	upn, password := req.form.Get("username"), req.form.Get("password")
	if upn == "" {
		return nil, errMissingParameter("username")
	}
	if password == "" {
		return nil, errMissingParameter("password")
	}
	t, err := s.requestTarget(req, nil)
	if err != nil {
		return nil, err
	}
	user, ok := s.dir.user(upn)
	if !ok {
		return nil, errUserNotFound(req.tenant.segment)
	}
	tenantID, err := userTenant(req.tenant, user)
	if err != nil {
		return nil, err
	}
	if user.Password == "" || !constantTimeEqual(user.Password, password) {
		return nil, errWrongPassword()
	}
	if user.RequireMFA {
		return nil, errMFARequired(t.audience)
	}
	return s.issueDelegated(req, app, auth, user, tenantID, t, delegatedOptions{amr: []string{"pwd"}})
}
