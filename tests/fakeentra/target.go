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
		identifier, name := GraphAppID, f
		if i := strings.LastIndex(f, "/"); i >= 0 {
			identifier, name = f[:i], f[i+1:]
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
			t.resource, t.audience = r, identifier
		}
		if name == ".default" {
			t.isDefault = true
		} else {
			names = append(names, name)
		}
	}
	if t.resource == nil {
		graph, _ := s.dir.resource(GraphAppID)
		t.resource, t.audience = graph, GraphAppID
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
	return t, nil
}

// parseResource resolves a v1 resource parameter. The v1 endpoint grants every delegated
// permission of the resource and always answers with an ID token and a refresh token.
func (s *Server) parseResource(resource, tenant string) (target, error) {
	if resource == "" {
		return target{}, errMissingParameter("resource")
	}
	r, ok := s.dir.resource(strings.TrimPrefix(resource, "spn:"))
	if !ok {
		return target{}, errResourceNotFound(resource, tenant)
	}
	return target{resource: r, audience: resource, scopes: slices.Clone(r.Scopes), isDefault: true, openid: true, offline: true}, nil
}

// grantedScope is the v2 answer's "scope": the granted permissions, each prefixed with the
// resource as it was named (bare for Microsoft Graph), then the OpenID scopes granted.
func (t target) grantedScope(appOnly bool) string {
	prefix := t.audience + "/"
	if t.audience == GraphAppID {
		prefix = ""
	}
	if appOnly {
		return prefix + ".default"
	}
	var out []string
	for _, n := range t.scopes {
		if !slices.Contains(oidcScopes, n) {
			out = append(out, prefix+n)
		}
	}
	for _, extra := range []struct {
		on   bool
		name string
	}{{t.openid, "openid"}, {t.profile, "profile"}, {t.email, "email"}, {t.offline, "offline_access"}} {
		if extra.on {
			out = append(out, extra.name)
		}
	}
	return strings.Join(out, " ")
}
