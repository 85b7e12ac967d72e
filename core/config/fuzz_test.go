package config_test

import (
	"errors"
	"testing"

	"github.com/aadcred/aadcred/core/config"
)

// FuzzParse feeds arbitrary files to Parse: it must never panic, every error
// must be a *config.Error naming the file, and whatever it accepts must be
// usable: the default profile exists and every host pattern round-trips.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		fullExample,
		profilesExample,
		"tenant: &t a\nprofiles:\n  p: {tenant: *t}\n",
		"git:\n  hosts: [\"*\", a.example]\n",
		"profile: x\nprofiles: {x: {}}\n",
		"a: 1\n---\nb: 2\n",
		"<<: {tenant: x}\n",
		"? [a]\n: b\n",
		"redirect_port: 0x1F\n",
		"docker: {registries: [\"*.azurecr.io:443\"], identity_token: true}\n",
		"keystore: {backend: file, dir: /x}\n",
		"\ttenant: x\n",
		"tenant: *x\n",
		"[[[[[[[[[[",
	} {
		f.Add(seed)
	}
	const name = "/fuzz/config.yaml"
	f.Fuzz(func(t *testing.T, data string) {
		c, err := config.Parse(name, []byte(data))
		if err != nil {
			var cerr *config.Error
			if !errors.As(err, &cerr) {
				t.Fatalf("error %v (%T) is not a *config.Error", err, err)
			}
			if cerr.File != name {
				t.Fatalf("error %v names file %q, want %q", err, cerr.File, name)
			}
			if cerr.Line < 0 {
				t.Fatalf("error %v has line %d", err, cerr.Line)
			}
			return
		}
		if c.File != name {
			t.Fatalf("Config.File = %q, want %q", c.File, name)
		}
		if _, err := c.Profile(""); err != nil {
			t.Fatalf("accepted a file whose default profile fails: %v", err)
		}
		for name := range c.Profiles {
			if _, err := c.Profile(name); err != nil {
				t.Fatalf("Profile(%q) of a defined profile: %v", name, err)
			}
		}
		for _, p := range append(c.Git.Hosts, c.Docker.Registries...) {
			if p.String() == "" {
				t.Fatalf("accepted an empty host pattern")
			}
		}
	})
}
