package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/aadcred/aadcred/core/azurecli"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/core/managedidentity"
	"github.com/aadcred/aadcred/core/pop"
)

// Client obtains tokens. The zero value works: no cache, the real environment, the default HTTP
// client. A Client is safe for concurrent use.
type Client struct {
	// HTTPClient sends every request to Entra ID, managed-identity and GitHub OIDC endpoints.
	// Nil means entra.DefaultHTTPClient().
	HTTPClient *http.Client
	// UserAgent is sent with every request.
	UserAgent string
	// Log receives warnings and, at debug level, one line per request. It never receives a
	// secret. Nil discards.
	Log *slog.Logger
	// Getenv reads the environment (managed-identity endpoints, GitHub OIDC, the Azure CLI's
	// configuration). Nil means os.Getenv.
	Getenv func(string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Store keeps tokens and signed-in accounts between processes; nil disables caching.
	Store Store
	// AzureCLI runs az for the azurecli method; nil means az from PATH.
	AzureCLI *azurecli.Runner
	// AzureDeveloperCLI runs azd for the azd method; nil means azd from PATH.
	AzureDeveloperCLI *azurecli.DeveloperRunner

	initOnce sync.Once
	http     *http.Client

	popMu     sync.Mutex // guards popMemory
	popMemory *pop.Key   // the PoP key when there is no Store
}

// Acquire returns a token for req: a cached one when it is valid, else a refreshed one, else one
// from req's method. It is the one path to a token.
func (c *Client) Acquire(ctx context.Context, req Request) (*Token, error) {
	r, err := settle(req, c.getenv)
	if err != nil {
		return nil, err
	}
	if !r.Method.interactive() {
		var cancel context.CancelFunc
		ctx, cancel = r.silentContext(ctx)
		defer cancel()
	}
	if r.PoP != nil {
		if r.popKey, err = c.popKey(ctx); err != nil {
			return nil, timedOut(ctx, err)
		}
	}
	tok, err := c.acquire(ctx, r)
	if err != nil {
		return nil, timedOut(ctx, err)
	}
	if r.IDToken && tok.IDToken == "" {
		return nil, errors.New("the service sent no ID token with this token")
	}
	if r.popKey == nil {
		return tok, nil
	}
	return c.signedRequest(r, tok)
}

func (c *Client) acquire(ctx context.Context, r *settled) (*Token, error) {
	switch {
	case c.Store == nil:
		return c.obtain(ctx, r)
	case r.NoCache && r.Method.userSignIn():
		// Only the access-token cache is skipped: the kept sign-in is still what a user's token
		// comes from, so that --no-cache never asks the person again.
		tok, _, err := c.renewUser(ctx, r)
		return tok, err
	case r.NoCache:
		return c.obtain(ctx, r)
	}
	return c.cached(ctx, r)
}

// obtain runs the request's (resolved) method, with no cache involved.
func (c *Client) obtain(ctx context.Context, r *settled) (*Token, error) {
	switch r.Method {
	case Browser:
		return c.browser(ctx, r)
	case DeviceCode:
		return c.deviceCode(ctx, r)
	case ClientSecret, ClientCert, WorkloadIdentity, AzurePipelines:
		return c.clientCredentials(ctx, r)
	case Password:
		return c.password(ctx, r)
	case OnBehalfOf:
		return c.onBehalfOf(ctx, r)
	case RefreshToken:
		return c.refreshToken(ctx, r, r.Credential.RefreshToken, r.endpoint)
	case ManagedIdentity:
		return c.managedIdentity(ctx, r)
	case AzureCLI:
		return c.azureCLI(ctx, r)
	case AzureDeveloperCLI:
		return c.azureDeveloperCLI(ctx, r)
	}
	return nil, fmt.Errorf("method %q cannot be run directly", r.Method)
}

// redeem posts a grant to the token endpoint. Every grant goes through here, so the claims
// challenge and the answer's labelling are handled once.
func (c *Client) redeem(ctx context.Context, r *settled, ep entra.Endpoint, form url.Values) (*Token, error) {
	if r.Claims != "" {
		form.Set("claims", r.Claims)
	}
	if ep.Version == entra.V2 {
		form.Set("client_info", "1")
	}
	r.bindKey(form)
	tr, err := c.entra().Token(ctx, ep, form)
	if err != nil {
		return nil, err
	}
	tok := newToken(tr)
	return tok, r.checkBound(tok)
}

func (c *Client) entra() *entra.Client {
	c.initOnce.Do(func() {
		c.http = c.HTTPClient
		if c.http == nil {
			c.http = entra.DefaultHTTPClient()
		}
	})
	return &entra.Client{HTTPClient: c.http, UserAgent: c.UserAgent, Log: c.Log, Now: c.Now}
}

func (c *Client) managedIdentityClient() *managedidentity.Client {
	return &managedidentity.Client{Entra: c.entra(), Getenv: c.getenv}
}

func (c *Client) getenv(name string) string {
	if c.Getenv != nil {
		return c.Getenv(name)
	}
	return os.Getenv(name)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// log never returns nil, so that callers can warn without checking.
func (c *Client) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.New(slog.DiscardHandler)
}
