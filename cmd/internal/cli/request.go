package cli

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/config"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/core/managedidentity"
)

// Inputs are the settings of a token request as a command received them: from its flags, or
// from what a tool's protocol said. Empty means "not given here", so that the environment, the
// configuration file and the defaults fill in, in that order.
type Inputs struct {
	Tenant        string
	ClientID      string
	Method        string
	AuthorityHost string
	Cloud         string
	Account       string

	Scopes   []string
	Resource string
	V1       bool

	ClientSecret        string
	Certificate         string
	CertificatePassword string
	FederatedTokenFile  string
	Username            string
	Password            string
	// ServiceConnectionID names the Azure Pipelines service connection of the azurepipelines
	// method; the running job's variables supply the rest.
	ServiceConnectionID string
	// Identity selects a user-assigned managed identity: a client ID, or an ARM resource ID
	// (/subscriptions/…), or object_id=<id>.
	Identity string
	// AssertionFile holds the incoming user token of the onbehalfof method, and RefreshTokenFile
	// the refresh token of the refreshtoken method; "-" is stdin. The tokens themselves are
	// never taken on the command line, where other users of the machine can read them.
	AssertionFile    string
	RefreshTokenFile string

	NoBrowser    bool
	NoCache      bool
	RedirectPort int
	// Timeout is the time a person has to finish signing in; SilentTimeout bounds everything
	// else (the cache, a refresh, an application's sign-in). Zero means core's defaults.
	Timeout       time.Duration
	SilentTimeout time.Duration

	// Interactive says a person may be asked, as far as the tool knows; the session adds its
	// own conditions (CI, a terminal). When it is false, NoPerson says why, for the error
	// (e.g. "kubectl's spec.interactive is false").
	Interactive bool
	NoPerson    string
	// Explicit says the person asked this command to sign them in (login, token --method
	// devicecode or browser): it goes ahead without a terminal, unless AADCRED_PROMPT=never.
	Explicit bool
	// Purpose says who asks and for what, at the head of the sign-in instructions.
	Purpose string
}

