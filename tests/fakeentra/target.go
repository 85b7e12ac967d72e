package fakeentra

import (
	"slices"
	"strings"
)

// target is what a request asks for: one resource and the permissions on it, plus the OpenID
// Connect extras.
type target struct {
	resource *Resource
	// audience names the resource as the request did; it is the aud of v1 tokens.
	audience string
	// bare is set when the request named Microsoft Graph's permissions without a resource, as in
	// "User.Read openid"; the answer names them the same way.
	bare bool
	// scopes are the delegated permission names granted on the resource.
	scopes []string
	// isDefault is set for "<resource>/.default".
	isDefault bool
	// openid, profile, email and offline record the OpenID Connect scopes asked for.
	openid, profile, email, offline bool
}

// oidcScopes may accompany any resource in a v2 scope.
var oidcScopes = []string{"openid", "profile", "email", "offline_access"}

// parseScope resolves a v2 scope parameter. A v2 request names one resource only (700022); a
// bare scope name is a Microsoft Graph permission; only OpenID scopes mean Microsoft Graph.
func (s *Server) parseScope(scope, tenant string) (target, error) {
	fields := strings.Fields(scope)
	if len(fields) == 0 {
		return target{}, errMissingParameter("scope")
	}
	var t target
	var names []string
	for _, f := range fields {
		switch strings.ToLower(f) {
		case "openid":
			t.openid = true
			continue
		case "profile":
			t.profile = true
			continue
		case "email":
			t.email = true
			continue
		case "offline_access":
			t.offline = true
			continue
		}
		identifier, name, bare := GraphAppID, f, true
		if i := strings.LastIndex(f, "/"); i >= 0 {
			identifier, name, bare = f[:i], f[i+1:], false
		}
		if identifier == "" || name == "" {
			return target{}, errInvalidScope(f)
		}
		r, ok := s.dir.resource(identifier)
		if !ok {
			return target{}, errResourceNotFound(identifier, tenant)
		}
		if t.resource != nil && t.resource.AppID != r.AppID {
			return target{}, errSeveralResources(scope)
		}
		if t.resource == nil {
			t.resource, t.audience, t.bare = r, identifier, bare
		}
		if name == ".default" {
			t.isDefault = true
		} else {
			names = append(names, name)
		}
	}
	if t.resource == nil {
		graph, _ := s.dir.resource(GraphAppID)
		t.resource, t.audience, t.bare = graph, GraphAppID, true
		for _, f := range fields {
			if l := strings.ToLower(f); l != "offline_access" {
				t.scopes = append(t.scopes, l)
			}
		}
		return t, nil
	}
	if t.isDefault && len(names) > 0 {
		return target{}, errInvalidScope(scope)
	}
	if t.isDefault {
		t.scopes = slices.Clone(t.resource.Scopes)
		return t, nil
	}
	for _, n := range names {
		i := slices.IndexFunc(t.resource.Scopes, func(s string) bool { return strings.EqualFold(s, n) })
		if i < 0 {
			return target{}, errInvalidScope(t.audience + "/" + n)
		}
		if !slices.Contains(t.scopes, t.resource.Scopes[i]) {
			t.scopes = append(t.scopes, t.resource.Scopes[i])
		}
	}
	if t.resource.AppID == GraphAppID {
		// openid, profile and email are Graph's own permissions: asked for, they are granted.
		for _, oidc := range []struct {
			on   bool
			name string
		}{{t.openid, "openid"}, {t.profile, "profile"}, {t.email, "email"}} {
			if oidc.on && !slices.Contains(t.scopes, oidc.name) {
				t.scopes = append(t.scopes, oidc.name)
			}
		}
	}
	return t, nil
}

// parseResource resolves a v1 resource parameter. The v1 endpoint grants every delegated
// permission of the resource and always answers with a refresh token; an ID token comes back
// when scope (which v1 otherwise ignores) asks for openid, as ADAL's requests do.
func (s *Server) parseResource(resource, scope, tenant string) (target, error) {
	if resource == "" {
		return target{}, errMissingParameter("resource")
	}
	r, ok := s.dir.resource(strings.TrimPrefix(resource, "spn:"))
	if !ok {
		return target{}, errResourceNotFound(resource, tenant)
	}
	openid := slices.ContainsFunc(strings.Fields(scope), func(s string) bool { return strings.EqualFold(s, "openid") })
	return target{resource: r, audience: resource, scopes: slices.Clone(r.Scopes), isDefault: true, openid: openid, offline: true}, nil
}

// grantedScope is the "scope" of a v2 answer to a user grant: the permissions granted on the
// resource, then the "<resource>/.default" that asked for them, each named with the resource as
// the request named it. OpenID Connect scopes are Microsoft Graph's permissions, so they appear
// only in Graph's answers, and bare there; offline_access is answered by the refresh token, not
// listed. (entra-docs v2-oauth-ropc.md and v2-oauth2-device-code.md answer "User.Read profile
// openid email"; an ARM answer reads "https://management.azure.com/user_impersonation
// https://management.azure.com/.default". MSAL refuses an answer that lacks a scope it asked
// for, the /.default one included.)
func (t target) grantedScope() string {
	prefix := t.audience + "/"
	if t.bare {
		prefix = ""
	}
	out := make([]string, 0, len(t.scopes)+1)
	for _, n := range t.scopes {
		if slices.Contains(oidcScopes, strings.ToLower(n)) {
			out = append(out, n)
		} else {
			out = append(out, prefix+n)
		}
	}
	if t.isDefault {
		out = append(out, prefix+".default")
	}
	return strings.Join(out, " ")
}
