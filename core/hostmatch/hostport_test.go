package hostmatch_test

import (
	"testing"

	"github.com/aadcred/aadcred/core/hostmatch"
)

func TestSplitHostPort(t *testing.T) {
	tests := []struct {
		in, host, port string
	}{
		{"dev.azure.com", "dev.azure.com", ""},
		{"dev.azure.com:443", "dev.azure.com", "443"},
		{"Git.Contoso.COM:8443", "Git.Contoso.COM", "8443"},
		{"dev.azure.com.", "dev.azure.com.", ""},
		{"127.0.0.1:65535", "127.0.0.1", "65535"},
		{"[::1]", "::1", ""},
		{"[::1]:8080", "::1", "8080"},
		{"[2001:db8::1]:1", "2001:db8::1", "1"},
		{"bücher.example", "bücher.example", ""},
	}
	for _, tt := range tests {
		host, port, err := hostmatch.SplitHostPort(tt.in)
		if err != nil || host != tt.host || port != tt.port {
			t.Errorf("SplitHostPort(%q) = %q, %q, %v; want %q, %q, nil", tt.in, host, port, err, tt.host, tt.port)
		}
	}
}

func TestSplitHostPortRejectsJunk(t *testing.T) {
	for _, in := range []string{
		"",
		":443",
		"host:",
		"host:0",
		"host:65536",
		"host:123456",
		"host:-1",
		"host:+443",
		"host:44 3",
		"host:https",
		"host:443:1",
		"::1",
		"2001:db8::1:443",
		"[::1",
		"[::1]443",
		"[::1]:",
		"[]:443",
		"[127.0.0.1]:443",
		"[fe80::1%eth0]:443",
		"[dev.azure.com]",
		"user@dev.azure.com",
		"dev.azure.com/org",
		"dev.azure.com?x",
		"dev.azure.com#x",
		`dev.azure.com\evil`,
		"dev.azure.com evil",
		"dev.azure.com\n",
		"dev.azure.com\x00",
		"host]:443",
	} {
		if host, port, err := hostmatch.SplitHostPort(in); err == nil {
			t.Errorf("SplitHostPort(%q) = %q, %q, nil; want an error", in, host, port)
		}
	}
}
