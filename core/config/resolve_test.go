package config_test

import (
	"testing"

	"github.com/aadcred/aadcred/core/config"
)

func TestResolvePrecedence(t *testing.T) {
	tests := []struct {
		flag, env, file, def string
		want                 config.Value
	}{
		{"f", "e", "c", "d", config.Value{Name: "tenant", Value: "f", Source: config.SourceFlag}},
		{"", "e", "c", "d", config.Value{Name: "tenant", Value: "e", Source: config.SourceEnv}},
		{"", "", "c", "d", config.Value{Name: "tenant", Value: "c", Source: config.SourceFile}},
		{"", "", "", "d", config.Value{Name: "tenant", Value: "d", Source: config.SourceDefault}},
		{"", "", "", "", config.Value{Name: "tenant", Source: config.SourceNone}},
		{"f", "", "", "", config.Value{Name: "tenant", Value: "f", Source: config.SourceFlag}},
		{"", "e", "", "d", config.Value{Name: "tenant", Value: "e", Source: config.SourceEnv}},
	}
	for _, tt := range tests {
		if got := config.Resolve("tenant", tt.flag, tt.env, tt.file, tt.def); got != tt.want {
			t.Errorf("Resolve(%q, %q, %q, %q) = %+v, want %+v", tt.flag, tt.env, tt.file, tt.def, got, tt.want)
		}
	}
}

func TestValueString(t *testing.T) {
	tests := map[string]config.Value{
		`tenant="contoso.com" (environment)`: config.Resolve("tenant", "", "contoso.com", "x", ""),
		`method="auto" (default)`:            config.Resolve("method", "", "", "", "auto"),
		`cloud="china" (config file)`:        config.Resolve("cloud", "", "", "china", "public"),
		`client_id="app" (flag)`:             config.Resolve("client_id", "app", "", "", ""),
		`login_hint not set`:                 config.Resolve("login_hint", "", "", "", ""),
	}
	for want, v := range tests {
		if got := v.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
	if got := config.Source(42).String(); got != "Source(42)" {
		t.Errorf("Source(42).String() = %q", got)
	}
}
