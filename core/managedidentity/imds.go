package managedidentity

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aadcred/aadcred/core/entra"
)

// ErrUnavailable is wrapped by the error Token returns when IMDS does not accept a connection: the
// machine is most likely not in Azure, and a caller probing for a managed identity can move on.
var ErrUnavailable = errors.New("no managed identity endpoint answered")

const (
	defaultIMDSEndpoint = "http://169.254.169.254"
	imdsTokenPath       = "/metadata/identity/oauth2/token"
	imdsAPIVersion      = "2018-02-01"

	// imdsConnectTimeout is how long IMDS gets to accept a connection. On Azure it answers
	// within milliseconds; elsewhere the address is usually a black hole, and waiting out the
	// caller's deadline there is the slow probe users of other helpers complain about.
	imdsConnectTimeout = time.Second

	// imdsRetries and imdsFirstDelay follow the IMDS documentation's schedule: five tries, the
	// retries 2, 4, 8 and 16 s apart.
	imdsRetries    = 4
	imdsFirstDelay = 2 * time.Second
)

func (c *Client) imdsToken(ctx context.Context, resource string, id ID) (*entra.TokenResponse, error) {
	base, err := c.imdsBase()
	if err != nil {
		return nil, err
	}
	q := url.Values{"api-version": {imdsAPIVersion}, "resource": {resource}}
	id.addTo(q, "client_id", "object_id", "msi_res_id")
	call := entra.Call{
		Method: http.MethodGet,
		URL:    base + imdsTokenPath + "?" + q.Encode(),
		Header: http.Header{"Metadata": {"true"}},
		// IMDS has its own retry rules (404 and 410 while it updates), applied below; and a
		// connection it refuses must not be retried at all.
		Idempotent: false,
		What:       endpointName(IMDS),
	}
	ec := c.imdsEntra()
	for attempt := 0; ; attempt++ {
		tok, err := c.fetch(ctx, ec, call)
		if err == nil {
			return tok, nil
		}
		var dialErr *net.OpError
		if ctx.Err() == nil && errors.As(err, &dialErr) && dialErr.Op == "dial" {
			return nil, fmt.Errorf("%w at %s (this machine may not be an Azure VM, or IMDS is blocked from it): %w",
				ErrUnavailable, base+imdsTokenPath, dialErr)
		}
		if attempt == imdsRetries || !imdsRetryable(err) {
			return nil, err
		}
		wait := imdsFirstDelay << attempt
		// The deadline is on the wall clock, whatever clock ec was given.
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return nil, err
		}
		if sleepErr := ec.Wait(ctx, wait); sleepErr != nil {
			return nil, fmt.Errorf("%w (retry abandoned: %w)", err, sleepErr)
		}
	}
}

// imdsBase is IMDS's base URL, without a trailing slash.
func (c *Client) imdsBase() (string, error) {
	name, base := "IMDSEndpoint", c.IMDSEndpoint
	if base == "" {
		name, base = envAADCredIMDS, c.getenv(envAADCredIMDS)
	}
	if base == "" {
		return defaultIMDSEndpoint, nil
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return "", fmt.Errorf("%s=%q is not an http or https base URL such as %s", name, base, defaultIMDSEndpoint)
	}
	return strings.TrimSuffix(base, "/"), nil
}

// imdsEntra is the transport for IMDS: never through a proxy (IMDS is link-local, so a proxy cannot
// reach it, and IMDS refuses forwarded requests), and with a connect timeout of its own.
func (c *Client) imdsEntra() *entra.Client {
	ec := c.entra()
	ec.HTTPClient = derivedHTTPClient(ec.HTTPClient, func(t *http.Transport) {
		t.Proxy = nil
		dial := t.DialContext
		if dial == nil {
			dial = (&net.Dialer{}).DialContext
		}
		t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			// The timeout bounds the dial only: an established connection outlives this context.
			ctx, cancel := context.WithTimeout(ctx, imdsConnectTimeout)
			defer cancel()
			return dial(ctx, network, addr)
		}
	})
	return ec
}

// imdsRetryable reports whether IMDS's documentation says to try again: it answers 404 and 410
// while it updates, 429 when throttling, and 5xx when something inside it failed.
func imdsRetryable(err error) bool {
	var e *entra.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.StatusCode {
	case http.StatusNotFound, http.StatusRequestTimeout, http.StatusGone, http.StatusTooManyRequests:
		return true
	}
	return e.StatusCode >= 500
}
