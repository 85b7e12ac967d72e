package azurecli

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		in   string
		want Token
	}{
		{"both expiry forms: expires_on wins",
			`{"accessToken":"tok","expiresOn":"2020-01-01 00:00:00.000000","expires_on":1772371800,"subscription":"s","tenant":"t","tokenType":"Bearer"}`,
			Token{AccessToken: "tok", TokenType: "Bearer", Tenant: "t", Subscription: "s", ExpiresOn: time.Unix(1772371800, 0)}},
		{"expires_on as a string",
			`{"accessToken":"tok","expires_on":"1772371800"}`,
			Token{AccessToken: "tok", TokenType: "Bearer", ExpiresOn: time.Unix(1772371800, 0)}},
		{"expiresOn only, in az's zone",
			`{"accessToken":"tok","expiresOn":"2026-03-01 13:30:00.500000","tokenType":"Bearer"}`,
			Token{AccessToken: "tok", TokenType: "Bearer", ExpiresOn: time.Date(2026, 3, 1, 13, 30, 0, 5e8, berlin)}},
		{"expiresOn without fraction",
			`{"accessToken":"tok","expiresOn":"2026-03-01 13:30:00"}`,
			Token{AccessToken: "tok", TokenType: "Bearer", ExpiresOn: time.Date(2026, 3, 1, 13, 30, 0, 0, berlin)}},
		{"null expires_on falls back",
			`{"accessToken":"tok","expires_on":null,"expiresOn":"2026-03-01 13:30:00","tenant":null}`,
			Token{AccessToken: "tok", TokenType: "Bearer", ExpiresOn: time.Date(2026, 3, 1, 13, 30, 0, 0, berlin)}},
		{"byte-order mark",
			"\uFEFF" + `{"accessToken":"tok","expires_on":1772371800,"tokenType":"pop"}`,
			Token{AccessToken: "tok", TokenType: "pop", ExpiresOn: time.Unix(1772371800, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in), berlin)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got.AccessToken != tt.want.AccessToken || got.TokenType != tt.want.TokenType || got.Tenant != tt.want.Tenant ||
				got.Subscription != tt.want.Subscription || !got.ExpiresOn.Equal(tt.want.ExpiresOn) {
				t.Errorf("Parse = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	const secret = "secret-token-value"
	tests := []struct {
		name, in, wantErr string
	}{
		{"empty", ``, "not a JSON object (0 bytes)"},
		{"not JSON", secret + ` is here`, "not a JSON object"},
		{"truncated", `{"accessToken":"` + secret, "not a JSON object"},
		{"array", `[{"accessToken":"` + secret + `"}]`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"no token", `{"expires_on":1772371800}`, "has no accessToken"},
		{"empty token", `{"accessToken":"","expires_on":1772371800}`, "has no accessToken"},
		{"token not a string", `{"accessToken":42,"expires_on":1772371800}`, "accessToken is not a string"},
		{"tenant not a string", `{"accessToken":"` + secret + `","tenant":{},"expires_on":1}`, "tenant is not a string"},
		{"no expiry", `{"accessToken":"` + secret + `"}`, "neither expires_on nor expiresOn"},
		{"bad expires_on", `{"accessToken":"` + secret + `","expires_on":"` + secret + `"}`, "expires_on is not a time"},
		{"expires_on an object", `{"accessToken":"` + secret + `","expires_on":{}}`, "expires_on is neither a number nor a string"},
		{"negative expires_on", `{"accessToken":"` + secret + `","expires_on":-5}`, "expires_on is not a time"},
		{"bad expiresOn", `{"accessToken":"` + secret + `","expiresOn":"tomorrow"}`, "expiresOn is not a time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse([]byte(tt.in), time.UTC)
			if err == nil || tok != nil {
				t.Fatalf("Parse = %v, %v; want an error", tok, err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error quotes the output: %q", err)
			}
		})
	}
}
