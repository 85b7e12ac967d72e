package fakeentra

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// maxJWTBytes bounds what the fake parses; a certificate chain in x5c is the largest thing a
// legitimate assertion carries.
const maxJWTBytes = 64 << 10

// jwtHeader is the JOSE header of the tokens the fake issues and accepts.
type jwtHeader struct {
	Alg     string   `json:"alg"`
	Typ     string   `json:"typ,omitempty"`
	Kid     string   `json:"kid,omitempty"`
	X5t     string   `json:"x5t,omitempty"`
	X5tS256 string   `json:"x5t#S256,omitempty"`
	X5c     []string `json:"x5c,omitempty"`
}

// jwtClaims holds a token's claims; numbers stay json.Number so that large values survive.
type jwtClaims map[string]any

// parsedJWT is a compact JWS split into its parts, not yet verified.
type parsedJWT struct {
	header       jwtHeader
	claims       jwtClaims
	signingInput []byte
	signature    []byte
}

// parseJWT splits and decodes a compact JWS. It checks the form only, never the signature.
func parseJWT(token string) (*parsedJWT, error) {
	if len(token) > maxJWTBytes {
		return nil, fmt.Errorf("token is %d bytes, more than the %d allowed", len(token), maxJWTBytes)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("token has %d dot-separated parts, want 3", len(parts))
	}
	headerJSON, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("decoding token header: %w", err)
	}
	var header jwtHeader
	if err := json.Unmarshal(headerJSON, &header); err != nil {
		return nil, fmt.Errorf("decoding token header: %w", err)
	}
	if header.Alg == "" {
		return nil, errors.New("token header has no alg")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("decoding token payload: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var claims jwtClaims
	if err := dec.Decode(&claims); err != nil {
		return nil, fmt.Errorf("decoding token claims: %w", err)
	}
	if claims == nil {
		return nil, errors.New("token claims are not a JSON object")
	}
	signature, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("decoding token signature: %w", err)
	}
	return &parsedJWT{
		header:       header,
		claims:       claims,
		signingInput: []byte(parts[0] + "." + parts[1]),
		signature:    signature,
	}, nil
}

// verifySignature checks the signature with key under the algorithm the header names. RS256 and
// PS256 need an RSA key, ES256 a P-256 key; anything else is refused.
func (t *parsedJWT) verifySignature(key crypto.PublicKey) error {
	digest := sha256.Sum256(t.signingInput)
	switch t.header.Alg {
	case "RS256", "PS256":
		pub, ok := key.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("%s needs an RSA key, the registered key is %T", t.header.Alg, key)
		}
		var err error
		if t.header.Alg == "RS256" {
			err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], t.signature)
		} else {
			err = rsa.VerifyPSS(pub, crypto.SHA256, digest[:], t.signature, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
		}
		if err != nil {
			return errors.New("signature does not verify")
		}
		return nil
	case "ES256":
		pub, ok := key.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P256() {
			return fmt.Errorf("ES256 needs a P-256 key, the registered key is %T", key)
		}
		if len(t.signature) != 64 {
			return fmt.Errorf("ES256 signature is %d bytes, want 64", len(t.signature))
		}
		r := new(big.Int).SetBytes(t.signature[:32])
		s := new(big.Int).SetBytes(t.signature[32:])
		if !ecdsa.Verify(pub, digest[:], r, s) {
			return errors.New("signature does not verify")
		}
		return nil
	default:
		return fmt.Errorf("signing algorithm %q is not accepted", t.header.Alg)
	}
}

// signJWT encodes claims under header and signs them with RS256.
func signJWT(key *rsa.PrivateKey, header jwtHeader, claims any) (string, error) {
	header.Alg = "RS256"
	if header.Typ == "" {
		header.Typ = "JWT"
	}
	headerJSON, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("encoding token header: %w", err)
	}
	claimsJSON, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encoding token claims: %w", err)
	}
	input := base64.RawURLEncoding.EncodeToString(headerJSON) + "." + base64.RawURLEncoding.EncodeToString(claimsJSON)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("signing token: %w", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// str returns a string claim, or "" when it is absent or not a string.
func (c jwtClaims) str(name string) string {
	s, _ := c[name].(string)
	return s
}

// strs returns a claim that is a string or an array of strings.
func (c jwtClaims) strs(name string) []string {
	switch v := c[name].(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// numericDate returns a NumericDate claim (seconds since the epoch).
func (c jwtClaims) numericDate(name string) (time.Time, bool) {
	var secs float64
	switch v := c[name].(type) {
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return time.Time{}, false
		}
		secs = f
	case float64:
		secs = v
	default:
		return time.Time{}, false
	}
	if secs < 0 || secs > 1e11 {
		return time.Time{}, false
	}
	return time.Unix(int64(secs), 0), true
}
