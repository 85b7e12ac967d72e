package pop

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TokenType is the token_type of a PoP token request and of Entra's answer to it.
const TokenType = "pop"

// SignedRequest wraps accessToken, which Entra bound to this key, into a signed HTTP request for
// host (the resource's u claim; for an Azure Arc cluster its ARM ID). It is what a client
// presents instead of the access token: a JWT of type "pop", signed RS256 with the key, whose
// payload carries the access token (at), the time (ts), the host (u), the public key (cnf.jwk)
// and a fresh nonce, so that each request it signs differs.
func (k *Key) SignedRequest(accessToken, host string, now time.Time) (string, error) {
	switch {
	case accessToken == "":
		return "", errors.New("no access token to sign a request with")
	case host == "":
		return "", errors.New("a signed request needs the host it is for (the u claim)")
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("making a nonce: %w", err)
	}
	shr := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"at":    accessToken,
		"ts":    now.Unix(),
		"u":     host,
		"cnf":   map[string]JWK{"jwk": k.PublicJWK()},
		"nonce": hex.EncodeToString(nonce),
	})
	shr.Header["typ"] = TokenType
	shr.Header["kid"] = k.thumbprint
	signed, err := shr.SignedString(k.private)
	if err != nil {
		return "", fmt.Errorf("signing the proof-of-possession request: %w", err)
	}
	return signed, nil
}
