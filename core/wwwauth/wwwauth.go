// Package wwwauth parses WWW-Authenticate headers (RFC 9110 section 11.6.1) exactly: a realm
// in a challenge decides where a client sends a token, so a malformed header is an error, never
// a best guess.
package wwwauth

import (
	"errors"
	"fmt"
	"strings"
)

// Challenge is one authentication challenge of a WWW-Authenticate header (RFC 9110 section
// 11.6.1): a scheme and either auth-params or a token68.
type Challenge struct {
	Scheme string // as sent; compare with strings.EqualFold
	// Params maps lower-cased parameter names to their (unquoted) values.
	Params  map[string]string
	Token68 string
}

// Parse parses the values of WWW-Authenticate headers. Each value may hold several
// comma-separated challenges. A malformed value is an error rather than a best guess: the realm
// decides where a token goes, so it must be read exactly.
func Parse(values []string) ([]Challenge, error) { return parse(values, false) }

// ParseLenient is Parse for servers that send parameter values unquoted although they are not
// RFC 9110 tokens: Azure DevOps (authorization_uri=https://login.microsoftonline.com/<tenant>)
// and the Azure Arc agent (realm=/var/opt/azcmagent/tokens/<id>.key, or a Windows path). Such a
// bare value runs to the next comma or white space and is taken exactly as written; everything
// else is read as strictly as by Parse.
func ParseLenient(values []string) ([]Challenge, error) { return parse(values, true) }

func parse(values []string, bare bool) ([]Challenge, error) {
	var out []Challenge
	for _, v := range values {
		cs, err := parseChallengeList(v, bare)
		if err != nil {
			return nil, fmt.Errorf("malformed WWW-Authenticate header: %w", err)
		}
		out = append(out, cs...)
	}
	return out, nil
}

// challengeLexer walks one header value.
type challengeLexer struct {
	s    string
	pos  int
	bare bool // accept unquoted parameter values that are not tokens (ParseLenient)
}

