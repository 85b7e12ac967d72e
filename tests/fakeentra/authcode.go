package fakeentra

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// codeLifetime is how long an authorization code may be redeemed.
const codeLifetime = 10 * time.Minute

// authorizationCode is what an issued code stands for.
type authorizationCode struct {
	clientID    string
	redirectURI string
	challenge   string
	target      *target
	version     int
	upn         string
	tenantID    string
	nonce       string
	issued      time.Time
	redeemed    bool
}

// grantAuthorizationCode redeems a code (REFERENCE.md §1.4). A code is spent by the first
// redemption that names it, whatever the outcome, so a resent redemption gets AADSTS54005.
func (s *Server) grantAuthorizationCode(req *tokenRequest) (any, error) {
	app, auth, err := s.authenticateClient(req)
	if err != nil {
		return nil, err
	}
	raw := req.form.Get("code")
	if raw == "" {
		return nil, errMissingParameter("code")
	}
	s.mu.Lock()
	c, ok := s.codes[raw]
	var code authorizationCode
	if ok {
		code = *c
		c.redeemed = true
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return nil, errMalformedGrant()
	case code.redeemed:
		return nil, errCodeRedeemed()
	case s.now().Sub(code.issued) > codeLifetime:
		return nil, errCodeExpired()
	case !strings.EqualFold(code.clientID, app.ClientID):
		return nil, errGrantForOtherClient()
	case req.tenant.id != "" && req.tenant.id != code.tenantID:
		return nil, fail("invalid_grant", 700005, "Provided Authorization Code is intended to use against other tenant, thus rejected.")
	}
	redirectURI := req.form.Get("redirect_uri")
	if redirectURI == "" {
		return nil, errMissingParameter("redirect_uri")
	}
	if redirectURI != code.redirectURI {
		return nil, errRedirectMismatch(redirectURI, app.ClientID)
	}
	if code.challenge != "" {
		verifier := req.form.Get("code_verifier")
		sum := sha256.Sum256([]byte(verifier))
		if len(verifier) < 43 || len(verifier) > 128 || base64.RawURLEncoding.EncodeToString(sum[:]) != code.challenge {
			return nil, errVerifierMismatch()
		}
	}
	t, err := s.requestTarget(req, code.target)
	if err != nil {
		return nil, err
	}
	user, ok := s.dir.user(code.upn)
	if !ok {
		return nil, errMalformedGrant()
	}
	return s.issueDelegated(req, app, auth, user, code.tenantID, t, delegatedOptions{nonce: code.nonce, amr: []string{"pwd", "mfa"}})
}
