package azurecli

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/aadcred/aadcred/core/entra"
)

// tokenArgs builds az's command line. Every value is checked first: a value starting with "-"
// would be read by az as an option, and on Windows az is a batch file, whose arguments cmd.exe
// interprets; no resource, scope or tenant needs any of the characters refused here.
func tokenArgs(tenant, resource string, scopes []string) ([]string, error) {
	args := []string{"account", "get-access-token", "--output", "json"}
	if tenant != "" {
		if err := entra.ValidateTenant(tenant); err != nil {
			return nil, err
		}
		args = append(args, "--tenant", tenant)
	}
	switch {
	case resource != "" && len(scopes) > 0:
		return nil, errors.New("ask the Azure CLI for a resource or for scopes, not both")
	case resource != "":
		if err := checkArg("resource", resource); err != nil {
			return nil, err
		}
		args = append(args, "--resource", resource)
	case len(scopes) > 0:
		for _, s := range scopes {
			if err := checkArg("scope", s); err != nil {
				return nil, err
			}
		}
		args = append(args, "--scope")
		args = append(args, scopes...)
	default:
		return nil, errors.New("the Azure CLI needs a resource or at least one scope to ask a token for")
	}
	return args, nil
}

func checkArg(what, v string) error {
	if v == "" {
		return fmt.Errorf("empty %s", what)
	}
	if strings.HasPrefix(v, "-") {
		return fmt.Errorf("%s %q starts with '-'", what, v)
	}
	for _, r := range v {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`&|<>^%!"()`+"`", r) {
			return fmt.Errorf("%s %q contains %q, which cannot be passed to the Azure CLI safely", what, v, r)
		}
	}
	return nil
}
