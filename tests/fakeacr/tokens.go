package fakeacr

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// issuer is the iss of every token ACR issues.
const issuer = "Azure Container Registry"

// access is one grant of an access token: a resource and the actions allowed on it.
type access struct {
	Type    string   `json:"type"`
	Name    string   `json:"name"`
	Actions []string `json:"actions"`
}

// refreshClaims are the claims of an ACR refresh token.
type refreshClaims struct {
	jwt.RegisteredClaims
	GrantType string `json:"grant_type"`
	Tenant    string `json:"tenant,omitempty"`
	UPN       string `json:"upn,omitempty"`
}

// accessClaims are the claims of a registry access token.
type accessClaims struct {
	jwt.RegisteredClaims
	Access []access `json:"access"`
}

func (s *Server) sign(claims jwt.Claims) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.key)
}

// signIssued signs a token the registry hands out, and records it.
func (s *Server) signIssued(kind string, claims jwt.Claims) (string, error) {
	token, err := s.sign(claims)
	if err == nil {
		s.recordIssued(kind, token)
	}
	return token, err
}

// issueRefreshToken issues an ACR refresh token for the identity of an exchange.
func (s *Server) issueRefreshToken(x Exchange) (string, error) {
	now := s.now()
	return s.signIssued(SecretRefreshToken, refreshClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, Subject: x.ObjectID, Audience: jwt.ClaimStrings{s.host},
			NotBefore: jwt.NewNumericDate(now), IssuedAt: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.rtLife)), ID: correlationID(),
		},
		GrantType: "refresh_token", Tenant: x.TokenTenant, UPN: x.UPN,
	})
}

// parse verifies one of the registry's own tokens against its key, audience and clock.
func (s *Server) parse(token string, claims jwt.Claims) error {
	_, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience(s.host), jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(s.now))
	return err
}

// checkRefreshToken verifies an ACR refresh token and returns its claims.
func (s *Server) checkRefreshToken(token string) (*refreshClaims, error) {
	var c refreshClaims
	if err := s.parse(token, &c); err != nil {
		return nil, err
	}
	if c.GrantType != "refresh_token" {
		return nil, errors.New("not a refresh token")
	}
	return &c, nil
}

// CheckRefreshToken reports whether token is a valid refresh token of this registry, as a test
// sees what a helper answered.
func (s *Server) CheckRefreshToken(token string) error {
	_, err := s.checkRefreshToken(token)
	return err
}

// issueAccessToken issues an access token for the subject of rt with the scopes asked for
// ("repository:<name>:pull,push", "registry:catalog:*").
func (s *Server) issueAccessToken(rt *refreshClaims, scopes []string) (string, error) {
	var grants []access
	for _, scope := range scopes {
		a, err := parseScope(scope)
		if err != nil {
			return "", err
		}
		grants = append(grants, a)
	}
	now := s.now()
	return s.signIssued(SecretAccessToken, accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, Subject: rt.Subject, Audience: jwt.ClaimStrings{s.host},
			NotBefore: jwt.NewNumericDate(now), IssuedAt: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.atLife)),
		},
		Access: grants,
	})
}

// parseScope reads "type:name:action,action". The name may itself hold colons (a host:port).
func parseScope(scope string) (access, error) {
	first := strings.Index(scope, ":")
	last := strings.LastIndex(scope, ":")
	if first < 0 || last == first {
		return access{}, fmt.Errorf("scope %q is not type:name:actions", scope)
	}
	return access{Type: scope[:first], Name: scope[first+1 : last], Actions: strings.Split(scope[last+1:], ",")}, nil
}

// allows reports whether an access token grants action on repository name.
func (c *accessClaims) allows(name, action string) bool {
	for _, a := range c.Access {
		if a.Type == "repository" && a.Name == name && (slices.Contains(a.Actions, action) || slices.Contains(a.Actions, "*")) {
			return true
		}
	}
	return false
}
