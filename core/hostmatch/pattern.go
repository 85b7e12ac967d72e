package hostmatch

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Pattern says which hosts may receive a token: one exact host name, or
// every host with one or more labels in front of a suffix ("*.suffix").
// A pattern may name a port ("git.contoso.com:8443"); one that names none
// matches only the https default (no port, or 443).
//
// The zero Pattern matches nothing.
type Pattern struct {
	name     string // lower-case ASCII host name, or the suffix after "*."
	wildcard bool
	port     int // 0 only in the zero Pattern
}

// ParsePattern parses "host", "host:port", "*.suffix" or "*.suffix:port".
// Upper case is lowered and a trailing dot dropped. It rejects schemes,
// paths, non-ASCII names (use the xn-- form), IPv6 addresses, any wildcard
// other than a leading "*.", and a wildcard over a whole top-level domain
// ("*.com") or over IP addresses ("*.0.1").
func ParsePattern(s string) (Pattern, error) {
	p, err := parsePattern(s)
	if err != nil {
		return Pattern{}, fmt.Errorf("%q is not a host name or *.suffix pattern: %w", s, err)
	}
	return p, nil
}

func parsePattern(s string) (Pattern, error) {
	switch {
	case s == "":
		return Pattern{}, errors.New("it is empty")
	case strings.Contains(s, "://"):
		return Pattern{}, errors.New("remove the scheme (\"https://\")")
	case strings.Contains(s, "/"):
		return Pattern{}, errors.New("remove the path")
	}
	rest, wildcard := strings.CutPrefix(s, "*.")
	if strings.Contains(rest, "*") {
		return Pattern{}, errors.New(`the only wildcard allowed is a leading "*." followed by a domain`)
	}
	host, port, err := splitHostPort(rest)
	if err != nil {
		return Pattern{}, err
	}
	if strings.Contains(host, ":") {
		return Pattern{}, errors.New("IPv6 addresses are not supported")
	}
	name, err := normalizeName(host)
	if err != nil {
		return Pattern{}, err
	}
	if wildcard {
		labels := strings.Split(name, ".")
		if len(labels) < 2 {
			return Pattern{}, errors.New("it would match every host in a top-level domain")
		}
		if isNumeric(labels[len(labels)-1]) {
			return Pattern{}, errors.New("a wildcard cannot cover IP addresses")
		}
	}
	return Pattern{name: name, wildcard: wildcard, port: portNumber(port)}, nil
}

// String returns the pattern in the form ParsePattern accepts, lower-cased,
// without a trailing dot, and without the port when it is the default 443.
func (p Pattern) String() string {
	s := p.name
	if p.wildcard {
		s = "*." + s
	}
	if p.port != defaultPort && p.port != 0 {
		s += ":" + strconv.Itoa(p.port)
	}
	return s
}

// Match reports whether host, as a client sent it ("host" or "host:port",
// any case, with or without a trailing dot), is covered by p.
// A host that is not a valid ASCII DNS name never matches.
func (p Pattern) Match(host string) bool {
	name, port, ok := normalizeHost(host)
	return ok && p.match(name, port)
}

func (p Pattern) match(name string, port int) bool {
	if port != p.port {
		return false
	}
	if !p.wildcard {
		return name == p.name
	}
	// normalizeName guarantees no empty labels, so any name longer than
	// ".suffix" that ends with it has at least one whole label before it.
	return len(name) > len(p.name)+1 &&
		strings.HasSuffix(name, p.name) &&
		name[len(name)-len(p.name)-1] == '.'
}

// normalizeHost splits and normalises a host as sent by a client.
func normalizeHost(host string) (name string, port int, ok bool) {
	h, portStr, err := splitHostPort(host)
	if err != nil {
		return "", 0, false
	}
	name, err = normalizeName(h)
	if err != nil {
		return "", 0, false
	}
	return name, portNumber(portStr), true
}
