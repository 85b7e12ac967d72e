package fakeaks

import (
	"errors"
	"fmt"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// authenticatePoP checks the bearer credential of an Arc-connected cluster: a signed request
// for the cluster's ARM ID, whose key is the one its access token is bound to. A plain access
// token is refused, however valid.
func (s *Server) authenticatePoP(token string) (string, error) {
	if !fakeentra.IsSignedRequest(token) {
		return "", errors.New("this Arc-connected cluster accepts only proof-of-possession signed requests")
	}
	signed, err := s.verifier.VerifyPoP(token, s.audience, s.popHost)
	if err != nil {
		return "", fmt.Errorf("the signed request: %w", err)
	}
	return s.caller(signed.Token)
}
