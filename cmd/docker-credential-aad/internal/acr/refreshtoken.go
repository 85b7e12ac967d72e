package acr

import (
	"errors"
	"fmt"
	"time"

	"github.com/aadcred/aadcred/core/entra"
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
	c, err := entra.DecodeClaims(token)
	if err != nil {
		return RefreshTokenTimes{}, fmt.Errorf("reading the refresh token's claims: %w", err)
	}
	if c.Expiry.IsZero() {
		return RefreshTokenTimes{}, errors.New("refresh token has no valid exp claim")
	}
	times := RefreshTokenTimes{ExpiresOn: c.Expiry}
	for _, t := range []time.Time{c.NotBefore, c.IssuedAt} {
		if !t.IsZero() && t.Before(c.Expiry) {
			times.IssuedAt = t
			break
		}
	}
	return times, nil
}
