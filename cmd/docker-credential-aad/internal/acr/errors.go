package acr

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aadcred/aadcred/core/entra"
)

// ServiceError is an answer from a registry other than the one expected.
type ServiceError struct {
	Registry string
	What     string // whatChallenge or whatExchange
	// Answer is the registry's answer as entra.Client reads it: the status, the
	// X-Ms-Correlation-Request-Id that Azure support asks for, and an OAuth error if it sent one.
	Answer *entra.Error
}

func (e *ServiceError) Error() string {
	return fmt.Sprintf("%s at %s: %s", e.What, e.Registry, e.answer())
}

// Unwrap lets entra.Transient judge the answer: throttling and 5xx are worth another try later.
func (e *ServiceError) Unwrap() error { return e.Answer }

// Hint is empty: the status says it all, and entra.Error's hints are about Entra ID, not about
// a registry.
func (e *ServiceError) Hint() string { return "" }

// answer is what the registry said: the status, an OAuth error code and description if it sent
// one, and the correlation ID.
func (e *ServiceError) answer() string {
	a := e.Answer
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d %s", a.StatusCode, http.StatusText(a.StatusCode))
	switch {
	case a.StatusCode >= 300 && a.StatusCode < 400:
		b.WriteString(": a redirect, which is never followed")
	case a.Code != "":
		// Only an OAuth-shaped answer has words of the registry's own to repeat; without a code,
		// entra.Error's description speaks of Entra ID, not of a registry.
		fmt.Fprintf(&b, ": %s", clean(a.Code))
		if d := clean(a.Description); d != "" {
			fmt.Fprintf(&b, ": %s", d)
		}
	}
	if id := clean(a.CorrelationID); id != "" {
		fmt.Fprintf(&b, " (correlation ID %s)", id)
	}
	return b.String()
}

// maxMessage bounds how much of a registry's words an error repeats.
const maxMessage = 300

// clean makes a registry's text safe to print on one line: printable, bounded, and without
// anything that looks like a JWT.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	s = entra.RedactJWTs(strings.TrimSpace(s))
	if len(s) > maxMessage {
		n := maxMessage
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return s
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
	who := cmp.Or(e.Identity, "the signed-in identity")
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
