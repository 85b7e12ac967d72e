package azurecli

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/aadcred/aadcred/core/entra"
)

// Query says which token to ask for.
type Query struct {
	// Tenant, when set, is the tenant to get the token in (az --tenant, azd --tenant-id).
	Tenant string
	// Subscription, when set, gets the token in that subscription's tenant (az --subscription;
	// azd has no such option).
	Subscription string
	// Resource (a v1 resource URI) or Scopes (v2): exactly one is given.
	Resource string
	Scopes   []string
}

// check refuses a query that names both or neither of a resource and scopes.
func (q Query) check() error {
	switch {
	case q.Resource != "" && len(q.Scopes) > 0:
		return errors.New("ask for a resource or for scopes, not both")
	case q.Resource == "" && len(q.Scopes) == 0:
		return errors.New("a resource or at least one scope is needed to ask a token for")
	}
	return nil
}

// tokenArgs builds az's command line. Every value is checked first: a value starting with "-"
// would be read by az as an option, and on Windows az is a batch file, whose arguments cmd.exe
// interprets; no resource, scope or tenant needs any of the characters refused here.
func tokenArgs(q Query) ([]string, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	args := []string{"account", "get-access-token", "--output", "json"}
	if q.Tenant != "" {
		if err := entra.ValidateTenant(q.Tenant); err != nil {
			return nil, err
		}
		args = append(args, "--tenant", q.Tenant)
	}
	if q.Subscription != "" {
		// Subscriptions may be named, and names may hold spaces.
		if err := checkArg("subscription", q.Subscription, " "); err != nil {
			return nil, err
		}
		args = append(args, "--subscription", q.Subscription)
	}
	if q.Resource != "" {
		if err := checkArg("resource", q.Resource, ""); err != nil {
			return nil, err
		}
		return append(args, "--resource", q.Resource), nil
	}
	for _, s := range q.Scopes {
		if err := checkArg("scope", s, ""); err != nil {
			return nil, err
		}
	}
	return append(append(args, "--scope"), q.Scopes...), nil
}

// developerTokenArgs builds azd's command line, checked as az's is. azd takes scopes only: a
// resource is asked for as its /.default scope.
func developerTokenArgs(q Query) ([]string, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	if q.Subscription != "" {
		return nil, errors.New("the Azure Developer CLI cannot get a token for a subscription: give a tenant instead")
	}
	scopes := q.Scopes
	if q.Resource != "" {
		scopes = []string{strings.TrimSuffix(q.Resource, "/") + "/.default"}
	}
	args := []string{"auth", "token", "--output", "json", "--no-prompt"}
	for _, s := range scopes {
		if err := checkArg("scope", s, ""); err != nil {
			return nil, err
		}
		args = append(args, "--scope", s)
	}
	if q.Tenant != "" {
		if err := entra.ValidateTenant(q.Tenant); err != nil {
			return nil, err
		}
		args = append(args, "--tenant-id", q.Tenant)
	}
	return args, nil
}

// checkArg refuses a value the command line could misread; allowed lists characters otherwise
// refused that this value may hold.
func checkArg(what, v, allowed string) error {
	if v == "" {
		return fmt.Errorf("empty %s", what)
	}
	if strings.HasPrefix(v, "-") {
		return fmt.Errorf("%s %q starts with '-'", what, v)
	}
	for _, r := range v {
		if strings.ContainsRune(allowed, r) {
			continue
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`&|<>^%!"()`+"`", r) {
			return fmt.Errorf("%s %q contains %q, which cannot be passed to the Azure CLI safely", what, v, r)
		}
	}
	return nil
}
