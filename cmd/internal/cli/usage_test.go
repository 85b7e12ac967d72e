package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageMistakes: each mistake on the command line is one line that says it in the help's
// words, with the flag or command most like the one mistyped, then the command that shows the
// usage of the command mistyped; exit status 2.
func TestUsageMistakes(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		return map[string]string{"AADCRED_CONFIG": filepath.Join(dir, "none.yaml"), "AADCRED_CACHE_DIR": filepath.Join(dir, "cache")}[k]
	}
	for _, tc := range []struct {
		args   []string
		ignore bool // the tool ignores unknown commands, as git asks of a helper
		typed  bool // stdin is a terminal
		want   string
	}{
		{[]string{"login", "--tenat", "x"}, false, false,
			"tool: unknown flag --tenat. Did you mean --tenant?\nRun 'tool login --help' for usage.\n"},
		{[]string{"--debgu", "status"}, false, false,
			"tool: unknown flag --debgu. Did you mean --debug?\nRun 'tool --help' for usage.\n"},
		{[]string{"cache", "delete", "--expird"}, false, false,
			"tool: unknown flag --expird. Did you mean --expired?\nRun 'tool cache delete --help' for usage.\n"},
		{[]string{"login", "--timeout"}, false, false, "tool: --timeout needs a value\nRun 'tool login --help' for usage.\n"},
		{[]string{"login", "--timeout", "soon"}, false, false,
			"tool: invalid value \"soon\" for --timeout\nRun 'tool login --help' for usage.\n"},
		{[]string{"status", "--output", "yaml"}, false, false,
			"tool: --output must be text or json, not \"yaml\"\nRun 'tool status --help' for usage.\n"},
		{[]string{"logn"}, false, false, "tool: unknown command \"logn\". Did you mean \"login\"?\nRun 'tool --help' for usage.\n"},
		{[]string{"cache", "lst"}, false, false,
			"tool: unknown command \"lst\". Did you mean \"list\"?\nRun 'tool cache --help' for usage.\n"},
		{[]string{"logn"}, true, false, ""}, // a newer action of the protocol: nothing to say
		{[]string{"logn"}, true, true, "tool: unknown command \"logn\". Did you mean \"login\"?\nRun 'tool --help' for usage.\n"},
	} {
		var stdout, stderr bytes.Buffer
		env := Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: getenv, StdinTerminal: func() bool { return tc.typed }}
		tool := Tool{Name: "tool", SignInCommand: "tool login", IgnoreUnknownCommands: tc.ignore}
		code := tool.Run(context.Background(), append([]string{"tool"}, tc.args...), env)
		wantCode := exitUsage
		if tc.want == "" {
			wantCode = exitOK
		}
		if code != wantCode || stdout.Len() != 0 || stderr.String() != tc.want {
			t.Errorf("%q: exit %d, stdout %q, stderr\n%s\nwant exit %d and\n%s", tc.args, code, stdout.String(), stderr.String(), wantCode, tc.want)
		}
	}
}
