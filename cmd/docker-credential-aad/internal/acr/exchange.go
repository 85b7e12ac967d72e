package acr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/core/wwwauth"
)

// What a ServiceError says was asked of the registry.
const (
	whatChallenge = "challenge"
	whatExchange  = "token exchange"
)

// Exchanger trades Entra access tokens for ACR refresh tokens (REFERENCE.md 4.4). The zero
// value is usable.
type Exchanger struct {
	// Client sends the requests: bounded answers, per-attempt timeouts, retries after throttling,
	// 5xx and broken connections, and a debug line per request with the correlation ID. Its
	// HTTPClient must not follow redirects, so that the token is never replayed to another host.
	// Nil means one client for the Exchanger's life with entra.DefaultHTTPClient().
	Client *entra.Client

	once     sync.Once
	fallback *entra.Client
}

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
	body, err := x.client().Do(ctx, entra.Call{
		Method: http.MethodPost,
		URL:    "https://" + registry + "/oauth2/exchange",
		Form:   form,
		// The exchange creates nothing and spends nothing: sending the Entra token again after a
		// failure is as safe as the first time.
		Idempotent: true,
		What:       whatExchange,
	})
	if err != nil {
		return "", answerError(registry, whatExchange, err)
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
	_, err := x.client().Do(ctx, entra.Call{
		Method:     http.MethodGet,
		URL:        "https://" + registry + "/v2/",
		Idempotent: true,
		What:       whatChallenge,
	})
	var answer *entra.Error
	switch {
	case err == nil:
		return "", fmt.Errorf("%s answered /v2/ without asking for credentials; is it an Azure Container Registry?", registry)
	case !errors.As(err, &answer) || answer.StatusCode != http.StatusUnauthorized:
		return "", answerError(registry, whatChallenge, err)
	}
	challenges, err := wwwauth.Parse(answer.WWWAuthenticate)
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

// answerError names the registry in an error answer; a failure to get any answer already names
// the URL it was sent to.
func answerError(registry, what string, err error) error {
	var answer *entra.Error
	if errors.As(err, &answer) {
		return &ServiceError{Registry: registry, What: what, Answer: answer}
	}
	return err
}

func (x *Exchanger) client() *entra.Client {
	if x.Client != nil {
		return x.Client
	}
	x.once.Do(func() { x.fallback = &entra.Client{HTTPClient: entra.DefaultHTTPClient()} })
	return x.fallback
}
