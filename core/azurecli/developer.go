package azurecli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// DeveloperRunner runs the Azure Developer CLI (azd). Its fields mean for azd what Runner's mean
// for az: Path is azd's executable (empty: azd on PATH), and Account reads AZD_CONFIG_DIR and
// HOME. The zero value runs azd from PATH in the current environment.
type DeveloperRunner Runner

// azdConfigFile is where azd keeps its settings, the signed-in account among them.
const azdConfigFile = "config.json"

// Token asks azd (`azd auth token`) for the access token q describes.
func (r *DeveloperRunner) Token(ctx context.Context, q Query) (*Token, error) {
	args, err := developerTokenArgs(q)
	if err != nil {
		return nil, err
	}
	out, err := (*Runner)(r).run(ctx, azdProgram(), args, q.Tenant)
	if err != nil {
		return nil, err
	}
	tok, err := ParseDeveloper(out)
	if err != nil {
		return nil, fmt.Errorf("reading the Azure Developer CLI's answer: %w", err)
	}
	return tok, nil
}

// Account returns a fingerprint of the account azd is signed in with, read from its config.json
// as Runner.Account reads az's profile: `azd auth login` and `azd auth logout` change it. It is ""
// when azd is not signed in.
func (r *DeveloperRunner) Account() (string, error) {
	return (*Runner)(r).fingerprint(azdProgram(), "AZD_CONFIG_DIR", ".azd", azdConfigFile, fingerprintDeveloperConfig)
}

// fingerprintDeveloperConfig hashes azd's signed-in account: a user's home account ID, or an
// application's client and tenant, and whether azd defers to az.
func fingerprintDeveloperConfig(data []byte) (string, error) {
	if len(data) == 0 {
		return "", nil
	}
	var cfg struct {
		Auth struct {
			UseAzCLIAuth any `json:"useAzCliAuth"`
			Account      struct {
				CurrentUser *struct {
					HomeAccountID string `json:"homeAccountId"`
					ClientID      string `json:"clientId"`
					TenantID      string `json:"tenantId"`
					FromOneAuth   any    `json:"fromOneAuth"`
				} `json:"currentUser"`
			} `json:"account"`
		} `json:"auth"`
		Defaults struct {
			Subscription string `json:"subscription"`
		} `json:"defaults"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return "", errors.New("not the JSON azd writes")
	}
	u := cfg.Auth.Account.CurrentUser
	if u == nil {
		return "", nil
	}
	return hashFields(u.HomeAccountID, u.ClientID, u.TenantID, fmt.Sprint(u.FromOneAuth),
		fmt.Sprint(cfg.Auth.UseAzCLIAuth), cfg.Defaults.Subscription), nil
}

// ParseDeveloper reads the JSON that `azd auth token --output json` prints: the token and its
// expiry (expiresOn, RFC 3339). Errors name fields but never quote the output, which holds the
// token.
func ParseDeveloper(output []byte) (*Token, error) {
	var answer struct {
		Token     string `json:"token"`
		ExpiresOn string `json:"expiresOn"`
	}
	if err := json.Unmarshal(output, &answer); err != nil {
		return nil, fmt.Errorf("the Azure Developer CLI's output is not a JSON object (%d bytes)", len(output))
	}
	if answer.Token == "" {
		return nil, errors.New("the Azure Developer CLI's output has no token")
	}
	expires, err := time.Parse(time.RFC3339, answer.ExpiresOn)
	if err != nil {
		return nil, errors.New("the Azure Developer CLI's expiresOn is not an RFC 3339 time")
	}
	return &Token{AccessToken: answer.Token, TokenType: "Bearer", ExpiresOn: expires}, nil
}
