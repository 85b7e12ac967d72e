package dbuskeyring

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// busAddress is one entry of a D-Bus server address list, such as
// "unix:path=/run/user/1000/bus" or "tcp:host=localhost,port=4000".
type busAddress struct {
	transport string
	params    map[string]string
}

// String returns the address in D-Bus notation, for messages.
func (a busAddress) String() string {
	switch a.transport {
	case "unix":
		if p, ok := a.params["path"]; ok {
			return "unix:path=" + p
		}
		return "unix:abstract=" + a.params["abstract"]
	default:
		return a.transport + ":host=" + a.params["host"] + ",port=" + a.params["port"]
	}
}

// network returns the arguments for net.Dial. ok is false for transports that
// Dial does not implement (nonce-tcp, launchd, systemd, ...), which it skips, as
// godbus skips those it does not know.
func (a busAddress) network() (network, address string, ok bool) {
	switch a.transport {
	case "unix":
		if p := a.params["path"]; p != "" {
			return "unix", p, true
		}
		if p := a.params["abstract"]; p != "" {
			// A leading @ selects the abstract socket namespace in Go's net package.
			return "unix", "@" + p, true
		}
		return "", "", false
	case "tcp":
		host, port := a.params["host"], a.params["port"]
		if host == "" || port == "" {
			return "", "", false
		}
		switch a.params["family"] {
		case "":
			network = "tcp"
		case "ipv4":
			network = "tcp4"
		case "ipv6":
			network = "tcp6"
		default:
			return "", "", false
		}
		return network, net.JoinHostPort(host, port), true
	default:
		return "", "", false
	}
}

// parseAddresses parses a D-Bus address list as found in DBUS_SESSION_BUS_ADDRESS:
// semicolon-separated "transport:key=value,key=value" entries with %-escaped values.
// The value comes from the environment, so anything malformed is an error, never a panic.
func parseAddresses(s string) ([]busAddress, error) {
	var out []busAddress
	for entry := range strings.SplitSeq(s, ";") {
		if entry == "" {
			continue
		}
		transport, rest, ok := strings.Cut(entry, ":")
		if !ok || transport == "" {
			return nil, fmt.Errorf("address %q has no transport", entry)
		}
		params := make(map[string]string)
		for pair := range strings.SplitSeq(rest, ",") {
			if pair == "" {
				continue
			}
			key, raw, ok := strings.Cut(pair, "=")
			if !ok || key == "" {
				return nil, fmt.Errorf("address %q: %q is not key=value", entry, pair)
			}
			value, err := unescape(raw)
			if err != nil {
				return nil, fmt.Errorf("address %q: value of %s: %w", entry, key, err)
			}
			params[key] = value
		}
		out = append(out, busAddress{transport: transport, params: params})
	}
	if len(out) == 0 {
		return nil, errors.New("no address")
	}
	return out, nil
}

// unescape decodes the %XX escapes that the D-Bus specification allows in values.
func unescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errors.New("truncated % escape")
		}
		hi, lo := unhex(s[i+1]), unhex(s[i+2])
		if hi < 0 || lo < 0 {
			return "", fmt.Errorf("bad %% escape %q", s[i:i+3])
		}
		b.WriteByte(byte(hi<<4 | lo))
		i += 2
	}
	return b.String(), nil
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
