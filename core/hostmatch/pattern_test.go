package hostmatch_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/core/hostmatch"
)

func mustParse(t *testing.T, s string) hostmatch.Pattern {
	t.Helper()
	p, err := hostmatch.ParsePattern(s)
	if err != nil {
		t.Fatalf("ParsePattern(%q): %v", s, err)
	}
	return p
}

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		pattern string
		host    string
		want    bool
	}{
		// Exact hosts.
		{"dev.azure.com", "dev.azure.com", true},
		{"dev.azure.com", "DEV.Azure.Com", true},
		{"dev.azure.com", "dev.azure.com.", true},
		{"dev.azure.com", "dev.azure.com:443", true},
		{"dev.azure.com", "dev.azure.com.:443", true},
		{"DEV.AZURE.COM.", "dev.azure.com", true},
		{"dev.azure.com", "dev.azure.com:8443", false},
		{"dev.azure.com", "dev.azure.com..", false},
		{"dev.azure.com", "dev.azure.com.evil.example", false},
		{"dev.azure.com", "evil.dev.azure.com", false},
		{"dev.azure.com", "xdev.azure.com", false},
		{"dev.azure.com", "dev.azure.co", false},
		{"dev.azure.com", "dev-azure.com", false},
		{"dev.azure.com", "", false},
		{"dev.azure.com", "user@dev.azure.com", false},
		{"dev.azure.com", "dev.azure.com/", false},
		{"dev.azure.com", "dev.azure.com:", false},
		{"dev.azure.com", " dev.azure.com", false},

		// Wildcards: one or more whole labels before the suffix.
		{"*.visualstudio.com", "contoso.visualstudio.com", true},
		{"*.visualstudio.com", "Contoso.VisualStudio.com.", true},
		{"*.visualstudio.com", "a.b.visualstudio.com", true},
		{"*.visualstudio.com", "visualstudio.com", false},
		{"*.visualstudio.com", ".visualstudio.com", false},
		{"*.visualstudio.com", "evilvisualstudio.com", false},
		{"*.visualstudio.com", "contoso.visualstudio.com.evil.example", false},
		{"*.visualstudio.com", "contoso..visualstudio.com", false},
		{"*.visualstudio.com", "contoso.visualstudio.co", false},
		{"*.azurecr.io", "contoso.azurecr.io", true},
		{"*.azurecr.io", "contoso-reg.westeurope.geo.azurecr.io", true},
		{"*.azurecr.io", "contoso.azurecr.io:443", true},
		{"*.azurecr.io", "contoso.azurecr.io:5000", false},
		{"*.azurecr.io", "contoso.azurecr.io.attacker.example", false},
		{"*.azurecr.io", "xazurecr.io", false},
		{"*.azurecr.io", "azurecr.io", false},
		{"*.azurecr.io", "contoso.azurecr.io.", true},
		{"*.azurecr.io", "-contoso.azurecr.io", false},
		{"*.azurecr.io", "contoso_x.azurecr.io", false},

		// Ports named by the pattern must match exactly.
		{"git.contoso.com:8443", "git.contoso.com:8443", true},
		{"git.contoso.com:8443", "GIT.contoso.com.:8443", true},
		{"git.contoso.com:8443", "git.contoso.com", false},
		{"git.contoso.com:8443", "git.contoso.com:443", false},
		{"git.contoso.com:8443", "git.contoso.com:08443", true},
		{"git.contoso.com:443", "git.contoso.com", true},
		{"*.contoso.example:5000", "reg.contoso.example:5000", true},
		{"*.contoso.example:5000", "reg.contoso.example", false},
		{"127.0.0.1:8443", "127.0.0.1:8443", true},
		{"127.0.0.1:8443", "127.0.0.2:8443", false},

		// Non-ASCII never matches, and is never lowered onto ASCII: U+212A
		// KELVIN SIGN lowers to "k" under Unicode rules.
		{"kontoso.azurecr.io", "\u212Aontoso.azurecr.io", false},
		{"*.azurecr.io", "\u212Aontoso.azurecr.io", false},
		{"*.azurecr.io", "contoso.azurecr.i\u1E4F", false},
		{"*.azurecr.io", "contoso\u3002azurecr.io", false}, // ideographic full stop
		{"xn--bcher-kva.example", "xn--bcher-kva.example", true},
		{"xn--bcher-kva.example", "bücher.example", false},

		// IPv6 hosts are never host names.
		{"dev.azure.com", "[::1]:443", false},
	}
	for _, tt := range tests {
		p := mustParse(t, tt.pattern)
		if got := p.Match(tt.host); got != tt.want {
			t.Errorf("ParsePattern(%q).Match(%q) = %v, want %v", tt.pattern, tt.host, got, tt.want)
		}
	}
}

func TestParsePatternRejects(t *testing.T) {
	tests := []struct {
		in      string
		wantMsg string
	}{
		{"", "empty"},
		{"*", "wildcard"},
		{"*.", "empty"},
		{"**.contoso.com", "wildcard"},
		{"*contoso.com", "wildcard"},
		{"git.*.contoso.com", "wildcard"},
		{"*.*.contoso.com", "wildcard"},
		{"git*.contoso.com", "wildcard"},
		{"*.com", "top-level domain"},
		{"*.0.1", "IP addresses"},
		{"https://dev.azure.com", "scheme"},
		{"dev.azure.com/org", "path"},
		{"dev.azure.com:0", "port"},
		{"dev.azure.com:99999", "port"},
		{"dev.azure.com:http", "port"},
		{"[::1]:443", "IPv6"},
		{"::1", "IPv6"},
		{"bücher.example", "xn--"},
		{"dev..azure.com", "empty label"},
		{".dev.azure.com", "empty label"},
		{"-dev.azure.com", "'-'"},
		{"dev_azure.com", "not allowed"},
		{"user@dev.azure.com", "'@'"},
		{" dev.azure.com", "space"},
		{strings.Repeat("a", 64) + ".example", "63"},
		{strings.Repeat("abcdefg.", 32) + "example", "253"},
	}
	for _, tt := range tests {
		_, err := hostmatch.ParsePattern(tt.in)
		if err == nil {
			t.Errorf("ParsePattern(%q) succeeded; want an error", tt.in)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.wantMsg) {
			t.Errorf("ParsePattern(%q) error %q does not mention %q", tt.in, msg, tt.wantMsg)
		}
		if !strings.HasPrefix(msg, strconv.Quote(tt.in)) {
			t.Errorf("ParsePattern(%q) error %q does not start with the pattern", tt.in, msg)
		}
	}
}

func TestPatternString(t *testing.T) {
	tests := map[string]string{
		"dev.azure.com":          "dev.azure.com",
		"DEV.Azure.com.":         "dev.azure.com",
		"*.AzureCR.io":           "*.azurecr.io",
		"git.contoso.com:8443":   "git.contoso.com:8443",
		"git.contoso.com:443":    "git.contoso.com",
		"*.contoso.example:5000": "*.contoso.example:5000",
	}
	for in, want := range tests {
		p := mustParse(t, in)
		if got := p.String(); got != want {
			t.Errorf("ParsePattern(%q).String() = %q, want %q", in, got, want)
		}
		if again := mustParse(t, p.String()); again != p {
			t.Errorf("ParsePattern(%q) does not round-trip through String: %#v != %#v", in, again, p)
		}
	}
}

func TestZeroPatternMatchesNothing(t *testing.T) {
	var p hostmatch.Pattern
	for _, host := range []string{"", ".", ":443", "dev.azure.com", "localhost"} {
		if p.Match(host) {
			t.Errorf("zero Pattern matched %q", host)
		}
	}
}
