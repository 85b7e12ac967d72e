package fakeentra

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func deviceCodeV2(t *testing.T, s *Server) answer {
	t.Helper()
	a := post(t, s, "/organizations/oauth2/v2.0/devicecode", url.Values{"client_id": {AzureCLIClientID}, "scope": {AzureDevOpsResource + "/.default offline_access"}})
	if a.status != 200 {
		t.Fatalf("device code: %d %s", a.status, a.raw)
	}
	return a
}

func pollV2(t *testing.T, s *Server, deviceCode, grantType string) answer {
	t.Helper()
	return post(t, s, v2Token("organizations"), url.Values{"grant_type": {grantType}, "client_id": {AzureCLIClientID}, "device_code": {deviceCode}})
}

func TestDeviceCodeV2Lifecycle(t *testing.T) {
	t.Parallel()
	clock := NewClock(time.Time{})
	s := startServer(t, Options{Now: clock.Now})
	var issued []DeviceCodeInfo
	s.OnDeviceCode(func(info DeviceCodeInfo) { issued = append(issued, info) })

	a := deviceCodeV2(t, s)
	if a.body["expires_in"] != float64(900) || a.body["interval"] != float64(1) {
		t.Errorf("expires_in %v interval %v, want numbers 900 and 1", a.body["expires_in"], a.body["interval"])
	}
	if a.str("verification_uri") == "" || !strings.Contains(a.str("message"), a.str("user_code")) {
		t.Errorf("answer lacks verification_uri or a message with the code: %s", a.raw)
	}
	if len(issued) != 1 || issued[0].UserCode != a.str("user_code") || issued[0].ClientID != AzureCLIClientID || issued[0].Tenant != "organizations" {
		t.Fatalf("OnDeviceCode saw %+v", issued)
	}
	dc := a.str("device_code")
	wantEntraError(t, pollV2(t, s, dc, grantDeviceCode), 400, "authorization_pending", 70016)
	if err := s.ApproveDeviceCode(a.str("user_code"), DefaultUser); err != nil {
		t.Fatal(err)
	}
	tok := pollV2(t, s, dc, grantDeviceCodeShort)
	if tok.status != 200 || tok.str("refresh_token") == "" {
		t.Fatalf("approved poll: %d %s", tok.status, tok.raw)
	}
	if c := verify(t, s, tok.str("access_token"), AzureDevOpsResource); c.TenantID != DefaultTenant || c.UPN != DefaultUser {
		t.Errorf("claims = %+v", c)
	}
	wantEntraError(t, pollV2(t, s, dc, grantDeviceCode), 400, "invalid_grant", 70000)
	wantEntraError(t, pollV2(t, s, "no-such-code", grantDeviceCode), 400, "bad_verification_code", 70018)

	declined := deviceCodeV2(t, s)
	if err := s.DeclineDeviceCode(declined.str("user_code")); err != nil {
		t.Fatal(err)
	}
	wantEntraError(t, pollV2(t, s, declined.str("device_code"), grantDeviceCode), 400, "authorization_declined", 65004)

	expiring := deviceCodeV2(t, s)
	clock.Advance(16 * time.Minute)
	wantEntraError(t, pollV2(t, s, expiring.str("device_code"), grantDeviceCode), 400, "expired_token", 70019)
	if err := s.ApproveDeviceCode(expiring.str("user_code"), DefaultUser); err == nil {
		t.Error("approving an expired code succeeded")
	}
}

func TestDeviceCodeV1(t *testing.T) {
	t.Parallel()
	clock := NewClock(time.Time{})
	s := startServer(t, Options{Now: clock.Now})
	start := func() answer {
		a := post(t, s, "/"+DefaultTenant+"/oauth2/devicecode?api-version=1.0", url.Values{"client_id": {AKSClientID}, "resource": {AKSServerAppID}})
		if a.status != 200 {
			t.Fatalf("v1 device code: %d %s", a.status, a.raw)
		}
		return a
	}
	poll := func(code string) answer {
		return post(t, s, v1Token(DefaultTenant), url.Values{"grant_type": {"device_code"}, "client_id": {AKSClientID}, "code": {code}, "resource": {AKSServerAppID}})
	}
	a := start()
	if a.body["expires_in"] != "900" || a.body["interval"] != "1" || a.str("verification_url") == "" {
		t.Errorf("v1 answer must carry string numbers and verification_url: %s", a.raw)
	}
	if err := s.ApproveDeviceCode(a.str("user_code"), DefaultUser); err != nil {
		t.Fatal(err)
	}
	tok := poll(a.str("device_code"))
	if tok.status != 200 || tok.str("resource") != AKSServerAppID {
		t.Fatalf("v1 poll: %d %s", tok.status, tok.raw)
	}
	verify(t, s, tok.str("access_token"), AKSServerAppID)

	declined := start()
	s.DeclineDeviceCode(declined.str("user_code"))
	wantEntraError(t, poll(declined.str("device_code")), 400, "access_denied", 65004)

	expired := start()
	clock.Advance(15*time.Minute + time.Second)
	wantEntraError(t, poll(expired.str("device_code")), 400, "code_expired", 70019)

	wrongParam := post(t, s, v1Token(DefaultTenant), url.Values{"grant_type": {"device_code"}, "client_id": {AKSClientID}, "device_code": {a.str("device_code")}})
	wantEntraError(t, wrongParam, 400, "invalid_request", 900144)
}

func TestDeviceCodeSlowDownAndAutoApprove(t *testing.T) {
	t.Parallel()
	clock := NewClock(time.Time{})
	s := startServer(t, Options{Now: clock.Now, StrictDevicePolling: true})
	a := deviceCodeV2(t, s)
	wantEntraError(t, pollV2(t, s, a.str("device_code"), grantDeviceCode), 400, "slow_down", 70016)
	clock.Advance(2 * time.Second) // past the announced 1 s, but the interval is now 6 s
	wantEntraError(t, pollV2(t, s, a.str("device_code"), grantDeviceCode), 400, "slow_down", 70016)
	clock.Advance(11 * time.Second) // two slow_downs: 1 + 5 + 5 s
	wantEntraError(t, pollV2(t, s, a.str("device_code"), grantDeviceCode), 400, "authorization_pending", 70016)

	s.AutoApproveDeviceCodes(DefaultUser)
	b := deviceCodeV2(t, s)
	clock.Advance(time.Second)
	if tok := pollV2(t, s, b.str("device_code"), grantDeviceCode); tok.status != 200 {
		t.Fatalf("auto-approved code: %d %s", tok.status, tok.raw)
	}
}

func TestDeviceLoginPage(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	a := deviceCodeV2(t, s)
	page := get(t, s.HTTPClient(), a.str("verification_uri"))
	if page.status != 200 || !strings.Contains(page.raw, `name="otc"`) {
		t.Fatalf("device login page: %d %s", page.status, page.raw)
	}
	done := post(t, s, "/devicelogin", url.Values{"otc": {a.str("user_code")}, "login": {DefaultUser}, "passwd": {DefaultUserPassword}, "decision": {"approve"}})
	if !strings.Contains(done.raw, "You have signed in") {
		t.Fatalf("signing in on the device page: %s", done.raw)
	}
	if tok := pollV2(t, s, a.str("device_code"), grantDeviceCode); tok.status != 200 {
		t.Fatalf("poll after the page sign-in: %d %s", tok.status, tok.raw)
	}
}
