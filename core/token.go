package core

import (
	"cmp"
	"time"

	"github.com/aadcred/aadcred/core/entra"
)

// ReportMargin is how much earlier than the real expiry a token's expiry is reported to a tool,
// so that the tool stops using it while it still works.
const ReportMargin = 2 * time.Minute

// Token is an access token with what a tool needs to know about it.
type Token struct {
	AccessToken string
	TokenType   string // Bearer
	ExpiresOn   time.Time

	// RefreshToken and IDToken come with user sign-ins. The tools never print a refresh token;
	// token --id-token prints the ID token.
	RefreshToken string
	IDToken      string

	// From the token's claims (or the ID token's, when the access token is not a JWT).
	TenantID string
	ObjectID string
	UPN      string
	Audience string

	// HomeAccountID is uid.utid of the signed-in user, when the service reported it.
	HomeAccountID string
}

// ReportedExpiry is the expiry to tell a tool: a little before the real one.
func (t *Token) ReportedExpiry() time.Time { return t.ExpiresOn.Add(-ReportMargin) }

// newToken builds a Token from a token-endpoint answer, labelling it from its claims.
func newToken(tr *entra.TokenResponse) *Token {
	t := &Token{
		AccessToken:  tr.AccessToken,
		TokenType:    tr.TokenType,
		ExpiresOn:    tr.ExpiresOn,
		RefreshToken: tr.RefreshToken,
		IDToken:      tr.IDToken,
		Audience:     tr.Resource,
	}
	if ci, err := entra.DecodeClientInfo(tr.ClientInfo); err == nil && ci.UID != "" && ci.UTID != "" {
		t.HomeAccountID = ci.UID + "." + ci.UTID
	}
	labelFromClaims(t)
	return t
}

// labelFromClaims fills the token's labels from its claims, or from the ID token's when the
// access token is not a JWT.
func labelFromClaims(t *Token) {
	if c, err := entra.DecodeClaims(t.AccessToken); err == nil {
		t.TenantID = cmp.Or(c.TenantID, t.TenantID)
		t.ObjectID, t.UPN = c.ObjectID, c.UPN
		if c.Audience != "" {
			t.Audience = c.Audience
		}
	}
	if c, err := entra.DecodeClaims(t.IDToken); err == nil {
		t.TenantID = cmp.Or(t.TenantID, c.TenantID)
		t.ObjectID = cmp.Or(t.ObjectID, c.ObjectID)
		t.UPN = cmp.Or(t.UPN, c.UPN)
	}
}
