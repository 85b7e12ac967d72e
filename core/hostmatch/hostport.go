package hostmatch

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// SplitHostPort splits "host", "host:port" or "[ipv6]" and "[ipv6]:port"
// into the host (without brackets, as written) and the port ("" when absent).
//
// Unlike net.SplitHostPort it accepts a missing port, and it rejects what
// has no place in the host part of a URL: an empty host, a bare IPv6 address,
// stray brackets, a user name, a path, whitespace, or a port that is not a
// decimal number from 1 to 65535.
func SplitHostPort(s string) (host, port string, err error) {
	host, port, err = splitHostPort(s)
	if err != nil {
		return "", "", fmt.Errorf("%q: %w", s, err)
	}
	return host, port, nil
}

// splitHostPort is SplitHostPort with errors that do not repeat s, for
// callers that already name it.
func splitHostPort(s string) (host, port string, err error) {
	if s == "" {
		return "", "", errors.New("empty host")
	}
	if strings.HasPrefix(s, "[") {
		return splitBracketed(s)
	}
	host, port, hasPort := strings.Cut(s, ":")
	if strings.Contains(port, ":") {
		return "", "", errors.New("an IPv6 address must be written in brackets")
	}
	if err := checkHostChars(host); err != nil {
		return "", "", err
	}
	if hasPort {
		if err := checkPort(port); err != nil {
			return "", "", err
		}
	}
	return host, port, nil
}

func splitBracketed(s string) (host, port string, err error) {
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return "", "", errors.New("missing ']'")
	}
	host, rest := s[1:end], s[end+1:]
	addr, err := netip.ParseAddr(host)
	if err != nil || !addr.Is6() || addr.Zone() != "" {
		return "", "", fmt.Errorf("%q in brackets is not an IPv6 address without a zone", host)
	}
	if rest == "" {
		return host, "", nil
	}
	port, ok := strings.CutPrefix(rest, ":")
	if !ok {
		return "", "", fmt.Errorf("unexpected %q after ']'", rest)
	}
	if err := checkPort(port); err != nil {
		return "", "", err
	}
	return host, port, nil
}

// checkHostChars rejects the characters that would make the host part of a
// URL mean something else. It deliberately allows non-ASCII and upper case:
// whether such a host matches is for Pattern.Match to decide.
func checkHostChars(host string) error {
	if host == "" {
		return errors.New("empty host")
	}
	for _, r := range host {
		switch {
		case r <= ' ' || r == 0x7f:
			return errors.New("host contains a space or control character")
		case strings.ContainsRune("/\\@?#[]", r):
			return fmt.Errorf("host contains %q", r)
		}
	}
	return nil
}

func checkPort(port string) error {
	if port == "" {
		return errors.New("empty port")
	}
	if len(port) > 5 || strings.TrimLeft(port, "0123456789") != "" {
		return fmt.Errorf("port %q is not a number from 1 to 65535", port)
	}
	n, _ := strconv.Atoi(port) // at most five digits: cannot fail
	if n < 1 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 1 to 65535", port)
	}
	return nil
}

// portNumber returns the numeric port, with "" meaning the https default.
// port must have passed checkPort.
func portNumber(port string) int {
	if port == "" {
		return defaultPort
	}
	n, _ := strconv.Atoi(port)
	return n
}

// defaultPort is the https port that a host without an explicit port uses.
const defaultPort = 443
