package acr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/core/wwwauth"
)

// maxAnswer bounds what is read from a registry: its answers here are a few KiB.
const maxAnswer = 1 << 20

// Exchanger trades Entra access tokens for ACR refresh tokens (REFERENCE.md 4.4). The zero
// value is usable.
type Exchanger struct {
	// HTTPClient sends the requests. Nil means entra.DefaultHTTPClient(): proxies from the
	// environment, TLS 1.2 or later, and no redirects, so that the token is never replayed to
	// another host.
	HTTPClient *http.Client
	// UserAgent is sent with every request.
	UserAgent string
	// AttemptTimeout bounds one HTTP attempt; the caller's context bounds the whole exchange.
	// Zero means 30 s.
	AttemptTimeout time.Duration
	// Log receives one debug line per request, never a token. Nil discards.
	Log *slog.Logger
	// Sleep waits between attempts; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// retries is how often a request that failed for a passing reason (throttling, a 5xx, a broken
// connection) is sent again.
const retries = 2

// Exchange asks registry (a canonical host that passed the allowlist) for an ACR refresh token
// in return for entraToken, an access token of tenant. It first reads the registry's challenge
// for its service name, and refuses a challenge whose realm is not https on the registry itself.
func (x *Exchanger) Exchange(ctx context.Context, registry, tenant, entraToken string) (string, error) {
	service, err := x.service(ctx, registry)
	if err != nil {
		return "", err
	}
	form := url.Values{
		"grant_type":   {"access_token"},
		"service":      {service},
		"access_token": {entraToken},
	}
	if tenant != "" {
		form.Set("tenant", tenant)
	}
	body, _, err := x.send(ctx, registry, "token exchange", func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+registry+"/oauth2/exchange", strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		return req, err
	}, http.StatusOK)
	if err != nil {
		return "", err
	}
	var answer struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.RefreshToken == "" {
		return "", fmt.Errorf("token exchange at %s: the answer holds no refresh_token", registry)
	}
	return answer.RefreshToken, nil
}

// service reads the registry's Bearer challenge at /v2/ and returns its service name.
func (x *Exchanger) service(ctx context.Context, registry string) (string, error) {
	_, header, err := x.send(ctx, registry, "challenge", func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, "https://"+registry+"/v2/", nil)
	}, http.StatusUnauthorized)
	if err != nil {
		return "", err
	}
	challenges, err := wwwauth.Parse(header.Values("Www-Authenticate"))
	if err != nil {
		return "", fmt.Errorf("challenge of %s: %w", registry, err)
	}
	for _, c := range challenges {
		if strings.EqualFold(c.Scheme, "Bearer") {
			return serviceFrom(c, registry)
		}
	}
	return "", fmt.Errorf("%s did not answer /v2/ with a Bearer challenge; is it an Azure Container Registry?", registry)
}

// serviceFrom checks that a Bearer challenge points back at the registry and returns its
// service. A realm elsewhere is refused: a hostile or misconfigured registry must not be able
// to steer where tokens go.
func serviceFrom(c wwwauth.Challenge, registry string) (string, error) {
	realm := c.Params["realm"]
	u, err := url.Parse(realm)
	if err != nil || u.Scheme != "https" || u.User != nil {
		return "", fmt.Errorf("%s's challenge names realm %q, which is not an https URL; refusing to send it a token", registry, realm)
	}
	host, err := Canonical(u.Host)
	if err != nil || !sameRegistry(host, registry) {
		return "", fmt.Errorf("%s's challenge names realm %q on another host; refusing to send a token there", registry, realm)
	}
	if s := c.Params["service"]; s != "" {
		return s, nil
	}
	return registry, nil
}

// sameRegistry reports whether a challenge's realm host belongs to registry: the registry
// itself, or, for a regional endpoint <name>.<region>.geo.azurecr.io, its login server
// <name>.azurecr.io.
func sameRegistry(realmHost, registry string) bool {
	if realmHost == registry {
		return true
	}
	labels := strings.Split(registry, ".")
	if len(labels) != 5 || labels[2] != "geo" || !IsLoginServer(registry) {
		return false
	}
	return realmHost == labels[0]+"."+labels[3]+"."+labels[4]
}

