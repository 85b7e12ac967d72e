package fakeentra

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// Proof-of-possession (PoP) tokens, as MSAL asks for them (token_type=pop, req_cnf) and Azure Arc
// clusters accept them: the access token's cnf claim names the key that must sign every request
// that presents it.

const (
	tokenTypeBearer = "Bearer"
	tokenTypePoP    = "pop"
)

// popBinding reads a token request's proof-of-possession parameters and returns the ID of the
// key the access token is to be bound to, or "" when a bearer token is asked for.
func popBinding(req *tokenRequest) (string, error) {
	tokenType := req.form.Get("token_type")
	switch {
	case tokenType == "" || strings.EqualFold(tokenType, "bearer"):
		return "", nil
	case tokenType != tokenTypePoP:
		return "", fail("invalid_request", 50146, "The token_type '%s' is not supported. Supported values: 'bearer', 'pop'.", tokenType)
	case req.version == 1:
		return "", fail("invalid_request", 50146, "Proof-of-possession tokens are issued only by the v2.0 endpoint.")
	}
	raw := req.form.Get("req_cnf")
	if raw == "" {
		return "", errMissingParameter("req_cnf")
	}
	decoded, err := base64.RawURLEncoding.DecodeString(raw)
	var cnf struct {
		Kid string `json:"kid"`
	}
	if err != nil || json.Unmarshal(decoded, &cnf) != nil || cnf.Kid == "" {
		return "", fail("invalid_request", 50146, "The req_cnf parameter is malformed: it must be base64url-encoded JSON naming the key's 'kid'.")
	}
	return cnf.Kid, nil
}

// cnfClaim is the access token's binding to the key: its thumbprint, and that the key lives in
// software.
func cnfClaim(kid string) map[string]string { return map[string]string{"kid": kid, "xms_ksl": "sw"} }

// tokenType is the token_type of the answer to req.
func (req *tokenRequest) tokenType() string {
	if req.popKeyID != "" {
		return tokenTypePoP
	}
	return tokenTypeBearer
}
