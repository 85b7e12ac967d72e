package acr

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// RefreshTokenTimes are the validity times of an ACR refresh token, read from its JWT claims.
type RefreshTokenTimes struct {
	IssuedAt  time.Time // nbf, else iat; zero when the token names neither
	ExpiresOn time.Time // exp
}

// maxTokenLen bounds the token a registry may hand back; real ones are about 2 KiB.
const maxTokenLen = 64 << 10

// ReadRefreshTokenTimes reads exp (required) and nbf or iat from an ACR refresh token without
// verifying it: the helper only needs to know how long to keep it, and the registry checks it.
func ReadRefreshTokenTimes(token string) (RefreshTokenTimes, error) {
	if len(token) > maxTokenLen {
		return RefreshTokenTimes{}, fmt.Errorf("refresh token is longer than %d bytes", maxTokenLen)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return RefreshTokenTimes{}, errors.New("refresh token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return RefreshTokenTimes{}, errors.New("refresh token payload is not base64url")
	}
	var claims struct {
		Exp json.Number `json:"exp"`
		Nbf json.Number `json:"nbf"`
		Iat json.Number `json:"iat"`
	}
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return RefreshTokenTimes{}, errors.New("refresh token payload is not a JSON object of claims")
	}
	exp, ok := unixTime(claims.Exp)
	if !ok {
		return RefreshTokenTimes{}, errors.New("refresh token has no valid exp claim")
	}
	times := RefreshTokenTimes{ExpiresOn: exp}
	if t, ok := unixTime(claims.Nbf); ok && t.Before(exp) {
		times.IssuedAt = t
	} else if t, ok := unixTime(claims.Iat); ok && t.Before(exp) {
		times.IssuedAt = t
	}
	return times, nil
}

// unixTime reads a NumericDate: seconds since the epoch, possibly fractional, within a sane range.
func unixTime(n json.Number) (time.Time, bool) {
	if n == "" {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f <= 0 || f > 1e11 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}
