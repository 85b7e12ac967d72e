package azurecli

import (
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds Parse what az might print, and checks that an error never repeats the token.
func FuzzParse(f *testing.F) {
	// The seeds carry this marker as the token (and in other fields); no message of Parse's
	// contains it by chance, so finding it in an error means output was quoted.
	const marker = "Zq7marker"
	for _, seed := range []string{
		`{"accessToken":"Zq7marker","expiresOn":"2026-03-01 13:30:00.000000","expires_on":1772371800,"subscription":"s","tenant":"t","tokenType":"Bearer"}`,
		`{"accessToken":"Zq7marker","expiresOn":"2026-03-01 13:30:00.000000"}`,
		`{"accessToken":"Zq7marker","expires_on":"1772371800"}`,
		`{"accessToken":"Zq7marker","expires_on":"Zq7marker"}`,
		"\uFEFF{\"accessToken\":\"x\",\"expires_on\":1}",
		`{"accessToken":"Zq7marker"`,
		`{"accessToken":null}`,
		`[]`,
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, output []byte) {
		tok, err := Parse(output, time.UTC)
		if err == nil {
			if tok.AccessToken == "" || tok.TokenType == "" || tok.ExpiresOn.IsZero() {
				t.Errorf("Parse accepted %q as %+v", output, tok)
			}
			return
		}
		if strings.Contains(string(output), marker) && strings.Contains(err.Error(), marker) {
			t.Errorf("error %q quotes the output", err)
		}
	})
}
