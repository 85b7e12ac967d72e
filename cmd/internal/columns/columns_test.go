package columns

import (
	"strings"
	"testing"
)

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		line   string
		indent int
		want   []string
	}{
		{"short", 2, []string{"short"}},
		// The padding inside a line stays; the rest goes under the value.
		{"Protection:   key file /home/alice/.cache/aadcred/data.key (readable by you only)", 14,
			[]string{"Protection:   key file /home/alice/.cache/aadcred/data.key (readable by", "              you only)"}},
		// A word wider than the room stands alone, whole.
		{"  see https://login.microsoftonline.com/common/oauth2/v2.0/devicecode/and/some/more/path now", 4,
			[]string{"  see", "    https://login.microsoftonline.com/common/oauth2/v2.0/devicecode/and/some/more/path", "    now"}},
	} {
		if got := Wrap(tc.line, 72, tc.indent); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("Wrap(%q) =\n%s\nwant\n%s", tc.line, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// TestFit: a help text's lines are wrapped under their description, a paragraph's under
// itself, and a flag package's tab-indented usage under its text.
func TestFit(t *testing.T) {
	in := "   --tenant value, -t value   tenant ID or domain (env AZURE_TENANT_ID; default: any work or school account)\n" +
		"   Signs you in with the browser, or with a device code where no browser can be opened, and keeps it.\n" +
		"  -server-id string\n" +
		"    \tthe cluster's Entra server application ID (default the AKS server, 6dae42f8-4368-4678-94ff-3960e28e3630)\n"
	want := "   --tenant value, -t value   tenant ID or domain (env AZURE_TENANT_ID; default:\n" +
		"                              any work or school account)\n" +
		"   Signs you in with the browser, or with a device code where no browser can be\n" +
		"   opened, and keeps it.\n" +
		"  -server-id string\n" +
		"        the cluster's Entra server application ID (default the AKS server,\n" +
		"        6dae42f8-4368-4678-94ff-3960e28e3630)\n"
	if got := Fit(in, 80); got != want {
		t.Errorf("Fit =\n%s\nwant\n%s", got, want)
	}
}