func parseChallengeList(s string, bare bool) ([]Challenge, error) {
	l := &challengeLexer{s: s, bare: bare}
	var out []Challenge
	for {
		l.skipListSeparators()
		if l.done() {
			return out, nil
		}
		c, err := l.challenge()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
}

// challenge reads: auth-scheme [ 1*SP ( token68 / #auth-param ) ].
func (l *challengeLexer) challenge() (Challenge, error) {
	scheme := l.token()
	if scheme == "" {
		return Challenge{}, fmt.Errorf("expected an authentication scheme at offset %d", l.pos)
	}
	c := Challenge{Scheme: scheme}
	if l.done() || l.peek() == ',' {
		return c, nil
	}
	if !l.skipSpaces() {
		return Challenge{}, fmt.Errorf("unexpected %q after scheme %q", l.peek(), scheme)
	}
	if l.done() || l.peek() == ',' {
		return c, nil
	}
	if t, ok := l.token68(); ok {
		c.Token68 = t
		return c, nil
	}
	c.Params = map[string]string{}
	for {
		name, value, err := l.param()
		if err != nil {
			return Challenge{}, fmt.Errorf("challenge %q: %w", scheme, err)
		}
		if _, dup := c.Params[name]; dup {
			return Challenge{}, fmt.Errorf("challenge %q names %q twice", scheme, name)
		}
		c.Params[name] = value
		l.skipSpaces()
		if l.done() {
			return c, nil
		}
		if l.peek() != ',' {
			return Challenge{}, fmt.Errorf("challenge %q: unexpected %q after parameter %q", scheme, l.peek(), name)
		}
		// After a comma comes another parameter of this challenge, or the next challenge.
		save := l.pos
		l.skipListSeparators()
		if l.done() {
			return c, nil
		}
		if !l.paramFollows() {
			l.pos = save
			return c, nil
		}
	}
}

// param reads: token BWS "=" BWS ( token / quoted-string ).
func (l *challengeLexer) param() (name, value string, err error) {
	name = l.token()
	if name == "" {
		return "", "", fmt.Errorf("expected a parameter name at offset %d", l.pos)
	}
	l.skipSpaces()
	if l.done() || l.peek() != '=' {
		return "", "", fmt.Errorf("parameter %q has no value", name)
	}
	l.pos++
	l.skipSpaces()
	switch {
	case !l.done() && l.peek() == '"':
		value, err = l.quoted()
	case l.bare:
		if value = l.bareValue(); value == "" {
			err = fmt.Errorf("parameter %q has an empty or invalid value", name)
		}
	default:
		if value = l.token(); value == "" {
			err = fmt.Errorf("parameter %q has an empty or invalid value", name)
		}
	}
	return strings.ToLower(name), value, err
}

// paramFollows reports whether the input at the cursor is "token BWS =", without moving.
func (l *challengeLexer) paramFollows() bool {
	save := l.pos
	defer func() { l.pos = save }()
	if l.token() == "" {
		return false
	}
	l.skipSpaces()
	return !l.done() && l.peek() == '='
}

// token68 reads a token68 that makes up the rest of the challenge, if there is one.
func (l *challengeLexer) token68() (string, bool) {
	start := l.pos
	i := start
	for i < len(l.s) && isToken68Char(l.s[i]) {
		i++
	}
	if i == start {
		return "", false
	}
	for i < len(l.s) && l.s[i] == '=' {
		i++
	}
	j := i
	for j < len(l.s) && (l.s[j] == ' ' || l.s[j] == '\t') {
		j++
	}
	if j < len(l.s) && l.s[j] != ',' {
		return "", false // an auth-param ("name=value") or garbage
	}
	l.pos = j
	return l.s[start:i], true
}

// quoted reads a quoted-string, undoing quoted-pairs.
func (l *challengeLexer) quoted() (string, error) {
	start := l.pos
	l.pos++ // the opening quote
	var b strings.Builder
	for !l.done() {
		c := l.s[l.pos]
		switch {
		case c == '"':
			l.pos++
			return b.String(), nil
		case c == '\\':
			if l.pos+1 >= len(l.s) {
				return "", errors.New("quoted string ends with a lone backslash")
			}
			if isControl(l.s[l.pos+1]) {
				return "", fmt.Errorf("control character in quoted string at offset %d", l.pos+1)
			}
			b.WriteByte(l.s[l.pos+1])
			l.pos += 2
		case isControl(c):
			return "", fmt.Errorf("control character in quoted string at offset %d", l.pos)
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return "", fmt.Errorf("quoted string starting at offset %d is not closed", start)
}

// bareValue reads an unquoted value up to a comma or white space: visible ASCII only, and no
// quote, which would mean a value that is neither bare nor properly quoted.
func (l *challengeLexer) bareValue() string {
	start := l.pos
	for l.pos < len(l.s) {
		c := l.s[l.pos]
		if c <= ' ' || c >= 0x7f || c == ',' || c == '"' {
			break
		}
		l.pos++
	}
	return l.s[start:l.pos]
}

func (l *challengeLexer) token() string {
	start := l.pos
	for l.pos < len(l.s) && isTokenChar(l.s[l.pos]) {
		l.pos++
	}
	return l.s[start:l.pos]
}

// skipSpaces skips optional whitespace and reports whether there was any.
func (l *challengeLexer) skipSpaces() bool {
	start := l.pos
	for l.pos < len(l.s) && (l.s[l.pos] == ' ' || l.s[l.pos] == '\t') {
		l.pos++
	}
	return l.pos > start
}

// skipListSeparators skips whitespace and the empty list elements that RFC 9110 allows.
func (l *challengeLexer) skipListSeparators() {
	for l.pos < len(l.s) && (l.s[l.pos] == ' ' || l.s[l.pos] == '\t' || l.s[l.pos] == ',') {
		l.pos++
	}
}

func (l *challengeLexer) done() bool { return l.pos >= len(l.s) }
func (l *challengeLexer) peek() byte { return l.s[l.pos] }

// isControl reports the bytes that neither a quoted string nor a quoted pair may hold.
func isControl(c byte) bool { return c < ' ' && c != '\t' || c == 0x7f }

// isTokenChar reports the tchar of RFC 9110 section 5.6.2.
func isTokenChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isToken68Char(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-._~+/", c) >= 0
}
