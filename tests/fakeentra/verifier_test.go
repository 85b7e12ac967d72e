package fakeentra

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestVerifier(t *testing.T) {
	t.Parallel()
	clock := NewClock(time.Time{})
	s := startServer(t, Options{Now: clock.Now})
	clientID, secret := s.NewServicePrincipal("")
	s.SetAccessTokenLifetime(10 * time.Minute)
	a := post(t, s, v2Token(DefaultTenant), secretForm(clientID, secret, AzureDevOpsResource+"/.default"))
	tok := a.str("access_token")
	if a.body["expires_in"] != float64(600) {
		t.Errorf("expires_in = %v after SetAccessTokenLifetime(10m)", a.body["expires_in"])
	}
	v := s.Verifier()
	if _, err := v.Verify(tok, ACRResource); !errors.Is(err, ErrWrongAudience) {
		t.Errorf("wrong audience: %v", err)
	}
	parts := strings.Split(tok, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	if _, err := v.Verify(tampered, AzureDevOpsResource); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered signature: %v", err)
	}
	if _, err := v.Verify("a.b", AzureDevOpsResource); err == nil {
		t.Error("a malformed token verified")
	}
	clock.Advance(11 * time.Minute)
	_, err := v.Verify(tok, AzureDevOpsResource)
	if !errors.Is(err, ErrTokenExpired) {
		t.Errorf("expired token: %v", err)
	}
	if err != nil && strings.Contains(err.Error(), parts[2]) {
		t.Error("the error quotes the token")
	}
}

func TestVerifierRejectsOtherServersTokens(t *testing.T) {
	t.Parallel()
	a := startServer(t, Options{})
	other, err := Start(Options{}) // its own signing key
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	clientID, secret := other.NewServicePrincipal("")
	tok := post(t, other, v2Token(DefaultTenant), secretForm(clientID, secret, AzureDevOpsResource+"/.default")).str("access_token")
	if _, err := a.Verifier().Verify(tok, AzureDevOpsResource); err == nil {
		t.Fatal("a token from another server verified")
	}
}
