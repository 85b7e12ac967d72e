package entra

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseDeviceCodeBothVersions(t *testing.T) {
	v2 := `{"user_code":"ABCD1234","device_code":"GAAB","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5,"message":"To sign in…"}`
	v1 := `{"user_code":"ABCD1234","device_code":"GAAB","verification_url":"https://microsoft.com/devicelogin","expires_in":"900","interval":"5","message":"To sign in…"}`
	for name, body := range map[string]string{"v2": v2, "v1": v1} {
		dc, err := ParseDeviceCode([]byte(body), epoch)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if dc.UserCode != "ABCD1234" || dc.VerificationURI != "https://microsoft.com/devicelogin" ||
			dc.Interval != 5*time.Second || !dc.ExpiresAt.Equal(epoch.Add(15*time.Minute)) || dc.deviceCode != "GAAB" {
			t.Errorf("%s: %+v", name, dc)
		}
	}
	dc, err := ParseDeviceCode([]byte(`{"user_code":"U","device_code":"D","verification_uri":"https://x"}`), epoch)
	if err != nil || dc.Interval != 5*time.Second || !strings.Contains(dc.Message, "https://x") || !strings.Contains(dc.Message, "U") {
		t.Errorf("defaults: %+v, %v", dc, err)
	}
	for _, bad := range []string{`{}`, `{"user_code":"U","device_code":"D"}`, `{"user_code":"U","device_code":"D","verification_uri":"javascript:alert(1)"}`,
		`{"user_code":"U","device_code":"D","verification_uri":"https://x","interval":"fast"}`, `<html>`} {
		if _, err := ParseDeviceCode([]byte(bad), epoch); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// pollServer answers device-code polls with the given sequence of error codes, then a token.
func pollServer(t *testing.T, version Version, codes ...string) (*server, *[]url.Values) {
	var polls []url.Values
	n := 0
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		polls = append(polls, r.PostForm)
		if n < len(codes) {
			status(400, "", fmt.Sprintf(`{"error":%q}`, codes[n]))(w, r)
			n++
			return
		}
		okToken(w, r)
	})
	return s, &polls
}

func TestPollDeviceCodeWaitsAndSlowsDown(t *testing.T) {
	s, polls := pollServer(t, V2, "authorization_pending", "slow_down", "authorization_pending")
	var waits []time.Duration
	c := testClient(&waits)
	dc := &DeviceCode{deviceCode: "GAAB", Interval: 5 * time.Second, ExpiresAt: epoch.Add(15 * time.Minute)}
	tok, err := c.PollDeviceCode(context.Background(), endpoint(t, s), dc, url.Values{"client_id": {"app"}, "scope": {"x/.default"}})
	if err != nil || tok.AccessToken != "at" {
		t.Fatalf("tok %v, err %v", tok, err)
	}
	if fmt.Sprint(waits) != "[5s 5s 10s 10s]" {
		t.Errorf("waits %v, want [5s 5s 10s 10s] (slow_down adds 5 s)", waits)
	}
	p := (*polls)[0]
	if p.Get("grant_type") != "urn:ietf:params:oauth:grant-type:device_code" || p.Get("device_code") != "GAAB" || p.Get("scope") != "x/.default" {
		t.Errorf("v2 poll form %v", p)
	}
}

// TestSlowDownWithPendingCodeSlowsDown: a slow_down answer that also carries 70016 (the code of
// authorization_pending) still adds 5 s to the interval.
func TestSlowDownWithPendingCodeSlowsDown(t *testing.T) {
	n := 0
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n++; n == 1 {
			status(400, "", `{"error":"slow_down","error_description":"AADSTS70016: pending","error_codes":[70016]}`)(w, r)
			return
		}
		okToken(w, r)
	})
	var waits []time.Duration
	dc := &DeviceCode{deviceCode: "GAAB", Interval: 5 * time.Second, ExpiresAt: epoch.Add(15 * time.Minute)}
	if _, err := testClient(&waits).PollDeviceCode(context.Background(), endpoint(t, s), dc, url.Values{"client_id": {"app"}, "scope": {"x/.default"}}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(waits) != "[5s 10s]" {
		t.Errorf("waits %v, want [5s 10s]: slow_down with code 70016 must slow down", waits)
	}
}

