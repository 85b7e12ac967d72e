package acr

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// ServiceError is an answer from a registry other than the one expected.
type ServiceError struct {
	Registry   string
	What       string // "challenge" or "token exchange"
	StatusCode int
	// Code and Message are the registry's own words: the distribution error format
	// ({"errors":[{"code","message"}]}), an OAuth error, or the first line of a text answer.
	Code    string
	Message string
	// CorrelationID is X-Ms-Correlation-Request-Id, which Azure support asks for.
	CorrelationID string
}

func (e *ServiceError) Error() string {
	return fmt.Sprintf("%s at %s: %s", e.What, e.Registry, e.answer())
}

// answer is what the registry said: the status, its code and message, and the correlation ID.
func (e *ServiceError) answer() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	switch {
	case e.Code != "" && e.Message != "":
		fmt.Fprintf(&b, ": %s: %s", e.Code, e.Message)
	case e.Code != "" || e.Message != "":
		fmt.Fprintf(&b, ": %s%s", e.Code, e.Message)
	}
	if e.CorrelationID != "" {
		fmt.Fprintf(&b, " (correlation ID %s)", e.CorrelationID)
	}
	return b.String()
}

// maxMessage bounds how much of a registry's message an error repeats.
const maxMessage = 300

// parseServiceError reads what a registry said in an error answer. It never fails: an
// unreadable answer leaves Code and Message empty, and the status speaks alone.
func parseServiceError(body []byte) *ServiceError {
	var distribution struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &distribution) == nil && len(distribution.Errors) > 0 {
		first := distribution.Errors[0]
		return &ServiceError{Code: clean(first.Code), Message: clean(first.Message)}
	}
	var oauth struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &oauth) == nil && (oauth.Error != "" || oauth.Description != "") {
		return &ServiceError{Code: clean(oauth.Error), Message: clean(oauth.Description)}
	}
	text := strings.TrimSpace(string(body))
	if text == "" || strings.HasPrefix(text, "<") || strings.HasPrefix(text, "{") {
		return &ServiceError{} // HTML from a proxy, or JSON of an unknown shape
	}
	line, _, _ := strings.Cut(text, "\n")
	return &ServiceError{Message: clean(line)}
}

// clean makes a registry's text safe to print on one line: printable, bounded, and without
// anything that looks like a JWT.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = RedactJWTs(strings.TrimSpace(s))
	if len(s) > maxMessage {
		n := maxMessage
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return s
}

// RedactJWTs replaces every run that looks like a JWT (eyJ followed by two dots) with a marker.
func RedactJWTs(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "eyJ")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + strings.IndexFunc(s[i:], func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
		})
		if end < i {
			end = len(s)
		}
		b.WriteString(s[:i])
		if strings.Count(s[i:end], ".") >= 2 {
			b.WriteString("[redacted JWT]")
		} else {
			b.WriteString(s[i:end])
		}
		s = s[end:]
	}
}

// RefusedError is a registry's refusal of an identity's Entra token at the exchange: most often
// a missing role, sometimes the wrong tenant or an audience the registry no longer accepts.
type RefusedError struct {
	Registry string
	// Identity names who was refused (a UPN, else an object ID), TenantID the token's tenant.
	Identity string
	TenantID string
	// ARMAudience says the token was for Azure Resource Manager rather than ACR's own audience.
	ARMAudience bool
	Err         *ServiceError
}

func (e *RefusedError) Error() string {
	who := e.Identity
	if who == "" {
		who = "the signed-in identity"
	}
	return fmt.Sprintf("%s refused the Entra token of %s (tenant %s) at its token exchange: %s", e.Registry, who, e.TenantID, e.Err.answer())
}

func (e *RefusedError) Unwrap() error { return e.Err }

// Hint says what to change, one line.
func (e *RefusedError) Hint() string {
	if e.ARMAudience {
		return "The registry may have authentication-as-arm disabled (azureADAuthenticationAsArmPolicy), which Conditional Access requires: " +
			"remove `audience: arm` under `docker:` in the configuration so that the ACR audience is used."
	}
	return "Give the identity a role on the registry: AcrPull to pull, AcrPush to push. On registries whose role assignment mode is " +
		"ABAC (rbac-abac), those roles are ignored: assign Container Registry Repository Reader (pull) or Writer (push) instead. " +
		"If the registry belongs to another tenant, set AZURE_TENANT_ID or tenant: in the configuration."
}
