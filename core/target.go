package core

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"

	"github.com/aadcred/aadcred/core/entra"
)

// Target is what a token is for: v2 scopes, or a v1 resource.
//
// On the v2 endpoint a Resource becomes the scope <resource>/.default, the way the Azure CLI turns
// --resource into a scope. On the v1 endpoint Scopes must name one resource, which is sent as
// resource=.
type Target struct {
	Scopes   []string
	Resource string
}

// Scope is a Target of one or more v2 scopes.
func Scope(scopes ...string) Target { return Target{Scopes: scopes} }

// Resource is a Target of one resource (an App ID URI or an application ID).
func Resource(resource string) Target { return Target{Resource: resource} }

// isOpenIDScope reports whether s asks for an ID token, a refresh token or profile claims; such
// scopes name no resource and are sent as they are.
func isOpenIDScope(s string) bool {
	switch strings.ToLower(s) {
	case "openid", "offline_access", "profile", "email":
		return true
	}
	return false
}

func (t Target) validate() error {
	switch {
	case t.Resource == "" && len(t.Scopes) == 0:
		return errors.New("no target: give a scope (for example https://management.azure.com/.default) or a resource")
	case t.Resource != "" && len(t.Scopes) > 0:
		return errors.New("give either scopes or a resource, not both")
	}
	for _, s := range append([]string{t.Resource}, t.Scopes...) {
		if strings.ContainsAny(s, " \t\r\n") {
			return fmt.Errorf("scope or resource %q contains white space: give each scope separately", s)
		}
	}
	return nil
}

// scopes is the v2 scope list: a Resource as <resource>/.default, and every scope without a path
// completed with /.default (with a warning, because it is a guess at what the caller meant).
func (t Target) scopes(log *slog.Logger) []string {
	if t.Resource != "" {
		return []string{t.Resource + "/.default"}
	}
	out := make([]string, 0, len(t.Scopes))
	for _, s := range t.Scopes {
		if !isOpenIDScope(s) && !hasScopePath(s) {
			log.Warn(fmt.Sprintf("scope %q names no permission; asking for %q", s, s+"/.default"))
			s += "/.default"
		}
		out = append(out, s)
	}
	return out
}

// hasScopePath reports whether a scope names a permission of a resource, as in
// https://graph.microsoft.com/User.Read, api://app/.default or <app-guid>/user_impersonation.
func hasScopePath(s string) bool {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
		return strings.Trim(u.Path, "/") != ""
	}
	if rest, ok := strings.CutPrefix(s, "api://"); ok {
		return strings.Contains(rest, "/")
	}
	return strings.Contains(s, "/")
}

// resource is the v1 resource: Resource, or the one resource that every non-OpenID scope names.
func (t Target) resource() (string, error) {
	if t.Resource != "" {
		return t.Resource, nil
	}
	var found string
	for _, s := range t.Scopes {
		if isOpenIDScope(s) {
			continue
		}
		r := scopeResource(s)
		if found != "" && r != found {
			return "", fmt.Errorf("the v1 endpoint takes one resource, but the scopes name %q and %q", found, r)
		}
		found = r
	}
	if found == "" {
		return "", errors.New("the v1 endpoint needs a resource, and the scopes name none")
	}
	return found, nil
}

// scopeResource is the resource part of a scope: everything before the last path segment.
func scopeResource(s string) string {
	if !hasScopePath(s) {
		return s
	}
	// https://management.core.windows.net//.default names https://management.core.windows.net/
	return s[:strings.LastIndex(s, "/")]
}

// String is the target as a person would write it on a command line.
func (t Target) String() string {
	if t.Resource != "" {
		return t.Resource
	}
	return strings.Join(t.Scopes, " ")
}

// apply puts the target into a token-endpoint form: scope= on v2 (with the OpenID scopes that a
// user sign-in needs), resource= on v1. A v1 user grant asks for openid too, as ADAL did, so
// that an ID token comes back there as well.
func (t Target) apply(form url.Values, v entra.Version, userSignIn bool, log *slog.Logger) error {
	if v == entra.V1 {
		r, err := t.resource()
		if err != nil {
			return err
		}
		form.Set("resource", r)
		if userSignIn {
			form.Set("scope", "openid")
		}
		return nil
	}
	scopes := t.scopes(log)
	if userSignIn {
		for _, s := range []string{"offline_access", "openid", "profile"} {
			if !slices.Contains(scopes, s) {
				scopes = append(scopes, s)
			}
		}
	}
	form.Set("scope", strings.Join(scopes, " "))
	return nil
}