// Request turns inputs into a core request, resolving each setting from the inputs, then the
// environment (azidentity's variable names), then the configuration file, then the default.
func (s *Session) Request(in Inputs) (core.Request, error) {
	settings, err := s.Settings()
	if err != nil {
		return core.Request{}, err
	}
	env := s.Env.Getenv
	resolved := []config.Value{
		config.Resolve("tenant", in.Tenant, env("AZURE_TENANT_ID"), settings.Tenant, ""),
		config.Resolve("client_id", in.ClientID, env("AZURE_CLIENT_ID"), settings.ClientID, ""),
		config.Resolve("method", in.Method, env("AADCRED_METHOD"), settings.Method, string(core.Auto)),
		config.Resolve("account", in.Account, "", settings.LoginHint, ""),
	}
	tenant, clientID, methodName, account := resolved[0], resolved[1], resolved[2], resolved[3]
	authority, err := s.authority(in, settings)
	if err != nil {
		return core.Request{}, err
	}
	resolved = append(resolved, authority)
	for _, v := range resolved {
		if v.Source != config.SourceNone {
			s.Log().Debug("setting " + v.String())
		}
	}
	method, err := core.ParseMethod(methodName.Value)
	if err != nil {
		return core.Request{}, fmt.Errorf("%s: %w", methodName.Source, err)
	}

	req := core.Request{
		AuthorityHost: authority.Value,
		Tenant:        tenant.Value,
		ClientID:      clientID.Value,
		Target:        core.Target{Scopes: in.Scopes, Resource: in.Resource},
		Method:        method,
		Account:       account.Value,
		NoCache:       in.NoCache,
		Timeout:       in.SilentTimeout,
		Credential: core.Credential{
			ClientSecret:           cmp.Or(in.ClientSecret, env("AZURE_CLIENT_SECRET")),
			CertificatePath:        cmp.Or(in.Certificate, env("AZURE_CLIENT_CERTIFICATE_PATH")),
			CertificatePassword:    cmp.Or(in.CertificatePassword, env("AZURE_CLIENT_CERTIFICATE_PASSWORD")),
			SendCertificateChain:   truthy(env("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN")),
			FederatedTokenFile:     cmp.Or(in.FederatedTokenFile, env("AZURE_FEDERATED_TOKEN_FILE")),
			GitHubOIDCRequestURL:   env("ACTIONS_ID_TOKEN_REQUEST_URL"),
			GitHubOIDCRequestToken: env("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
			// An AzureCLI@2 or AzurePowerShell@5 task names its service connection; the job
			// gives its OIDC endpoint, and its access token where the step maps it in.
			AzurePipelinesServiceConnectionID: cmp.Or(in.ServiceConnectionID, env("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID")),
			AzurePipelinesOIDCRequestURI:      env("SYSTEM_OIDCREQUESTURI"),
			AzurePipelinesAccessToken:         env("SYSTEM_ACCESSTOKEN"),
			Username:                          cmp.Or(in.Username, env("AZURE_USERNAME")),
			Password:                          cmp.Or(in.Password, env("AZURE_PASSWORD")),
		},
	}
	if req.Interaction, err = s.interaction(in); err != nil {
		return core.Request{}, err
	}
	req.Interaction.RedirectPort = cmp.Or(in.RedirectPort, settings.RedirectPort)
	if in.V1 {
		req.Version = entra.V1
	}
	if err := s.readTokenFiles(&req, in); err != nil {
		return core.Request{}, err
	}
	if method == core.ManagedIdentity {
		// A managed identity is selected by --identity, else by AZURE_CLIENT_ID as azidentity does.
		id := in.Identity
		if id == "" && clientID.Source == config.SourceEnv {
			id = clientID.Value
		}
		if req.Credential.ManagedIdentity, err = parseIdentity(id); err != nil {
			return core.Request{}, err
		}
	}
	return req, nil
}

// readTokenFiles reads the incoming token that the onbehalfof or refreshtoken method redeems from
// the file its flag or variable names.
func (s *Session) readTokenFiles(req *core.Request, in Inputs) error {
	var what, path, variable string
	var into *string
	switch req.Method {
	case core.OnBehalfOf:
		what, path, variable, into = "incoming user token (assertion)", in.AssertionFile, "AADCRED_ASSERTION_FILE", &req.Credential.UserAssertion
	case core.RefreshToken:
		what, path, variable, into = "refresh token", in.RefreshTokenFile, "AADCRED_REFRESH_TOKEN_FILE", &req.Credential.RefreshToken
	default:
		return nil
	}
	path = cmp.Or(path, s.Env.Getenv(variable))
	if path == "" {
		flag := map[core.Method]string{core.OnBehalfOf: "--assertion-file", core.RefreshToken: "--refresh-token-file"}[req.Method]
		return fmt.Errorf("the %s method needs the %s: give %s FILE (- for stdin) or set %s", req.Method, what, flag, variable)
	}
	token, err := core.ReadSecretFile(what, path, s.Env.Stdin)
	if err != nil {
		return err
	}
	*into = token
	return nil
}

// authority resolves the authority host: an explicit host beats a cloud name at the same level.
func (s *Session) authority(in Inputs, settings config.Settings) (config.Value, error) {
	fromCloud := func(name string) (string, error) {
		if name == "" {
			return "", nil
		}
		c, err := core.LookupCloud(name)
		return c.AuthorityHost, err
	}
	flagCloud, err := fromCloud(in.Cloud)
	if err != nil {
		return config.Value{}, err
	}
	fileCloud, err := fromCloud(settings.Cloud)
	if err != nil {
		return config.Value{}, fmt.Errorf("configuration: %w", err)
	}
	v := config.Resolve("authority_host",
		cmp.Or(in.AuthorityHost, flagCloud),
		s.Env.Getenv("AZURE_AUTHORITY_HOST"),
		cmp.Or(settings.AuthorityHost, fileCloud),
		core.PublicAuthorityHost)
	if _, err := entra.ParseAuthority(v.Value); err != nil {
		return config.Value{}, fmt.Errorf("%s: %w", v.Source, err)
	}
	return v, nil
}

// parseIdentity reads a managed-identity selector: a client ID, an ARM resource ID, or
// client_id=, object_id=, resource_id= forms.
func parseIdentity(s string) (managedidentity.ID, error) {
	s = strings.TrimSpace(s)
	key, value, hasKey := strings.Cut(s, "=")
	switch {
	case s == "":
		return managedidentity.ID{}, nil
	case hasKey && key == "client_id":
		return managedidentity.ID{ClientID: value}, nil
	case hasKey && (key == "object_id" || key == "principal_id"):
		return managedidentity.ID{ObjectID: value}, nil
	case hasKey && (key == "resource_id" || key == "msi_res_id"):
		return managedidentity.ID{ResourceID: value}, nil
	case hasKey:
		return managedidentity.ID{}, fmt.Errorf("managed identity %q: use client_id=, object_id= or resource_id=", s)
	case strings.HasPrefix(s, "/subscriptions/"):
		return managedidentity.ID{ResourceID: s}, nil
	}
	return managedidentity.ID{ClientID: s}, nil
}