func TestPollDeviceCodeV1Form(t *testing.T) {
	s, polls := pollServer(t, V1)
	var waits []time.Duration
	ep := endpoint(t, s)
	ep.Version = V1
	dc := &DeviceCode{deviceCode: "GAAB", Interval: time.Second, ExpiresAt: epoch.Add(time.Minute)}
	if _, err := testClient(&waits).PollDeviceCode(context.Background(), ep, dc, url.Values{"resource": {"r"}}); err != nil {
		t.Fatal(err)
	}
	if p := (*polls)[0]; p.Get("grant_type") != "device_code" || p.Get("code") != "GAAB" || p.Get("resource") != "r" {
		t.Errorf("v1 poll form %v", p)
	}
}

func TestPollDeviceCodeStops(t *testing.T) {
	for _, code := range []string{"expired_token", "code_expired", "authorization_declined", "access_denied", "bad_verification_code"} {
		s, polls := pollServer(t, V2, code)
		var waits []time.Duration
		dc := &DeviceCode{deviceCode: "D", Interval: time.Second, ExpiresAt: epoch.Add(time.Minute)}
		_, err := testClient(&waits).PollDeviceCode(context.Background(), endpoint(t, s), dc, url.Values{})
		var e *Error
		if !errors.As(err, &e) || e.Code != code || len(*polls) != 1 {
			t.Errorf("%s: err %v after %d polls", code, err, len(*polls))
		}
	}
}

func TestPollDeviceCodeStopsAtExpiry(t *testing.T) {
	s, polls := pollServer(t, V2, "authorization_pending", "authorization_pending", "authorization_pending")
	now := epoch
	c := &Client{Now: func() time.Time { return now }, Sleep: func(_ context.Context, d time.Duration) error { now = now.Add(d); return nil }}
	dc := &DeviceCode{deviceCode: "D", Interval: 5 * time.Second, ExpiresAt: epoch.Add(12 * time.Second)}
	_, err := c.PollDeviceCode(context.Background(), endpoint(t, s), dc, url.Values{})
	var e *Error
	if !errors.As(err, &e) || e.Code != "expired_token" || len(*polls) != 2 {
		t.Errorf("err %v after %d polls; want expired_token after 2", err, len(*polls))
	}
}

func TestPollDeviceCodeCancelled(t *testing.T) {
	s, _ := pollServer(t, V2, "authorization_pending")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dc := &DeviceCode{deviceCode: "D", Interval: time.Hour, ExpiresAt: time.Now().Add(2 * time.Hour)}
	_, err := (&Client{}).PollDeviceCode(ctx, endpoint(t, s), dc, url.Values{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestPKCE(t *testing.T) {
	p := NewPKCE()
	if len(p.Verifier) != 43 || len(p.Challenge) != 43 || p.Verifier == NewPKCE().Verifier {
		t.Errorf("PKCE %+v", p)
	}
	if NewState() == NewState() {
		t.Error("state repeats")
	}
	// RFC 7636 appendix B.
	if got := s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Errorf("S256 = %s", got)
	}
}

func FuzzParseDeviceCode(f *testing.F) {
	f.Add([]byte(`{"user_code":"U","device_code":"D","verification_url":"https://x","expires_in":"900","interval":"5"}`))
	f.Add([]byte(`{"user_code":"U","device_code":"D","verification_uri":"https://x","expires_in":1e20,"interval":-1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		dc, err := ParseDeviceCode(body, epoch)
		if err == nil && (dc.Interval <= 0 || dc.deviceCode == "" || dc.UserCode == "") {
			t.Fatalf("accepted %+v", dc)
		}
	})
}
