package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/aadcred/aadcred/cmd/docker-credential-aad/internal/acr"
	"github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/config"
	"github.com/aadcred/aadcred/core/entra"
)

// User names docker is given with an ACR refresh token.
const (
	// nullGUIDUser tells ACR that the password is an ACR refresh token; docker sends the pair as
	// basic credentials to the registry's token endpoint. Every registry client handles it.
	nullGUIDUser = "00000000-0000-0000-0000-000000000000"
	// identityTokenUser is docker's convention for an identity token, which docker redeems with
	// an OAuth refresh_token grant; some clients (Jib, rules_oci) cannot use it.
	identityTokenUser = "<token>"
)

// acrScope is the Entra scope of ACR's own audience, which every registry accepts.
const acrScope = core.ContainerRegistryResource + "/.default"

// helper is docker-credential-helpers' Helper over one run of the tool. The library's interface
// carries no context, so the helper holds the command's.
type helper struct {
	ctx           context.Context
	s             *cli.Session
	identityToken bool

	registries *acr.Provider // built on first use, once per process
}

// Get answers a registry that passed the allowlist with a refresh token for it, and every other
// host with "credentials not found", which docker takes as "go on anonymously".
func (h *helper) Get(serverURL string) (string, string, error) {
	host, plainHTTP, err := acr.ParseServerURL(serverURL)
	if err != nil {
		h.s.Log().Debug("not a registry this helper answers", "server_url", serverURL, "reason", err)
		return "", "", credentials.NewErrCredentialsNotFound()
	}
	if plainHTTP || !h.answers(host) {
		h.s.Log().Debug("not a registry this helper answers", "server_url", serverURL)
		return "", "", credentials.NewErrCredentialsNotFound()
	}
	cfg, err := h.s.Config()
	if err != nil {
		return "", "", err
	}
	req, err := h.entraRequest(cfg, host)
	if err != nil {
		return "", "", err
	}
	p, err := h.provider()
	if err != nil {
		return "", "", err
	}
	rt, err := p.RefreshToken(h.ctx, host, req)
	if err != nil {
		return "", "", err
	}
	return h.user(cfg), rt, nil
}

// answers reports whether host may get a token. Azure Container Registry login servers are known
// without the configuration file, which is read only for a host that may be one of the user's
// own registries (docker.registries). A broken file then means "not ours": as docker's
// credsStore the helper is asked about every registry, and must not break Docker Hub.
func (h *helper) answers(host string) bool {
	if acr.IsLoginServer(host) {
		return true
	}
	cfg, err := h.s.Config()
	if err != nil {
		h.s.Log().Warn(fmt.Sprintf("%v (so %s, which is not an Azure Container Registry login server, gets no credentials)", err, host))
		return false
	}
	return acr.Allowlist{Extra: cfg.Docker.Registries}.Allows(host)
}

// Add accepts what docker login stores and keeps nothing: tokens come from Entra ID, and a
// helper whose store fails makes docker login fail.
func (h *helper) Add(*credentials.Credentials) error {
	h.s.Log().Debug("store: ignored; tokens for registries come from the Entra ID sign-in")
	return nil
}

// Delete forgets the cached tokens of a registry, so that the next get exchanges a new one.
// docker logout calls it for host, http://host and https://host alike.
func (h *helper) Delete(serverURL string) error {
	host, _, err := acr.ParseServerURL(serverURL)
	if err != nil {
		return nil // nothing of ours can be cached under it
	}
	if _, err := h.s.Config(); err != nil {
		// The token store may be configured there, so it cannot be found; but while the file is
		// broken nothing is served either, and docker logout must go through.
		h.s.Log().Warn(fmt.Sprintf("%v (so cached tokens for %s, if any, were not dropped)", err, host))
		return nil
	}
	p, err := h.provider()
	if err != nil {
		return err
	}
	n, err := p.Forget(host)
	if err != nil {
		return err
	}
	h.s.Log().Debug("erase", "registry", host, "tokens_deleted", n)
	return nil
}

// List names the registries with a usable cached token. It reads the cache only and never fails:
// docker calls it on its credsStore for every build.
func (h *helper) List() (map[string]string, error) {
	out := map[string]string{}
	cfg, err := h.s.Config()
	if err != nil {
		h.s.Log().Warn(fmt.Sprintf("list: %v", err))
		return out, nil
	}
	p, err := h.provider()
	if err != nil {
		h.s.Log().Warn(fmt.Sprintf("list: %v", err))
		return out, nil
	}
	registries, err := p.Registries(h.ctx)
	if err != nil {
		h.s.Log().Warn(fmt.Sprintf("list: %v", err))
	}
	for _, r := range registries {
		out[r] = h.user(cfg)
	}
	return out, nil
}

func (h *helper) user(cfg *config.Config) string {
	if h.identityToken || cfg.Docker.IdentityToken {
		return identityTokenUser
	}
	return nullGUIDUser
}

// entraRequest is the Entra token request for registry: the session's sign-in settings, for the
// configured audience. docker says nothing about whether a person is watching, so the session
// decides (a terminal, CI).
func (h *helper) entraRequest(cfg *config.Config, registry string) (core.Request, error) {
	req, err := h.s.Request(cli.Inputs{Interactive: true, Purpose: "docker needs a token for registry " + registry + "."})
	if err != nil {
		return core.Request{}, err
	}
	scope, err := audienceScope(cfg.Docker.Audience, req.AuthorityHost)
	if err != nil {
		return core.Request{}, fmt.Errorf("%s: docker.audience: %w", cfg.File, err)
	}
	req.Target = core.Scope(scope)
	return req, nil
}

// audienceScope turns the configured audience into a v2 scope: ACR's audience by default, Azure
// Resource Manager's (of the cloud the authority belongs to) for "arm", else the URL given.
func audienceScope(audience, authorityHost string) (string, error) {
	switch {
	case audience == "":
		return acrScope, nil
	case audience == "arm":
		cloud, ok := core.CloudOfAuthority(authorityHost)
		if !ok {
			cloud, _ = core.LookupCloud("public")
		}
		return cloud.ARMEndpoint + ".default", nil
	case strings.HasSuffix(audience, "/.default"):
		return audience, nil
	case strings.HasPrefix(audience, "https://"):
		return strings.TrimRight(audience, "/") + "/.default", nil
	}
	return "", fmt.Errorf("%q is neither arm nor an https URL", audience)
}

// provider is the refresh-token cache over the session's store and token client. Its exchanger
// has the process's one HTTP client for registries, so that the challenge, the exchange and
// their retries share connections.
func (h *helper) provider() (*acr.Provider, error) {
	if h.registries != nil {
		return h.registries, nil
	}
	store, err := h.s.Store()
	if err != nil {
		return nil, err
	}
	client, err := h.s.Client()
	if err != nil {
		return nil, err
	}
	h.registries = &acr.Provider{
		Store:  store,
		Tokens: client,
		Exchanger: &acr.Exchanger{Client: &entra.Client{
			HTTPClient: entra.DefaultHTTPClient(),
			UserAgent:  h.s.UserAgent(),
			Log:        h.s.Log(),
		}},
		Log:    h.s.Log(),
		Notice: h.s.Env.Stderr,
	}
	return h.registries, nil
}
