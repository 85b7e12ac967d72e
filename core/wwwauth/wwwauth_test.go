package wwwauth

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	got, err := Parse([]string{
		`Bearer realm="https://contoso.azurecr.io/oauth2/token",service="contoso.azurecr.io",scope="repository:app:pull"`,
		`Basic realm="x \"quoted\" \\ y", Negotiate, NTLM abc+/def==, Bearer  realm = unquoted , error=invalid_token`,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Challenge{
		{Scheme: "Bearer", Params: map[string]string{"realm": "https://contoso.azurecr.io/oauth2/token", "service": "contoso.azurecr.io", "scope": "repository:app:pull"}},
		{Scheme: "Basic", Params: map[string]string{"realm": `x "quoted" \ y`}},
		{Scheme: "Negotiate"},
		{Scheme: "NTLM", Token68: "abc+/def=="},
		{Scheme: "Bearer", Params: map[string]string{"realm": "unquoted", "error": "invalid_token"}},
	}
	if !equalChallenges(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestParseParamNamesAreCaseInsensitive(t *testing.T) {
	got, err := Parse([]string{`bearer REALM="https://r.example/t",Service=svc`})
	if err != nil || len(got) != 1 || got[0].Params["realm"] != "https://r.example/t" || got[0].Params["service"] != "svc" {
		t.Errorf("got %+v, %v", got, err)
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	for _, h := range []string{
		`Bearer realm="unterminated`,
		`Bearer realm="a",realm="b"`, // a second realm could point anywhere
		`Bearer realm="a" service="b"`,
		`Bearer realm="ends with backslash\`,
		`Bearer realm="control` + "\x01" + `"`,
		`="x"`,
		`Bearer realm="a",=b`,
		`Bearer realm="esc` + "\\\x01" + `"`,
	} {
		if got, err := Parse([]string{h}); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", h, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`Bearer realm="https://contoso.azurecr.io/oauth2/token",service="contoso.azurecr.io"`,
		`Bearer realm="https://contoso.azurecr.io/oauth2/token",service="contoso.azurecr.io",scope="registry:catalog:*"`,
		`Basic realm="a\"b", Negotiate, NTLM abc==`,
		`Bearer realm = x , error="invalid_token", Basic`,
		`Bearer realm="`, `,,, ,`, `Bearer realm="a",realm="b"`, "\x00", `Bearer realm="\`,
	} {
		f.Add(seed)
	}
	f.Add(`Bearer authorization_uri=https://login.microsoftonline.com/t, Basic realm=C:\x.key`)
	f.Fuzz(func(t *testing.T, header string) {
		// The lenient parser accepts whatever the strict one does, and then some; neither panics.
		lenient, lerr := ParseLenient([]string{header})
		parsed, err := Parse([]string{header})
		if err == nil && (lerr != nil || !equalChallenges(parsed, lenient)) {
			t.Fatalf("ParseLenient disagrees with Parse on %q: %v", header, lerr)
		}
		if err != nil {
			return
		}
		// What parses must survive being written out and read again unchanged.
		again, err := Parse([]string{formatChallenges(parsed)})
		if err != nil {
			t.Fatalf("re-parsing %q (from %q): %v", formatChallenges(parsed), header, err)
		}
		if !equalChallenges(parsed, again) {
			t.Fatalf("round trip changed the challenges:\n%+v\n%+v", parsed, again)
		}
	})
}

// formatChallenges writes challenges back out, every parameter value quoted.
func formatChallenges(cs []Challenge) string {
	var parts []string
	for _, c := range cs {
		s := c.Scheme
		switch {
		case c.Token68 != "":
			s += " " + c.Token68
		case len(c.Params) > 0:
			var params []string
			for _, k := range slices.Sorted(maps.Keys(c.Params)) {
				v := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(c.Params[k])
				params = append(params, k+`="`+v+`"`)
			}
			s += " " + strings.Join(params, ", ")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func equalChallenges(a, b []Challenge) bool {
	return slices.EqualFunc(a, b, func(x, y Challenge) bool {
		return x.Scheme == y.Scheme && x.Token68 == y.Token68 && maps.Equal(x.Params, y.Params)
	})
}

func TestParseLenientBareValues(t *testing.T) {
	got, err := ParseLenient([]string{
		`Bearer authorization_uri=https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555`,
		`Basic realm=/var/opt/azcmagent/tokens/a1.key`,
		`Basic realm=C:\ProgramData\AzureConnectedMachineAgent\Tokens\a1.key, Bearer realm="q\"x"`,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555", "/var/opt/azcmagent/tokens/a1.key", `C:\ProgramData\AzureConnectedMachineAgent\Tokens\a1.key`, `q"x`}
	if len(got) != 4 {
		t.Fatalf("got %d challenges: %+v", len(got), got)
	}
	for i, c := range got {
		v := c.Params["authorization_uri"] + c.Params["realm"]
		if v != want[i] {
			t.Errorf("challenge %d: %q, want %q", i, v, want[i])
		}
	}
	if _, err := Parse([]string{`Basic realm=/var/opt/x.key`}); err == nil {
		t.Error("the strict parser accepted a bare path")
	}
	for _, bad := range []string{`Basic realm=a"b`, "Basic realm=\x01x", `Basic realm=x y`} {
		if _, err := ParseLenient([]string{bad}); err == nil {
			t.Errorf("ParseLenient accepted %q", bad)
		}
	}
}
