package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/core/config"
)

func parse(t *testing.T, in string) *config.Config {
	t.Helper()
	c, err := config.Parse("config.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const profilesExample = `
tenant: contoso.com
client_id: top-app
method: browser
authority_host: https://login.microsoftonline.com
login_hint: alice@contoso.com
redirect_port: 8400
profiles:
  ci: {method: workloadidentity, client_id: ci-app}
  gov: {tenant: contoso.us, cloud: usgovernment}
  local: {authority_host: "https://127.0.0.1:9999"}
`

func TestProfileMerges(t *testing.T) {
	c := parse(t, profilesExample)
	top := config.Settings{
		Tenant: "contoso.com", ClientID: "top-app", Method: "browser",
		AuthorityHost: "https://login.microsoftonline.com", LoginHint: "alice@contoso.com", RedirectPort: 8400,
	}
	tests := map[string]config.Settings{
		"": top,
		"ci": {
			Tenant: "contoso.com", ClientID: "ci-app", Method: "workloadidentity",
			AuthorityHost: "https://login.microsoftonline.com", LoginHint: "alice@contoso.com", RedirectPort: 8400,
		},
		// Setting cloud replaces the inherited authority_host: both at once
		// would be two answers to one question.
		"gov": {
			Tenant: "contoso.us", ClientID: "top-app", Method: "browser",
			Cloud: "usgovernment", LoginHint: "alice@contoso.com", RedirectPort: 8400,
		},
		"local": {
			Tenant: "contoso.com", ClientID: "top-app", Method: "browser",
			AuthorityHost: "https://127.0.0.1:9999", LoginHint: "alice@contoso.com", RedirectPort: 8400,
		},
	}
	for name, want := range tests {
		got, err := c.Profile(name)
		if err != nil {
			t.Errorf("Profile(%q): %v", name, err)
			continue
		}
		if got != want {
			t.Errorf("Profile(%q):\n got %+v\nwant %+v", name, got, want)
		}
	}
}

func TestProfileUsesTheDefaultProfile(t *testing.T) {
	c := parse(t, "tenant: a.example\nprofile: ci\nprofiles:\n  ci: {tenant: b.example}\n  dev: {}\n")
	for name, wantTenant := range map[string]string{"": "b.example", "ci": "b.example", "dev": "a.example"} {
		s, err := c.Profile(name)
		if err != nil || s.Tenant != wantTenant {
			t.Errorf("Profile(%q) = %+v, %v; want tenant %q", name, s, err, wantTenant)
		}
	}
}

func TestProfileUnknown(t *testing.T) {
	c := parse(t, profilesExample)
	_, err := c.Profile("gvo")
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Profile(\"gvo\") error = %v, want a *config.Error", err)
	}
	const want = `config.yaml: no profile named "gvo" (did you mean "gov"?); defined profiles: ci, gov, local`
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}

	_, err = parse(t, "").Profile("work")
	if err == nil || !strings.Contains(err.Error(), "defines no profiles") {
		t.Errorf("Profile on a file without profiles: error = %v", err)
	}
}

func TestProfileOnNilConfig(t *testing.T) {
	var c *config.Config
	if s, err := c.Profile(""); err != nil || s != (config.Settings{}) {
		t.Errorf("nil Config: Profile(\"\") = %+v, %v; want empty settings", s, err)
	}
	if _, err := c.Profile("work"); err == nil {
		t.Error("nil Config: Profile(\"work\") succeeded")
	}
}
