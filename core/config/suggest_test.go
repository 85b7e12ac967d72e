package config

import (
	"slices"
	"testing"
)

func fieldNames(fields []field) []string {
	var names []string
	for _, f := range fields {
		names = append(names, f.name)
	}
	return names
}

// TestMisplacedPointsAtRealKeys keeps the hints for misplaced keys in step
// with the schema.
func TestMisplacedPointsAtRealKeys(t *testing.T) {
	where := map[string][]string{
		`under "git"`:                      fieldNames(gitFields(&Git{})),
		`under "docker"`:                   fieldNames(dockerFields(&Docker{})),
		`under "keystore"`:                 fieldNames(keystoreFields(&Keystore{})),
		"at the top level":                 fieldNames(topLevelFields(&Config{})),
		"at the top level or in a profile": fieldNames(settingsFields(&Settings{})),
	}
	for key, loc := range misplaced {
		names, ok := where[loc]
		if !ok {
			t.Errorf("misplaced[%q] = %q, an unknown location", key, loc)
			continue
		}
		if !slices.Contains(names, key) {
			t.Errorf("misplaced[%q] = %q, but that level has no key %q", key, loc, key)
		}
	}
	for loc, names := range where {
		for _, key := range names {
			if _, ok := misplaced[key]; !ok {
				t.Errorf("key %q (%s) has no entry in misplaced", key, loc)
			}
		}
	}
}

func TestClosest(t *testing.T) {
	candidates := []string{"tenant", "client_id", "registries", "dir", "work", "home"}
	tests := []struct {
		in, want string
	}{
		{"Tenant", "tenant"},
		{"tennant", "tenant"},
		{"tenat", "tenant"},
		{"clientId", "client_id"},
		{"client-id", "client_id"},
		{"CLIENT_ID", "client_id"},
		{"registry", "registries"},
		{"wrok", "work"},
		{"dri", "dir"},
		{"hoem", "home"},
		{"zzz", ""},
		{"", ""},
		{"method", ""},
		{"client_secret", ""},
	}
	for _, tt := range tests {
		got, ok := closest(tt.in, candidates)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("closest(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}
