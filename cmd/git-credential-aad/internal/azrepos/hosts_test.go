package azrepos_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/cmd/git-credential-aad/internal/azrepos"
	"github.com/aadcred/aadcred/core/hostmatch"
)

func TestHostsMatchOnlyAzureDevOps(t *testing.T) {
	extra, err := hostmatch.ParseList([]string{"git.contoso.example", "127.0.0.1:8443"})
	if err != nil {
		t.Fatal(err)
	}
	hosts := azrepos.Hosts{Extra: extra}
	for host, want := range map[string]bool{
		"dev.azure.com":                    true,
		"DEV.Azure.COM":                    true,
		"dev.azure.com:443":                true,
		"dev.azure.com.":                   true,
		"contoso.visualstudio.com":         true,
		"Contoso.VisualStudio.com":         true,
		"a.b.visualstudio.com":             true,
		"git.contoso.example":              true,
		"127.0.0.1:8443":                   true,
		"dev.azure.com:8443":               false,
		"dev.azure.com.evil.example":       false,
		"evildev.azure.com":                false,
		"evilvisualstudio.com":             false,
		"visualstudio.com":                 false,
		"contoso.visualstudio.com.evil.io": false,
		"github.com":                       false,
		"127.0.0.1":                        false,
		"127.0.0.1:8444":                   false,
		"":                                 false,
		"dev.azure.com/evil":               false,
		"user@dev.azure.com":               false,
		"dev.azure.com\u200b":              false,
	} {
		if got := hosts.Match(host); got != want {
			t.Errorf("Match(%q) = %v, want %v", host, got, want)
		}
	}
	if (azrepos.Hosts{}).Match("git.contoso.example") {
		t.Error("a host the user did not add matched")
	}
}

func TestOrganization(t *testing.T) {
	tests := []struct {
		host, path, username, want string
	}{
		{"dev.azure.com", "contoso/web/_git/web", "", "contoso"},
		{"dev.azure.com", "/contoso/web/_git/web", "other", "contoso"},
		{"dev.azure.com", "", "contoso", "contoso"},
		{"contoso.visualstudio.com", "DefaultCollection/web/_git/web", "x", "contoso"},
		{"Contoso.visualstudio.com:443", "", "", "Contoso"},
		{"git.contoso.example", "fabrikam/p/_git/r", "", "fabrikam"},
		{"dev.azure.com", "my-org_1.x/p", "", "my-org_1.x"},
	}
	for _, tt := range tests {
		got, err := azrepos.Organization(tt.host, tt.path, tt.username)
		if err != nil || got != tt.want {
			t.Errorf("Organization(%q, %q, %q) = %q, %v; want %q", tt.host, tt.path, tt.username, got, err, tt.want)
		}
	}
}

func TestOrganizationNeedsThePath(t *testing.T) {
	for _, username := range []string{"", "alice@contoso.com", "a b"} {
		_, err := azrepos.Organization("dev.azure.com", "", username)
		if !errors.Is(err, azrepos.ErrNoOrganization) {
			t.Errorf("username %q: err = %v, want ErrNoOrganization", username, err)
		}
	}
	if err := azrepos.ErrNoOrganization.Error(); !strings.Contains(err, "useHttpPath") || !strings.Contains(err, "git credential-aad configure") {
		t.Errorf("the error does not say how to fix it: %s", err)
	}
}

func TestOrganizationRefusesWhatIsNotAName(t *testing.T) {
	for _, path := range []string{"../x", "a%2Fb/x", "-org/x", "?x=1", ".", "x y/p", "org#frag/p"} {
		if org, err := azrepos.Organization("dev.azure.com", path, ""); err == nil {
			t.Errorf("path %q gave organization %q", path, org)
		}
	}
}
