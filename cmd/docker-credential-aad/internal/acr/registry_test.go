package acr

import (
	"testing"

	"github.com/aadcred/aadcred/core/hostmatch"
)

func TestParseServerURL(t *testing.T) {
	for _, tc := range []struct {
		in        string
		host      string
		plainHTTP bool
	}{
		{"contoso.azurecr.io", "contoso.azurecr.io", false},
		{"  Contoso.AzureCR.io.\n", "contoso.azurecr.io", false},
		{"contoso.azurecr.io:443", "contoso.azurecr.io", false},
		{"https://contoso.azurecr.io", "contoso.azurecr.io", false},
		{"https://contoso.azurecr.io/v2/", "contoso.azurecr.io", false},
		{"HTTPS://contoso.azurecr.io:443/", "contoso.azurecr.io", false},
		{"contoso.azurecr.io/team/app", "contoso.azurecr.io", false},
		{"http://contoso.azurecr.io", "contoso.azurecr.io", true},
		{"127.0.0.1:5000", "127.0.0.1:5000", false},
		{"https://127.0.0.1:05000/v2/", "127.0.0.1:5000", false},
		{"https://index.docker.io/v1/", "index.docker.io", false},
	} {
		host, plain, err := ParseServerURL(tc.in)
		if err != nil || host != tc.host || plain != tc.plainHTTP {
			t.Errorf("ParseServerURL(%q) = %q, %v, %v; want %q, %v", tc.in, host, plain, err, tc.host, tc.plainHTTP)
		}
	}
}

func TestParseServerURLRejects(t *testing.T) {
	for _, in := range []string{
		"", "   ", "ftp://contoso.azurecr.io", "https://user:pw@contoso.azurecr.io", "https://",
		"[::1]:5000", "contoso.azurecr.io:0", "contoso.azurecr.io:99999", "con toso.azurecr.io",
		"contoso_.azurecr.io", "-contoso.azurecr.io", "contoso..azurecr.io", "contoso.azurecr.io:https",
		"cöntoso.azurecr.io", "contoso.azurecr.io@evil.example",
	} {
		if host, _, err := ParseServerURL(in); err == nil {
			t.Errorf("ParseServerURL(%q) = %q, want an error", in, host)
		}
	}
}

func TestAllowlist(t *testing.T) {
	extra, err := hostmatch.ParseList([]string{"registry.contoso.example", "*.acr.contoso.example", "127.0.0.1:5000", "*.data.azurecr.io", "mcr.microsoft.com"})
	if err != nil {
		t.Fatal(err)
	}
	allow := Allowlist{Extra: extra}
	for host, want := range map[string]bool{
		// ACR login servers in each cloud, and regional endpoints.
		"contoso.azurecr.io":            true,
		"my-registry-01.azurecr.cn":     true,
		"contoso.azurecr.us":            true,
		"contoso.eastus.geo.azurecr.io": true,
		"abcde.azurecr.io":              true,
		"a2345678901234567890123456789012345678901234567890.azurecr.io": true,
		// Not login servers.
		"abcd.azurecr.io": false, // names have at least 5 characters
		"a23456789012345678901234567890123456789012345678901.azurecr.io": false,
		"azurecr.io":                    false,
		"a.b.contoso.azurecr.io":        false,
		"contoso.eastus.xyz.azurecr.io": false,
		"contoso.azurecr.io:5000":       false, // login servers listen on 443 only
		"contoso.azurecr.com":           false,
		// Lookalikes (GO-2026-6225).
		"contoso.azurecr.io.attacker.example": false,
		"contosoazurecr.io":                   false,
		"evilazurecr.io":                      false,
		// Data endpoints and MCR, even when the configuration names them.
		"contoso.eastus.data.azurecr.io": false,
		"x.data.azurecr.io":              false,
		"mcr.microsoft.com":              false,
		// The user's own hosts, port and all.
		"registry.contoso.example":     true,
		"eu.acr.contoso.example":       true,
		"acr.contoso.example":          false,
		"127.0.0.1:5000":               true,
		"127.0.0.1:5001":               false,
		"registry.contoso.example:444": false,
		"index.docker.io":              false,
	} {
		if got := allow.Allows(host); got != want {
			t.Errorf("Allows(%q) = %v, want %v", host, got, want)
		}
	}
	if (Allowlist{}).Allows("registry.contoso.example") {
		t.Error("an empty allowlist answered a host that is not an ACR login server")
	}
}

// FuzzParseServerURL feeds any server URL docker may pass: what is accepted is a canonical host,
// and a login server is never one of the hosts that must get nothing.
func FuzzParseServerURL(f *testing.F) {
	for _, seed := range []string{
		"contoso.azurecr.io", "https://Contoso.AzureCR.io:443/v2/", "contoso.azurecr.io/team/app",
		"http://[::1]:5000", "https://user@contoso.azurecr.io", "x.data.azurecr.io", "mcr.microsoft.com.",
		"contoso.eastus.geo.azurecr.io", "127.0.0.1:05000",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, serverURL string) {
		host, _, err := ParseServerURL(serverURL)
		if err != nil {
			return
		}
		if again, err := Canonical(host); err != nil || again != host {
			t.Fatalf("ParseServerURL(%q) = %q, which is not canonical (%q, %v)", serverURL, host, again, err)
		}
		if IsLoginServer(host) && NeverAnswered(host) != "" {
			t.Fatalf("%q is both a login server and a host that gets nothing", host)
		}
	})
}
