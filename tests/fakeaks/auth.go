package fakeaks

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// bearerToken reads the token of an Authorization header: "Bearer <token>", the scheme in any
// case, one token without spaces.
func bearerToken(header string) (string, error) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	switch {
	case header == "":
		return "", errors.New("no Authorization header")
	case !ok || !strings.EqualFold(scheme, "Bearer"):
		return "", errors.New("the Authorization header is not a bearer token")
	}
	token = strings.TrimSpace(token)
	if token == "" || strings.ContainsAny(token, " \t\r\n") {
		return "", errors.New("the bearer token is empty or holds white space")
	}
	return token, nil
}

// authenticate checks a bearer token as AKS does, and returns who it is for.
func (s *Server) authenticate(header string) (caller string, err error) {
	token, err := bearerToken(header)
	if err != nil {
		return "", err
	}
	if s.popHost != "" {
		return s.authenticatePoP(token)
	}
	claims, err := s.verifier.Verify(token, s.audience)
	if errors.Is(err, fakeentra.ErrWrongAudience) {
		// Clusters with the legacy integration get v1 tokens for spn:<server app>.
		claims, err = s.verifier.Verify(token, "spn:"+s.audience)
	}
	if err != nil {
		return "", err
	}
	return s.caller(claims)
}

// caller is who a verified token is for, provided it is from the cluster's tenant.
func (s *Server) caller(claims *fakeentra.Claims) (string, error) {
	if claims.TenantID != s.tenant {
		return "", fmt.Errorf("token is from tenant %s, the cluster's is %s", claims.TenantID, s.tenant)
	}
	if claims.UPN != "" {
		return claims.UPN, nil
	}
	if claims.AppID == "" {
		return "", errors.New("token names neither a user nor an application")
	}
	return claims.AppID, nil
}
