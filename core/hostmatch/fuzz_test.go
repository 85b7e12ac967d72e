package hostmatch_test

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/core/hostmatch"
)

// FuzzPatternMatch checks Match against an independent description of what
// a match means: whatever "*.suffix" matches really ends with "." + suffix
// after ASCII lower-casing, has a label in front of it, and is plain ASCII;
// whatever an exact pattern matches is that host; and ports agree.
func FuzzPatternMatch(f *testing.F) {
	seeds := [][2]string{
		{"*.azurecr.io", "contoso.azurecr.io"},
		{"*.azurecr.io", "contoso.azurecr.io.attacker.example"},
		{"*.azurecr.io", "xazurecr.io"},
		{"*.azurecr.io", "azurecr.io"},
		{"*.visualstudio.com", "evilvisualstudio.com"},
		{"*.visualstudio.com", "A.B.VisualStudio.com.:443"},
		{"dev.azure.com", "dev.azure.com.evil.example"},
		{"dev.azure.com", "DEV.AZURE.COM."},
		{"git.contoso.com:8443", "git.contoso.com:8443"},
		{"git.contoso.com:8443", "git.contoso.com"},
		{"kontoso.azurecr.io", "\u212Aontoso.azurecr.io"},
		{"*.azurecr.io", "[::1]:443"},
		{"*", "anything"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, host string) {
		p, err := hostmatch.ParsePattern(pattern)
		if err != nil {
			if p.Match(host) {
				t.Fatalf("the Pattern returned with an error matched %q", host)
			}
			return
		}
		if again, err := hostmatch.ParsePattern(p.String()); err != nil || again != p {
			t.Fatalf("ParsePattern(%q).String() = %q does not parse back to the same pattern: %v", pattern, p.String(), err)
		}
		matched := p.Match(host)
		if hostmatch.List([]hostmatch.Pattern{p}).Match(host) != matched {
			t.Fatalf("List and Pattern disagree on %q for %q", host, pattern)
		}
		if !matched {
			return
		}

		wantName, wantPort := splitPattern(pattern)
		h, port, err := hostmatch.SplitHostPort(host)
		if err != nil {
			t.Fatalf("%q matched %q, which SplitHostPort rejects: %v", pattern, host, err)
		}
		name := strings.ToLower(strings.TrimSuffix(h, "."))
		if strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") != "" || !isASCII(h) {
			t.Fatalf("%q matched %q, which is not an ASCII host name", pattern, host)
		}
		if suffix, ok := strings.CutPrefix(wantName, "*."); ok {
			label, ok := strings.CutSuffix(name, "."+suffix)
			if !ok || label == "" || strings.HasPrefix(label, ".") || strings.HasSuffix(label, ".") || strings.Contains(label, "..") {
				t.Fatalf("%q matched %q, which is not whole labels + %q", pattern, host, "."+suffix)
			}
		} else if name != wantName {
			t.Fatalf("%q matched a different host %q", pattern, host)
		}
		if portOrDefault(port) != portOrDefault(wantPort) {
			t.Fatalf("%q matched %q on another port", pattern, host)
		}
	})
}

// splitPattern lower-cases a valid pattern and splits off its port.
func splitPattern(pattern string) (name, port string) {
	name, port, _ = strings.Cut(strings.ToLower(pattern), ":")
	return strings.TrimSuffix(name, "."), port
}

func portOrDefault(port string) int {
	if port == "" {
		return 443
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return -1
	}
	return n
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// FuzzSplitHostPort checks that whatever SplitHostPort accepts it splits
// without loss, with a non-empty host and a valid port.
func FuzzSplitHostPort(f *testing.F) {
	for _, s := range []string{
		"dev.azure.com", "dev.azure.com:443", "[::1]:8080", "[::1]", "::1",
		"host:", ":443", "host:65536", "[fe80::1%eth0]:1", "a@b:1", "[::1]x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, port, err := hostmatch.SplitHostPort(s)
		if err != nil {
			return
		}
		if host == "" {
			t.Fatalf("SplitHostPort(%q) returned an empty host", s)
		}
		if port == "" {
			if s != host && s != "["+host+"]" {
				t.Fatalf("SplitHostPort(%q) = %q, \"\": lost part of the input", s, host)
			}
			return
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			t.Fatalf("SplitHostPort(%q) returned port %q", s, port)
		}
		if joined := net.JoinHostPort(host, port); joined != s {
			t.Fatalf("SplitHostPort(%q) = %q, %q, which joins to %q", s, host, port, joined)
		}
	})
}
