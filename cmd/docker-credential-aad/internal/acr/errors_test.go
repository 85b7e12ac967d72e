package acr

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/core/entra"
)

// answer is how entra.Client reads a registry's error answer.
func answer(status int, body string) *entra.Error {
	h := http.Header{"Content-Type": {"application/json"}, "X-Ms-Correlation-Request-Id": {"c0ffee"}}
	return entra.ParseError(status, h, []byte(body))
}

func TestServiceErrorSaysWhatWhereAndTheCorrelationID(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		want   string
	}{
		{401, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`,
			"token exchange at contoso.azurecr.io: HTTP 401 Unauthorized: UNAUTHORIZED: authentication required (correlation ID c0ffee)"},
		{400, `{"error":"invalid_request","error_description":"bad service"}`,
			"token exchange at contoso.azurecr.io: HTTP 400 Bad Request: invalid_request: bad service (correlation ID c0ffee)"},
		{502, "<html><body>502 Bad Gateway</body></html>",
			"token exchange at contoso.azurecr.io: HTTP 502 Bad Gateway (correlation ID c0ffee)"},
		{307, "",
			"token exchange at contoso.azurecr.io: HTTP 307 Temporary Redirect: a redirect, which is never followed (correlation ID c0ffee)"},
		{400, `{"error":"x\u001b[31m","error_description":"token eyJhbGciOi.eyJzdWIiOi.c2ln leaked\nTrace ID: 1"}`,
			"token exchange at contoso.azurecr.io: HTTP 400 Bad Request: x [31m: token [redacted JWT] leaked (correlation ID c0ffee)"},
	} {
		e := &ServiceError{Registry: "contoso.azurecr.io", What: whatExchange, Answer: answer(tc.status, tc.body)}
		if got := e.Error(); got != tc.want {
			t.Errorf("%d %s:\ngot  %q\nwant %q", tc.status, tc.body, got, tc.want)
		}
	}
	long := &ServiceError{Registry: "r", What: whatExchange, Answer: answer(400, `{"error":"`+strings.Repeat("m", 5000)+`"}`)}
	if len(long.Error()) > 2*maxMessage {
		t.Errorf("a long message was repeated whole (%d bytes)", len(long.Error()))
	}
}

func TestServiceErrorHasNoEntraHint(t *testing.T) {
	e := &ServiceError{Registry: "r", What: whatExchange, Answer: answer(429, "")}
	if e.Hint() != "" {
		t.Errorf("a registry's throttling got Entra ID's hint: %q", e.Hint())
	}
}

func TestRefusedErrorHints(t *testing.T) {
	se := &ServiceError{Registry: "contoso.azurecr.io", What: whatExchange, Answer: answer(401, "")}
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

// FuzzServiceError feeds any answer a registry may send: what the error repeats of it is one
// bounded, printable line without a token.
func FuzzServiceError(f *testing.F) {
	f.Add(401, []byte(`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`), "c0ffee")
	f.Add(400, []byte(`{"error":"x","error_description":"y"}`), "")
	f.Add(400, []byte(`{"error":{"code":"x","message":"eyJa.eyJb.c"}}`), "id\r\n")
	f.Add(503, []byte("text\r\nmore"), "")
	f.Fuzz(func(t *testing.T, status int, body []byte, correlation string) {
		if status < 100 || status > 999 {
			return
		}
		h := http.Header{"X-Ms-Correlation-Request-Id": {correlation}}
		e := &ServiceError{Registry: "r", What: whatExchange, Answer: entra.ParseError(status, h, body)}
		msg := e.Error()
		if strings.ContainsFunc(msg, func(r rune) bool { return r < ' ' || r == 0x7f }) || len(msg) > 4*maxMessage {
			t.Fatalf("unsafe text from a registry's answer: %q", msg)
		}
		if strings.Count(entra.RedactJWTs(msg), "[redacted JWT]") != strings.Count(msg, "[redacted JWT]") {
			t.Fatalf("a token got through: %q", msg)
		}
	})
}
