package fakeentra

import (
	"strings"
	"time"
)

// grantOnBehalfOf exchanges a user's access token, addressed to the calling app, for a token
// to a downstream resource (REFERENCE.md §1.9). Only confidential clients may.
func (s *Server) grantOnBehalfOf(req *tokenRequest) (any, error) {
	app, auth, err := s.authenticateClient(req)
	if err != nil {
		return nil, err
	}
	if app.Public {
		return nil, errConfidentialClientNoCredential()
	}
	switch use := req.form.Get("requested_token_use"); use {
	case "on_behalf_of":
	case "":
		return nil, errMissingParameter("requested_token_use")
	default:
		return nil, fail("invalid_request", 90014, "The requested_token_use '%s' is not supported; on-behalf-of needs 'on_behalf_of'.", use)
	}
	assertion := req.form.Get("assertion")
	if assertion == "" {
		return nil, errMissingParameter("assertion")
	}
	tok, err := parseJWT(assertion)
	if err != nil {
		return nil, fail("invalid_grant", 50027, "JWT token is invalid or malformed: %v.", err)
	}
	if tok.header.Kid != s.signer.kid || tok.verifySignature(&s.signer.private.PublicKey) != nil {
		return nil, fail("invalid_grant", 50013, "Assertion failed signature validation.")
	}
	c := tok.claims
	now := s.now()
	if exp, ok := c.numericDate("exp"); !ok || now.After(exp) {
		return nil, fail("invalid_grant", 500133, "Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: %s, expiry time of assertion %s.",
			now.UTC().Format(time.RFC3339), exp.UTC().Format(time.RFC3339))
	}
	if c.str("idtyp") != "user" {
		return nil, fail("invalid_grant", 50013, "Assertion is not a user token: on-behalf-of needs a delegated access token.")
	}
	aud := c.str("aud")
	if !s.audienceNamesApp(aud, app.ClientID) {
		return nil, fail("invalid_grant", 50013, "Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '%s' and the expected audience is '%s' or one of the Application Id URIs of this application.", aud, app.ClientID)
	}
	upn := c.str("upn")
	if upn == "" {
		upn = c.str("preferred_username")
	}
	user, ok := s.dir.user(upn)
	if !ok || !strings.EqualFold(user.ObjectID, c.str("oid")) {
		return nil, fail("invalid_grant", 50013, "Assertion names a user that does not exist.")
	}
	tenantID, err := userTenant(req.tenant, user)
	if err != nil {
		return nil, err
	}
	t, err := s.requestTarget(req, nil)
	if err != nil {
		return nil, err
	}
	return s.issueDelegated(req, app, auth, user, tenantID, t, delegatedOptions{amr: c.strs("amr")})
}

// audienceNamesApp reports whether aud is the app's client ID or one of its identifier URIs.
func (s *Server) audienceNamesApp(aud, clientID string) bool {
	if strings.EqualFold(aud, clientID) {
		return true
	}
	r, ok := s.dir.resource(clientID)
	if !ok {
		return false
	}
	for _, u := range r.IdentifierURIs {
		if u == aud {
			return true
		}
	}
	return false
}
