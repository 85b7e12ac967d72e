package entra

import (
	"strings"
	"testing"
	"time"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestParseTokenResponseV2(t *testing.T) {
	body := `{"token_type":"Bearer","scope":"499b84ac-1321-427f-aa17-267ca6975798/user_impersonation","expires_in":4481,
	 "ext_expires_in":4481,"access_token":"at","refresh_token":"rt","id_token":"idt","client_info":"ci","foci":"1","refresh_in":2000}`
	r, err := ParseTokenResponse([]byte(body), epoch)
	if err != nil {
		t.Fatal(err)
	}
	if r.AccessToken != "at" || r.RefreshToken != "rt" || r.IDToken != "idt" || r.ClientInfo != "ci" || !r.FOCI {
		t.Errorf("fields: %+v", r)
	}
	if want := epoch.Add(4481 * time.Second); !r.ExpiresOn.Equal(want) {
		t.Errorf("ExpiresOn = %v, want %v", r.ExpiresOn, want)
	}
	if want := epoch.Add(2000 * time.Second); !r.RefreshOn.Equal(want) {
		t.Errorf("RefreshOn = %v, want %v", r.RefreshOn, want)
	}
	if _, ok := r.Extra["ext_expires_in"]; !ok {
		t.Errorf("unknown fields are not kept: %v", r.Extra)
	}
}

func TestParseTokenResponseV1StringNumbers(t *testing.T) {
	body := `{"token_type":"Bearer","scope":"user_impersonation","expires_in":"3599","ext_expires_in":"3599",
	 "expires_on":"1767225600","not_before":"1767221701","resource":"6dae42f8-4368-4678-94ff-3960e28e3630",
	 "access_token":"at","refresh_token":"rt","foci":"1"}`
	r, err := ParseTokenResponse([]byte(body), epoch)
	if err != nil {
		t.Fatal(err)
	}
	if want := epoch.Add(3599 * time.Second); !r.ExpiresOn.Equal(want) {
		t.Errorf("expires_in must win over expires_on: got %v, want %v", r.ExpiresOn, want)
	}
	if r.Resource != "6dae42f8-4368-4678-94ff-3960e28e3630" {
		t.Errorf("Resource = %q", r.Resource)
	}
}

func TestParseTokenResponseExpiresOnForms(t *testing.T) {
	for _, tc := range []struct{ field, want string }{
		{`1767225600`, "2026-01-01T00:00:00Z"},
		{`"1767225600"`, "2026-01-01T00:00:00Z"},
		{`"01/01/2026 00:00:00 +00:00"`, "2026-01-01T00:00:00Z"},
		{`"09/14/2017 00:00:00 PM +00:00"`, "2017-09-14T12:00:00Z"},
		{`"2026-01-01 00:00:00"`, "2026-01-01T00:00:00Z"},
		{`"2026-01-01T00:00:00Z"`, "2026-01-01T00:00:00Z"},
	} {
		r, err := ParseTokenResponse([]byte(`{"access_token":"a","expires_on":`+tc.field+`}`), epoch)
		if err != nil {
			t.Errorf("expires_on %s: %v", tc.field, err)
			continue
		}
		if got := r.ExpiresOn.UTC().Format(time.RFC3339); got != tc.want {
			t.Errorf("expires_on %s = %s, want %s", tc.field, got, tc.want)
		}
	}
}

func TestParseTokenResponseFallsBackToJWTExpiry(t *testing.T) {
	jwt := "eyJhbGciOiJub25lIn0." + b64(`{"exp":1767225600,"tid":"t"}`) + ".sig"
	r, err := ParseTokenResponse([]byte(`{"access_token":"`+jwt+`"}`), epoch)
	if err != nil {
		t.Fatal(err)
	}
	if r.ExpiresOn.Unix() != 1767225600 {
		t.Errorf("ExpiresOn = %v", r.ExpiresOn)
	}
}

func TestParseTokenResponseErrors(t *testing.T) {
	secret := "eyJsecretsecret.payload.signature"
	for _, tc := range []struct{ name, body, want string }{
		{"not JSON", `oops`, "not a JSON object"},
		{"HTML", "\r\n<!DOCTYPE html><html>oops</html>", "an HTML page"},
		{"empty", ``, "the body is empty"},
		{"truncated", `{"access_token":"` + secret, "truncated"},
		{"array", `[1,2]`, "not a JSON object"},
		{"null", `null`, "null"},
		{"no access token", `{"token_type":"Bearer","expires_in":3600}`, "no access_token"},
		{"empty access token", `{"access_token":"","expires_in":3600}`, "no access_token"},
		{"wrong type", `{"access_token":42,"expires_in":3600}`, `"access_token" is not a string`},
		{"bad expires_in", `{"access_token":"x","expires_in":"soon"}`, `"expires_in"`},
		{"negative expires_in", `{"access_token":"x","expires_in":-5}`, `"expires_in"`},
		{"bad expires_on", `{"access_token":"x","expires_on":"tomorrow"}`, `"expires_on"`},
		{"no expiry", `{"access_token":"x"}`, "neither expires_in nor expires_on"},
		{"foci object", `{"access_token":"x","expires_in":1,"foci":{}}`, `"foci"`},
	} {
		_, err := ParseTokenResponse([]byte(tc.body), epoch)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: error quotes the body: %v", tc.name, err)
		}
	}
}

func FuzzParseTokenResponse(f *testing.F) {
	f.Add([]byte(`{"access_token":"a","expires_in":"3599","foci":"1"}`))
	f.Add([]byte(`{"access_token":"a","expires_on":"09/14/2017 00:00:00 PM +00:00"}`))
	f.Add([]byte(`{"access_token":"a.eyJleHAiOjF9.c"}`))
	f.Add([]byte(`{"access_token":null,"expires_in":1e400}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseTokenResponse(body, epoch)
		if err == nil && (r.AccessToken == "" || r.ExpiresOn.IsZero()) {
			t.Fatalf("accepted a response without a token or expiry: %+v", r)
		}
	})
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"1767225600", "01/01/2026 00:00:00 +00:00", "2026-01-01 00:00:00.123456", "1e10", "-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseTimestamp(s, time.UTC)
	})
}
