package azrepos

import (
	"net/url"
	"strings"

	"github.com/aadcred/aadcred/core/entra"
)

// Organizations is the tenant of organisations backed by personal Microsoft accounts: Azure
// DevOps's pass-through for them needs the organizations authority, not common or consumers.
const Organizations = "organizations"

// challenge is one challenge of a WWW-Authenticate header.
type challenge struct {
	scheme string
	params map[string]string // names in lower case
}

// parseChallenges reads WWW-Authenticate header values (RFC 9110 11.6.1), each of which may hold
// several comma-separated challenges. It is lenient where servers are (an authorization_uri is
// often sent unquoted) and never fails: what it cannot read it skips.
func parseChallenges(values []string) []challenge {
	var out []challenge
	for _, v := range values {
		p := headerParser{s: v}
		var cur *challenge
		for {
			p.skip(" \t,")
			if p.done() {
				break
			}
			name := p.token()
			if name == "" {
				p.next() // not a token: skip the byte
				continue
			}
			p.skip(" \t")
			if p.peek() == '=' && cur != nil && !p.token68End() {
				p.next()
				p.skip(" \t")
				cur.params[strings.ToLower(name)] = p.value()
				continue
			}
			out = append(out, challenge{scheme: name, params: map[string]string{}})
			cur = &out[len(out)-1]
			// A token68 (as in "Negotiate abc==") stands alone after the scheme.
			if t := p.peekToken68(); t != "" {
				p.pos += len(t)
			}
		}
	}
	return out
}

// headerParser walks one header value.
type headerParser struct {
	s   string
	pos int
}

func (p *headerParser) done() bool { return p.pos >= len(p.s) }

func (p *headerParser) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.pos]
}

func (p *headerParser) next() { p.pos++ }

func (p *headerParser) skip(chars string) {
	for !p.done() && strings.IndexByte(chars, p.s[p.pos]) >= 0 {
		p.pos++
	}
}

// token reads an RFC 9110 token.
func (p *headerParser) token() string {
	start := p.pos
	for !p.done() && isTokenChar(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// token68End reports whether the '=' at the current position only pads a token68 ("abc==")
// rather than starting a parameter's value.
func (p *headerParser) token68End() bool {
	rest := strings.TrimLeft(p.s[p.pos:], "=")
	rest = strings.TrimLeft(rest, " \t")
	return rest == "" || rest[0] == ','
}

// peekToken68 returns the token68 at the current position, if that is what follows a scheme:
// token68 characters, optional '=' padding, then the end or a comma.
func (p *headerParser) peekToken68() string {
	rest := p.s[p.pos:]
	n := 0
	for n < len(rest) && isToken68Char(rest[n]) {
		n++
	}
	if n == 0 {
		return ""
	}
	for n < len(rest) && rest[n] == '=' {
		n++
	}
	after := strings.TrimLeft(rest[n:], " \t")
	if after != "" && after[0] != ',' {
		return "" // a parameter name, not a token68
	}
	return rest[:n]
}

// value reads a parameter value: a quoted string, or everything up to a comma or white space.
func (p *headerParser) value() string {
	if p.peek() != '"' {
		start := p.pos
		for !p.done() && p.s[p.pos] != ',' && p.s[p.pos] != ' ' && p.s[p.pos] != '\t' {
			p.pos++
		}
		return p.s[start:p.pos]
	}
	p.next()
	var b strings.Builder
	for !p.done() {
		c := p.s[p.pos]
		p.pos++
		switch {
		case c == '"':
			return b.String()
		case c == '\\' && !p.done():
			b.WriteByte(p.s[p.pos])
			p.pos++
		default:
			b.WriteByte(c)
		}
	}
	return b.String() // unterminated: take what there is
}

func isTokenChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isToken68Char(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/", c) >= 0
}

// TenantFromChallenges returns the tenant that a Bearer challenge's authorization_uri names
// (https://login.microsoftonline.com/<tenant>), or "" when no challenge names one.
func TenantFromChallenges(values []string) string {
	for _, c := range parseChallenges(values) {
		if !strings.EqualFold(c.scheme, "Bearer") {
			continue
		}
		if t := tenantFromAuthorityURI(c.params["authorization_uri"]); t != "" {
			return t
		}
	}
	return ""
}

// tenantFromAuthorityURI takes the tenant out of an authority URI. Only the tenant is used: the
// sign-in service stays the one aadcred is configured with, whatever host a server names.
func tenantFromAuthorityURI(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && entra.IsLoopback(u.Hostname()))) {
		return ""
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if entra.ValidateTenant(first) != nil || isZeroGUID(first) {
		return ""
	}
	return first
}

// TenantFromResourceHeader reads X-VSS-ResourceTenant: the first non-zero tenant GUID, or
// Organizations when the header names only the all-zero GUID of an organisation backed by
// personal Microsoft accounts, or "" when it names nothing usable.
func TenantFromResourceHeader(values []string) string {
	sawZero := false
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			item = strings.TrimSpace(item)
			switch {
			case !isGUID(item):
			case isZeroGUID(item):
				sawZero = true
			default:
				return strings.ToLower(item)
			}
		}
	}
	if sawZero {
		return Organizations
	}
	return ""
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func isZeroGUID(s string) bool { return s == "00000000-0000-0000-0000-000000000000" }
