package acr

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// jwtWith builds an unsigned JWT with the given JSON payload; only the payload is read here.
func jwtWith(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(payload)) + ".c2lnbmF0dXJl"
}

func TestReadRefreshTokenTimes(t *testing.T) {
	for _, tc := range []struct {
		payload       string
		issued, until int64
	}{
		{`{"iss":"Azure Container Registry","aud":"contoso.azurecr.io","nbf":1700000000,"exp":1700011700,"iat":1699999000}`, 1700000000, 1700011700},
		{`{"exp":1700011700,"iat":1700000000}`, 1700000000, 1700011700},
		{`{"exp":1700011700.5}`, 0, 1700011700},
		{`{"exp":1700011700,"nbf":1800000000}`, 0, 1700011700}, // an nbf after exp is ignored
	} {
		got, err := ReadRefreshTokenTimes(jwtWith(tc.payload))
		if err != nil {
			t.Errorf("%s: %v", tc.payload, err)
			continue
		}
		var issued time.Time
		if tc.issued != 0 {
			issued = time.Unix(tc.issued, 0)
		}
		if !got.ExpiresOn.Equal(time.Unix(tc.until, 0)) || !got.IssuedAt.Equal(issued) {
			t.Errorf("%s: got %+v", tc.payload, got)
		}
	}
}

func TestReadRefreshTokenTimesRejects(t *testing.T) {
	for _, token := range []string{
		"", "opaque-token", "a.b", "a.b.c.d", "x.!!!.y",
		jwtWith(`[]`), jwtWith(`{"nbf":1700000000}`), jwtWith(`{"exp":"tomorrow"}`), jwtWith(`{"exp":-1}`),
		jwtWith(`{"exp":1e300}`), "x." + strings.Repeat("A", maxTokenLen) + ".y",
	} {
		if got, err := ReadRefreshTokenTimes(token); err == nil {
			t.Errorf("ReadRefreshTokenTimes(%.40q) = %+v, want an error", token, got)
		}
	}
}

func FuzzReadRefreshTokenTimes(f *testing.F) {
	f.Add(jwtWith(`{"nbf":1700000000,"exp":1700011700}`))
	f.Add(jwtWith(`{"exp":1.7e9}`))
	f.Add("a.e30.b")
	f.Add("..")
	f.Fuzz(func(t *testing.T, token string) {
		got, err := ReadRefreshTokenTimes(token)
		if err != nil {
			return
		}
		if got.ExpiresOn.IsZero() || (!got.IssuedAt.IsZero() && !got.IssuedAt.Before(got.ExpiresOn)) {
			t.Fatalf("accepted inconsistent times %+v", got)
		}
	})
}
