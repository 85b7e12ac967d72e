package acr

import (
	"strings"
	"testing"
)

func TestParseServiceError(t *testing.T) {
	for _, tc := range []struct{ body, code, message string }{
		{`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}`, "UNAUTHORIZED", "authentication required"},
		{`{"error":"invalid_request","error_description":"bad service"}`, "invalid_request", "bad service"},
		{"plain text\nsecond line", "", "plain text"},
		{"<html><body>502 Bad Gateway</body></html>", "", ""},
		{`{"unexpected":true}`, "", ""},
		{"", "", ""},
		{`{"errors":[{"code":"X","message":"token eyJhbGciOi.eyJzdWIiOi.c2ln leaked"}]}`, "X", "token [redacted JWT] leaked"},
		{`{"errors":[{"code":"X","message":"line\u0007with\ncontrols"}]}`, "X", "line with controls"},
	} {
		e := parseServiceError([]byte(tc.body))
		if e.Code != tc.code || e.Message != tc.message {
			t.Errorf("%q: got code %q message %q, want %q %q", tc.body, e.Code, e.Message, tc.code, tc.message)
		}
	}
	long := parseServiceError([]byte(`{"errors":[{"code":"X","message":"` + strings.Repeat("m", 5000) + `"}]}`))
	if len(long.Message) > maxMessage+len("…") {
		t.Errorf("a long message was repeated whole (%d bytes)", len(long.Message))
	}
}

func TestServiceErrorSaysWhatAndWhere(t *testing.T) {
	e := &ServiceError{Registry: "contoso.azurecr.io", What: "token exchange", StatusCode: 401,
		Code: "UNAUTHORIZED", Message: "nope", CorrelationID: "c0ffee"}
	want := "token exchange at contoso.azurecr.io: HTTP 401 Unauthorized: UNAUTHORIZED: nope (correlation ID c0ffee)"
	if e.Error() != want {
		t.Errorf("got  %q\nwant %q", e.Error(), want)
	}
}

func TestRefusedErrorHints(t *testing.T) {
	se := &ServiceError{Registry: "contoso.azurecr.io", What: "token exchange", StatusCode: 401}
	role := (&RefusedError{Registry: "contoso.azurecr.io", Identity: "alice@contoso.com", TenantID: "t1", Err: se})
	if !strings.Contains(role.Error(), "alice@contoso.com") || !strings.Contains(role.Error(), "t1") {
		t.Errorf("the error does not say whose token was refused: %s", role.Error())
	}
	for _, want := range []string{"AcrPull", "AcrPush", "ABAC", "Container Registry Repository Reader"} {
		if !strings.Contains(role.Hint(), want) {
			t.Errorf("the hint for a refusal does not mention %s: %s", want, role.Hint())
		}
	}
	arm := &RefusedError{Registry: "contoso.azurecr.io", ARMAudience: true, Err: se}
	if !strings.Contains(arm.Hint(), "audience") || strings.Contains(arm.Hint(), "AcrPull") {
		t.Errorf("the hint for an ARM-audience refusal should be about the audience: %s", arm.Hint())
	}
}

func FuzzParseServiceError(f *testing.F) {
	f.Add([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`))
	f.Add([]byte(`{"error":"x","error_description":"y"}`))
	f.Add([]byte("text\r\nmore"))
	f.Add([]byte(`{"errors":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e := parseServiceError(body)
		for _, s := range []string{e.Code, e.Message} {
			if strings.ContainsAny(s, "\r\n\x00") || len(s) > maxMessage+len("…") {
				t.Fatalf("unsafe text from a registry's answer: %q", s)
			}
		}
	})
}