// send makes the request built by build, resending it after passing failures, and returns the
// body and headers of an answer with status want. Any other answer is a *ServiceError.
func (x *Exchanger) send(ctx context.Context, registry, what string, build func(context.Context) (*http.Request, error), want int) ([]byte, http.Header, error) {
	for attempt := 0; ; attempt++ {
		body, header, err := x.attempt(ctx, registry, what, build, want)
		if err == nil {
			return body, header, nil
		}
		if attempt >= retries || !transient(err) || ctx.Err() != nil {
			return nil, nil, err
		}
		wait := time.Second << attempt
		if d, ok := retryAfter(header); ok {
			wait = d
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return nil, nil, err
		}
		x.debug(ctx, "retrying", "what", what, "registry", registry, "after", wait, "error", err)
		if err := x.sleep(ctx, wait); err != nil {
			return nil, nil, fmt.Errorf("%s at %s: retry abandoned: %w", what, registry, err)
		}
	}
}

func (x *Exchanger) attempt(ctx context.Context, registry, what string, build func(context.Context) (*http.Request, error), want int) ([]byte, http.Header, error) {
	timeout := x.AttemptTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := build(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("%s at %s: building the request: %w", what, registry, err)
	}
	req.Header.Set("Accept", "application/json")
	if x.UserAgent != "" {
		req.Header.Set("User-Agent", x.UserAgent)
	}
	start := time.Now()
	resp, err := x.client().Do(req)
	if err != nil {
		x.debug(ctx, "request failed", "what", what, "registry", registry, "error", err)
		return nil, nil, fmt.Errorf("%s at %s: %w", what, registry, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	correlation := resp.Header.Get("X-Ms-Correlation-Request-Id")
	x.debug(ctx, "request", "what", what, "method", req.Method, "registry", registry, "status", resp.StatusCode,
		"correlation_id", correlation, "elapsed", time.Since(start).Round(time.Millisecond))
	switch {
	case err != nil:
		return nil, resp.Header, fmt.Errorf("%s at %s: reading the answer: %w", what, registry, err)
	case len(body) > maxAnswer:
		return nil, resp.Header, fmt.Errorf("%s at %s: the answer is larger than %d bytes", what, registry, maxAnswer)
	case resp.StatusCode != want:
		e := parseServiceError(body)
		e.Registry, e.What, e.StatusCode, e.CorrelationID = registry, what, resp.StatusCode, correlation
		if e.StatusCode >= 300 && e.StatusCode < 400 {
			e.Message = "the registry redirected to " + redactedLocation(resp.Header.Get("Location")) + ", which is not followed"
		}
		return nil, resp.Header, e
	}
	return body, resp.Header, nil
}

func (x *Exchanger) client() *http.Client {
	if x.HTTPClient != nil {
		return x.HTTPClient
	}
	return entra.DefaultHTTPClient()
}

func (x *Exchanger) sleep(ctx context.Context, d time.Duration) error {
	if x.Sleep != nil {
		return x.Sleep(ctx, d)
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

func (x *Exchanger) debug(ctx context.Context, msg string, args ...any) {
	if x.Log != nil {
		x.Log.DebugContext(ctx, msg, args...)
	}
}

// transient reports whether err may pass if the request is sent again: throttling, a 5xx, a
// timeout or a broken connection.
func transient(err error) bool {
	var e *ServiceError
	if errors.As(err, &e) {
		return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
	}
	return !errors.Is(err, context.Canceled) && entra.Transient(err)
}

// retryAfter reads a Retry-After of a few seconds; longer waits are not worth a credential
// helper's caller waiting.
func retryAfter(h http.Header) (time.Duration, bool) {
	secs, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil || secs < 0 || secs > 10 {
		return 0, false
	}
	return time.Duration(secs) * time.Second, true
}

// redactedLocation names where a redirect pointed without its query, which may carry anything.
func redactedLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || loc == "" {
		return "an unreadable location"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
