package fakeentra

import (
	"crypto/subtle"
	"slices"
	"strings"
	"time"
)

// refreshInactivity is how long an unused refresh token stays valid (entra-docs refresh-tokens.md).
const refreshInactivity = 90 * 24 * time.Hour

// refreshGrant is what an opaque refresh token stands for on the server side.
type refreshGrant struct {
	clientID  string
	family    bool
	upn       string
	tenantID  string
	issued    time.Time
	lastUsed  time.Time
	revoked   bool
	revokedAt time.Time
}

// storeRefreshToken mints an opaque refresh token for the user and client.
func (s *Server) storeRefreshToken(app *App, u *User, tenantID string, version int) string {
	prefix := "1."
	if version == 1 {
		prefix = "0."
	}
	token := prefix + randomToken(48)
	s.issued.add(SecretRefreshToken, token)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh[token] = &refreshGrant{clientID: app.ClientID, family: app.FOCI, upn: u.UPN, tenantID: tenantID, issued: now, lastUsed: now}
	return token
}

// RevokeRefreshTokens revokes every refresh token issued to the user so far, as a password
// reset does; redeeming one then fails with invalid_grant (AADSTS50173).
func (s *Server) RevokeRefreshTokens(upn string) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.refresh {
		if strings.EqualFold(g.upn, upn) && !g.revoked {
			g.revoked, g.revokedAt = true, now
		}
	}
}

// grantRefreshToken redeems a refresh token for any registered resource (REFERENCE.md §1.5).
// The old token stays valid; a new one is returned each time.
func (s *Server) grantRefreshToken(req *tokenRequest) (any, error) {
	app, auth, err := s.authenticateClient(req)
	if err != nil {
		return nil, err
	}
	raw := req.form.Get("refresh_token")
	if raw == "" {
		return nil, errMissingParameter("refresh_token")
	}
	t, err := s.requestTarget(req, nil)
	if err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.Lock()
	g, ok := s.refresh[raw]
	var snapshot refreshGrant
	if ok {
		snapshot = *g
		if !g.revoked && now.Sub(g.lastUsed) <= refreshInactivity {
			g.lastUsed = now
		}
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return nil, errMalformedGrant()
	case snapshot.revoked:
		return nil, errGrantRevoked(snapshot.issued, snapshot.revokedAt)
	case now.Sub(snapshot.lastUsed) > refreshInactivity:
		return nil, errRefreshTokenInactive(snapshot.lastUsed)
	case !strings.EqualFold(snapshot.clientID, app.ClientID) && !(snapshot.family && app.FOCI):
		return nil, errGrantForOtherClient()
	}
	user, ok := s.dir.user(snapshot.upn)
	if !ok {
		return nil, errMalformedGrant()
	}
	tenantID := snapshot.tenantID
	if req.tenant.id != "" && req.tenant.id != snapshot.tenantID {
		if !slices.Contains(user.GuestOf, req.tenant.id) {
			return nil, errUserNotInTenant(req.tenant.segment)
		}
		tenantID = req.tenant.id
	}
	return s.issueDelegated(req, app, auth, user, tenantID, t, delegatedOptions{alwaysRefresh: true})
}

// constantTimeEqual compares secrets without leaking where they differ.
func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
