package entra

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBody bounds what we read from any endpoint: token answers are a few KiB.
const maxBody = 1 << 20

// Client sends requests to Entra ID and managed-identity endpoints. The zero value is usable; a
// Client must not be copied after first use.
type Client struct {
	// HTTPClient sends the requests. Nil means a client that honours HTTP(S)_PROXY and never
	// follows redirects, so that a form carrying a secret is never replayed to another host.
	HTTPClient *http.Client
	// UserAgent is sent with every request.
	UserAgent string
	// AttemptTimeout bounds one HTTP attempt; the caller's context bounds the whole call.
	// Zero means 30 s.
	AttemptTimeout time.Duration
	// Retries is how many times a failed idempotent call is resent after throttling, a 5xx or a
	// network error. Zero means 2; negative means never.
	Retries int
	// Log receives one debug line per attempt, never a secret. Nil discards.
	Log *slog.Logger
	// Now and Sleep are the clock; nil means the real one.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error

	defaultOnce sync.Once
	defaultHTTP *http.Client // DefaultHTTPClient, made once so that connections are reused
}

// Clone returns a new Client with c's settings, for a caller that adjusts some of them (a
// transport without proxy for IMDS, say). Clients are not copied by value: they hold state.
func (c *Client) Clone() *Client {
	return &Client{
		HTTPClient:     c.HTTPClient,
		UserAgent:      c.UserAgent,
		AttemptTimeout: c.AttemptTimeout,
		Retries:        c.Retries,
		Log:            c.Log,
		Now:            c.Now,
		Sleep:          c.Sleep,
	}
}

// Call is one request to an endpoint.
type Call struct {
	Method string // GET or POST
	URL    string
	Header http.Header
	// Form is sent as an application/x-www-form-urlencoded body (POST) and is never logged.
	Form url.Values
	// Idempotent says the call may be sent again after a failure. An authorization-code
	// redemption is not: the code is single use.
	Idempotent bool
	// What names the endpoint in errors and logs, e.g. "token endpoint".
	What string
}

// Token sends a grant to ep's token endpoint and parses the answer. Every grant but
// authorization_code is resent after transient failures.
func (c *Client) Token(ctx context.Context, ep Endpoint, form url.Values) (*TokenResponse, error) {
	if err := ep.Validate(); err != nil {
		return nil, err
	}
	body, err := c.Do(ctx, Call{
		Method:     http.MethodPost,
		URL:        ep.TokenURL(),
		Form:       form,
		Idempotent: form.Get("grant_type") != "authorization_code",
		What:       "token endpoint",
	})
	if err != nil {
		return nil, err
	}
	return ParseTokenResponse(body, c.now())
}

// Do sends call, retrying transient failures within the caller's context, and returns the body of
// a 2xx answer. A non-2xx answer is returned as *Error.
func (c *Client) Do(ctx context.Context, call Call) ([]byte, error) {
	retries := c.Retries
	if retries == 0 {
		retries = 2
	}
	for attempt := 0; ; attempt++ {
		body, header, err := c.attempt(ctx, call)
		if err == nil {
			return body, nil
		}
		if attempt >= retries || !call.Idempotent || !Transient(err) || ctx.Err() != nil {
			return nil, err
		}
		wait := backoff(attempt, header, c.now())
		// The deadline is on the wall clock, whatever clock c was given.
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return nil, fmt.Errorf("%w (not retried: the service asked to wait %s, longer than the time left)", err, wait.Round(time.Second))
		}
		c.log(ctx, "retrying", "what", call.What, "after", wait, "error", err)
		if sleepErr := c.sleep(ctx, wait); sleepErr != nil {
			return nil, fmt.Errorf("%w (retry abandoned: %w)", err, sleepErr)
		}
	}
}

// attempt sends call once. On failure it also returns the answer's headers, which may say when to
// try again.
func (c *Client) attempt(ctx context.Context, call Call) ([]byte, http.Header, error) {
	timeout := c.AttemptTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var body io.Reader
	if call.Form != nil {
		body = strings.NewReader(call.Form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, call.Method, call.URL, body)
	if err != nil {
		return nil, nil, fmt.Errorf("building request to %s: %w", call.What, err)
	}
	for k, vs := range call.Header {
		req.Header[k] = vs
	}
	if call.Form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}

	start := c.now()
	resp, err := c.httpClient().Do(req)
	if err != nil {
		unreachable := newUnreachable(call, req, err, c.httpClient().Transport)
		c.log(ctx, "request failed", "what", call.What, "method", call.Method, "url", unreachable.URL, "error", unreachable.Err)
		return nil, nil, unreachable
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	c.log(ctx, "request", "what", call.What, "method", call.Method, "url", redactURL(call.URL),
		"grant_type", call.Form.Get("grant_type"), "status", resp.StatusCode,
		"correlation_id", correlationID(resp.Header), "elapsed", c.now().Sub(start).Round(time.Millisecond))
	if err != nil {
		return nil, resp.Header, fmt.Errorf("%s %s: reading the answer: %w", call.What, redactURL(call.URL), err)
	}
	if len(data) > maxBody {
		return nil, resp.Header, fmt.Errorf("%s %s: the answer is larger than %d bytes", call.What, redactURL(call.URL), maxBody)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := ParseError(resp.StatusCode, resp.Header, data)
		e.Endpoint = call.What
		e.WWWAuthenticate = resp.Header.Values("Www-Authenticate")
		return nil, resp.Header, e
	}
	return data, nil, nil
}

// Transient reports whether err is worth another attempt later: throttling, a 5xx, or a failure
// to get an answer at all (a timeout, a refused or reset connection, an HTTP/2 stream reset).
// Cancellation is not, and neither is a server certificate that does not verify: trying again
// would only send the request to the same impostor.
func Transient(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Transient()
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	var t *UnreachableError
	if errors.As(err, &t) {
		return !certificateError(err)
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded)
}

// backoff is how long to wait before retry number attempt+1: what Retry-After says, else 1 s, 2 s,
// 4 s…, never more than a minute.
func backoff(attempt int, header http.Header, now time.Time) time.Duration {
	const ceiling = time.Minute
	if d, ok := retryAfter(header.Get("Retry-After"), now); ok {
		return min(d, ceiling)
	}
	return min(time.Second<<attempt, ceiling)
}

// retryAfter reads a Retry-After header in delta-seconds or HTTP-date form.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		return time.Duration(min(secs, 3600)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func (c *Client) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	c.defaultOnce.Do(func() { c.defaultHTTP = DefaultHTTPClient() })
	return c.defaultHTTP
}

// DefaultHTTPClient is the client Client uses when none is given: proxies from the environment,
// TLS 1.2 or later, bounded connection set-up, and no redirects.
func DefaultHTTPClient() *http.Client {
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// CurrentTime is the client's clock: Now, or the real time.
func (c *Client) CurrentTime() time.Time { return c.now() }

// Wait sleeps for d on the client's clock, or until ctx ends.
func (c *Client) Wait(ctx context.Context, d time.Duration) error { return c.sleep(ctx, d) }

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) log(ctx context.Context, msg string, args ...any) {
	if c.Log != nil {
		c.Log.DebugContext(ctx, msg, args...)
	}
}

// redactURL drops the query, which for managed-identity endpoints names identities and for
// GitHub's OIDC endpoint is not ours to print.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	u.RawQuery, u.User, u.Fragment = "", nil, ""
	return u.String()
}
