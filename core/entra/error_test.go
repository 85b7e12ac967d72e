package entra

import (
	"net/http"
	"strings"
	"testing"
)

func TestParseErrorEntraShape(t *testing.T) {
	body := `{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity.\r\nTrace ID: abc\r\nCorrelation ID: def\r\nTimestamp: 2026-01-09 02:02:12Z",
	 "error_codes":[700082],"timestamp":"2026-01-09 02:02:12Z","trace_id":"abc","correlation_id":"def",
	 "error_uri":"https://login.microsoftonline.com/error?code=700082","suberror":"bad_token","claims":"{\"access_token\":{}}"}`
	e := ParseError(400, http.Header{}, []byte(body))
	if e.Code != "invalid_grant" || !e.Has(700082) || e.TraceID != "abc" || e.CorrelationID != "def" ||
		e.SubError != "bad_token" || e.Claims != `{"access_token":{}}` {
		t.Errorf("fields: %+v", e)
	}
	if !e.InvalidGrant() || e.Transient() || e.InteractionRequired() {
		t.Errorf("classification wrong: %+v", e)
	}
	msg := e.Error()
	for _, want := range []string{"invalid_grant", "AADSTS700082", "The refresh token has expired", "trace ID abc", "correlation ID def"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Error() = %q, lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "Timestamp:") || strings.Count(msg, "AADSTS700082") != 1 {
		t.Errorf("Error() repeats the trace lines or the code: %q", msg)
	}
	if !strings.Contains(e.Hint(), "sign in again") {
		t.Errorf("Hint() = %q", e.Hint())
	}
}

func TestParseErrorOtherShapes(t *testing.T) {
	for _, tc := range []struct {
		name, ctype, body string
		status            int
		code, desc        string
	}{
		{"html from a proxy", "text/html", "<html><body>502 Bad Gateway</body></html>", 502, "", "HTTP 502 Bad Gateway with a text/html body"},
		{"empty", "", "", 503, "", "HTTP 503 Service Unavailable"},
		{"arm style", "application/json", `{"error":{"code":"invalid_request","message":"Identity not found"}}`, 400, "invalid_request", "Identity not found"},
		{"app service", "application/json", `{"statusCode":400,"message":"No MSI found for specified ClientId"}`, 400, "", "No MSI found"},
		{"imds", "application/json", `{"error":"invalid_resource","error_description":"AADSTS500011: The resource principal named x was not found"}`, 400, "invalid_resource", "AADSTS500011"},
	} {
		e := ParseError(tc.status, http.Header{"Content-Type": {tc.ctype}}, []byte(tc.body))
		if e.Code != tc.code || !strings.Contains(e.Description, tc.desc) {
			t.Errorf("%s: got code %q description %q", tc.name, e.Code, e.Description)
		}
	}
	if e := ParseError(400, nil, []byte(`{"error":"invalid_resource","error_description":"AADSTS500011: x"}`)); !e.Has(500011) {
		t.Errorf("the AADSTS code in a description without error_codes is not picked up: %+v", e)
	}
}

func TestErrorClassification(t *testing.T) {
	for _, tc := range []struct {
		e                      Error
		transient, interaction bool
	}{
		{Error{StatusCode: 429}, true, false},
		{Error{StatusCode: 503}, true, false},
		{Error{StatusCode: 400, Code: "temporarily_unavailable"}, true, false},
		{Error{StatusCode: 500, Codes: []int{50196}}, false, false},
		{Error{StatusCode: 400, Code: "interaction_required", Codes: []int{50076}}, false, true},
		{Error{StatusCode: 400, Code: "invalid_grant", Codes: []int{65001}}, false, true},
		{Error{StatusCode: 401, Code: "invalid_client", Codes: []int{7000215}}, false, false},
	} {
		if got := tc.e.Transient(); got != tc.transient {
			t.Errorf("%+v Transient() = %v", tc.e, got)
		}
		if got := tc.e.InteractionRequired(); got != tc.interaction {
			t.Errorf("%+v InteractionRequired() = %v", tc.e, got)
		}
	}
}

func TestHints(t *testing.T) {
	for code, want := range map[int]string{
		7000215: "client secret is wrong", 53003: "Conditional Access", 50076: "Multi-factor",
		700016: "not found in this tenant", 90002: "tenant was not found",
	} {
		e := &Error{Codes: []int{code}}
		if !strings.Contains(e.Hint(), want) {
			t.Errorf("hint for %d = %q, want %q", code, e.Hint(), want)
		}
	}
	if h := (&Error{Codes: []int{1}}).Hint(); h != "" {
		t.Errorf("unknown code has a hint: %q", h)
	}
}

func TestRedirectError(t *testing.T) {
	e := RedirectError("access_denied", "AADSTS65004: User declined to consent.\r\nTrace ID: x")
	if !e.Has(65004) || e.Description != "AADSTS65004: User declined to consent." {
		t.Errorf("got %+v", e)
	}
}

func FuzzParseError(f *testing.F) {
	f.Add(400, []byte(`{"error":"invalid_grant","error_codes":[70008],"error_description":"AADSTS70008: x"}`))
	f.Add(500, []byte(`<html>`))
	f.Add(400, []byte(`{"error":{"code":1}}`))
	f.Add(400, []byte(`{"error_description":"AADSTS99999999999999999999"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := ParseError(status, http.Header{}, body)
		if e.Error() == "" {
			t.Fatal("empty error message")
		}
		_ = e.Hint()
	})
}

func TestParseErrorRegistryShapeAndHeaders(t *testing.T) {
	e := ParseError(401, http.Header{"X-Ms-Correlation-Request-Id": {"corr-1"}},
		[]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"arm aad token disallowed"}]}`))
	if e.Code != "UNAUTHORIZED" || e.Description != "arm aad token disallowed" || e.CorrelationID != "corr-1" {
		t.Errorf("registry error: %+v", e)
	}
	e = ParseError(502, http.Header{"X-Ms-Correlation-Request-Id": {"corr-2"}, "Content-Type": {"text/html"}}, []byte("<html>"))
	if e.CorrelationID != "corr-2" || !strings.Contains(e.Error(), "corr-2") {
		t.Errorf("a non-JSON answer lost its correlation ID: %+v", e)
	}
}
