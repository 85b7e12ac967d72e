package hostmatch

import (
	"errors"
	"fmt"
	"strings"
)

// Limits from RFC 1035 section 2.3.4, in the presentation form without the
// trailing dot.
const (
	maxNameLen  = 253
	maxLabelLen = 63
)

// Canonical turns a host name as a client wrote it into the one form
// aadcred compares and keys by: one trailing dot dropped and ASCII upper case
// lowered. It fails for anything that is not a valid ASCII DNS name (or
// dotted IPv4 address). Callers split off a port first (SplitHostPort).
func Canonical(host string) (string, error) { return normalizeName(host) }

// normalizeName turns a host as a client wrote it into the form patterns
// are compared with: one trailing dot dropped and ASCII upper case lowered.
// It fails for anything that is not a valid ASCII DNS name.
//
// Lowering is ASCII-only on purpose: strings.ToLower maps some non-ASCII
// runes onto ASCII letters (U+212A KELVIN SIGN becomes "k"), which would let
// a lookalike host compare equal to a trusted one.
func normalizeName(host string) (string, error) {
	for i := 0; i < len(host); i++ {
		if host[i] >= 0x80 {
			return "", errors.New("non-ASCII host name; write it in its ASCII (xn--) form")
		}
	}
	name := strings.TrimSuffix(lowerASCII(host), ".")
	if err := checkName(name); err != nil {
		return "", err
	}
	return name, nil
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// checkName accepts lower-case DNS names made of letters, digits and
// hyphens (which includes dotted IPv4 addresses).
func checkName(name string) error {
	if name == "" {
		return errors.New("empty host name")
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("host name is longer than %d characters", maxNameLen)
	}
	for label := range strings.SplitSeq(name, ".") {
		if err := checkLabel(label); err != nil {
			return err
		}
	}
	return nil
}

func checkLabel(label string) error {
	switch {
	case label == "":
		return errors.New("empty label in host name")
	case len(label) > maxLabelLen:
		return fmt.Errorf("label longer than %d characters in host name", maxLabelLen)
	case label[0] == '-' || label[len(label)-1] == '-':
		return fmt.Errorf("label %q starts or ends with '-'", label)
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return fmt.Errorf("character %q is not allowed in a host name", c)
		}
	}
	return nil
}

// isNumeric reports whether label has only digits. No top-level domain is
// numeric (RFC 3696 section 2), so such a label ends an IPv4 address.
func isNumeric(label string) bool {
	return strings.TrimLeft(label, "0123456789") == ""
}
