package managedidentity

import (
	"net/http"

	"github.com/aadcred/aadcred/core/entra"
)

// derivedHTTPClient copies base (nil means entra's default client) with a clone of its transport
// changed by adjust. A RoundTripper that is not an *http.Transport cannot be adjusted, so entra's
// default transport stands in for it.
func derivedHTTPClient(base *http.Client, adjust func(*http.Transport)) *http.Client {
	if base == nil {
		base = entra.DefaultHTTPClient()
	}
	var transport *http.Transport
	switch t := base.Transport.(type) {
	case *http.Transport:
		transport = t.Clone()
	case nil:
		transport = defaultTransport()
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			transport = dt.Clone()
		}
	default:
		transport = defaultTransport()
	}
	adjust(transport)
	derived := *base
	derived.Transport = transport
	return &derived
}

func defaultTransport() *http.Transport {
	if t, ok := entra.DefaultHTTPClient().Transport.(*http.Transport); ok {
		return t
	}
	return &http.Transport{}
}
