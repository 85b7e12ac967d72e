package entra

import (
	"cmp"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
)

// Error is an error answer from Entra ID or a managed-identity endpoint, in Entra's shape:
//
//	{"error":"invalid_grant","error_description":"AADSTS700082: …","error_codes":[700082],
//	 "trace_id":"…","correlation_id":"…","claims":"{…}"}
//
// Branch on Code and Codes, never on Description.
type Error struct {
	StatusCode    int
	Code          string // the OAuth "error", e.g. invalid_grant
	Description   string // first line of error_description, without the trace lines
	Codes         []int  // AADSTS numbers
	SubError      string
	Claims        string // a claims challenge to send back with the next interactive request
	TraceID       string
	CorrelationID string
	Timestamp     string
	// Endpoint says what was called, e.g. "token endpoint".
	Endpoint string
	// WWWAuthenticate holds the answer's challenges (managed identity on Azure Arc sends one).
	WWWAuthenticate []string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Endpoint != "" {
		b.WriteString(e.Endpoint)
		b.WriteString(": ")
	}
	if len(e.Codes) > 0 && !strings.HasPrefix(e.Description, fmt.Sprintf("AADSTS%d", e.Codes[0])) {
		fmt.Fprintf(&b, "AADSTS%d ", e.Codes[0])
	}
	switch {
	case e.Code != "" && e.Description != "":
		fmt.Fprintf(&b, "%s: %s", e.Code, e.Description)
	case e.Code != "":
		b.WriteString(e.Code)
	case e.Description != "":
		b.WriteString(e.Description)
	default:
		fmt.Fprintf(&b, "HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	var ids []string
	if e.TraceID != "" {
		ids = append(ids, "trace ID "+e.TraceID)
	}
	if e.CorrelationID != "" {
		ids = append(ids, "correlation ID "+e.CorrelationID)
	}
	if len(ids) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(ids, ", "))
	}
	return b.String()
}

// Has reports whether Entra named the AADSTS code.
func (e *Error) Has(code int) bool { return slices.Contains(e.Codes, code) }

// Transient reports whether the same request may succeed if sent again later: throttling, a
// service outage, or a server error. AADSTS50196 (loop detected) is the service asking us to stop,
// so it is not transient.
func (e *Error) Transient() bool {
	if e.Has(50196) {
		return false
	}
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500 ||
		e.Code == "temporarily_unavailable"
}

// InteractionRequired reports whether only a person can fix this: MFA, consent, a missing session,
// or a claims challenge.
func (e *Error) InteractionRequired() bool {
	if e.Code == "interaction_required" || e.Code == "consent_required" || e.Code == "login_required" {
		return true
	}
	return slices.ContainsFunc(e.Codes, func(c int) bool {
		switch c {
		case 50076, 50079, 50078, 65001, 50058, 16000, 50072, 50074:
			return true
		}
		return false
	})
}

// InvalidGrant reports whether the grant itself (a refresh token, a code) is dead and must be
// thrown away: expired, revoked, already used.
func (e *Error) InvalidGrant() bool { return e.Code == "invalid_grant" }

// ParseError turns a non-2xx answer into an *Error. It accepts Entra's JSON, the shapes managed
// identity endpoints use ({"error":{"code","message"}}, {"statusCode","message"}), and anything
// else (a proxy's HTML page) without quoting it.
func ParseError(status int, header http.Header, body []byte) *Error {
	e := &Error{StatusCode: status}
	var raw struct {
		Error            json.RawMessage `json:"error"`
		ErrorDescription string          `json:"error_description"`
		ErrorCodes       []int           `json:"error_codes"`
		SubError         string          `json:"suberror"`
		Claims           string          `json:"claims"`
		TraceID          string          `json:"trace_id"`
		CorrelationID    string          `json:"correlation_id"`
		Timestamp        string          `json:"timestamp"`
		Message          string          `json:"message"`
		MessageCap       string          `json:"Message"`
		// A container registry's {"errors":[{"code","message"}]} (OCI distribution spec).
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	e.TraceID = header.Get("X-Ms-Request-Id")
	e.CorrelationID = correlationID(header)
	if err := json.Unmarshal(body, &raw); err != nil {
		e.Description = describeNonJSON(status, header)
		return e
	}
	if len(raw.Errors) > 0 && len(raw.Error) == 0 {
		e.Code, raw.Message = raw.Errors[0].Code, cmp.Or(raw.Errors[0].Message, raw.Message)
	}
	var nested struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw.Error, &e.Code) != nil && json.Unmarshal(raw.Error, &nested) == nil {
		e.Code, raw.Message = nested.Code, cmp.Or(nested.Message, raw.Message)
	}
	e.Description = firstLine(cmp.Or(raw.ErrorDescription, raw.Message, raw.MessageCap))
	e.Codes = raw.ErrorCodes
	if len(e.Codes) == 0 {
		if n := leadingAADSTS(e.Description); n != 0 {
			e.Codes = []int{n}
		}
	}
	e.SubError, e.Claims = raw.SubError, raw.Claims
	e.TraceID = cmp.Or(raw.TraceID, e.TraceID)
	e.CorrelationID = cmp.Or(raw.CorrelationID, e.CorrelationID)
	e.Timestamp = raw.Timestamp
	if e.Code == "" && e.Description == "" {
		e.Description = describeNonJSON(status, header)
	}
	return e
}

// correlationID is the ID a service's support asks for: Entra ID echoes client-request-id, other
// Azure services send x-ms-correlation-request-id.
func correlationID(header http.Header) string {
	return cmp.Or(header.Get("Client-Request-Id"), header.Get("X-Ms-Correlation-Request-Id"))
}

func describeNonJSON(status int, header http.Header) string {
	kind := "a body"
	if mt, _, err := mime.ParseMediaType(header.Get("Content-Type")); err == nil {
		kind = "a " + mt + " body"
	}
	return fmt.Sprintf("HTTP %d %s with %s that is not an Entra ID error (a proxy or gateway may have answered)",
		status, http.StatusText(status), kind)
}

// firstLine drops the "Trace ID: … Correlation ID: … Timestamp: …" lines Entra appends to every
// description; they are reported from their own fields.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}

func leadingAADSTS(s string) int {
	rest, ok := strings.CutPrefix(s, "AADSTS")
	if !ok {
		return 0
	}
	n := 0
	for _, r := range rest {
		if r < '0' || r > '9' || n > 1e8 {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// RedirectError is the error an authorize endpoint reports by redirecting back with error and
// error_description parameters.
func RedirectError(code, description string) *Error {
	e := &Error{Code: code, Description: firstLine(description), Endpoint: "authorize endpoint"}
	if n := leadingAADSTS(e.Description); n != 0 {
		e.Codes = []int{n}
	}
	return e
}
