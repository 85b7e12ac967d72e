package harness

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

func TestFindLeaks(t *testing.T) {
	const (
		at  = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJlLW9mLXRoZS1hY2Nlc3MtdG9rZW4"
		rt  = "1.AVEAzrefreshtokenrefreshtokenrefreshtoken"
		acr = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJBQ1IifQ.YWNyLXJlZnJlc2gtdG9rZW4tc2lnbmF0dXJl"
	)
	secrets := []fakeentra.Secret{
		{Kind: fakeentra.SecretAccessToken, Value: at},
		{Kind: fakeentra.SecretRefreshToken, Value: rt},
		{Kind: "ACR refresh token", Value: acr},
	}
	dir := t.TempDir()
	files := map[string]string{
		"cache/tokens/t1":      at,                                           // where access tokens rest: allowed
		"cache/tokens/a1":      `{"upn":"x"}` + at,                           // an account label: never
		"cache/tokens/t2":      rt,                                           // a refresh token in the clear: never
		"cache/secrets/a1":     "AADS\x01sealed",                             // sealed: nothing to find
		"home/.docker/config":  `{"auths":{}}`,                               // clean
		"home/notes":           "sig " + acr[strings.LastIndex(acr, ".")+1:], // part of a JWT, not the whole: found by its signature
		"home/.kube/cache/x":   "nothing here at all",                        // clean
		"home/.gitconfig.lock": "[credential]\n",                             // clean
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	outputs := []Output{
		{Command: []string{"git-credential-aad", "token", "--resource", "x"}, Stdout: at + "\n"},
		{Command: []string{"kubectl-aad", "get-token"}, Stdout: `{"kind":"ExecCredential","status":{"token":"` + at + `"}}` + "\n"},
		{Command: []string{"/bin/kubelogin", "-v", "5", "get-token"}, Stdout: `{"kind":"ExecCredential","status":{"token":"` + at + `"}}` + "\n"},
		{Command: []string{"docker-credential-aad", "get"}, Stdout: `{"ServerURL":"r","Username":"u","Secret":"` + acr + `"}` + "\n"},
		{Command: []string{"git-credential-aad", "get"}, Stdout: "protocol=https\nhost=h\npassword=" + at + "\n"},
		{Command: []string{"git-credential-aad", "token"}, Stdout: at + "\n" + at + "\n"},                            // the answer twice
		{Command: []string{"git-credential-aad", "status"}, Stdout: at},                                              // not an answer
		{Command: []string{"docker-credential-aad", "get"}, Stdout: `{"Secret":"x","Username":"` + rt + `"}` + "\n"}, // beside the answer
		{Command: []string{"kubectl-aad", "get-token"}, Stderr: "kubectl-aad: debug: refresh_token=" + rt},
	}
	leaks, err := FindLeaks(secrets, outputs, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range leaks {
		got = append(got, l.String())
	}
	want := []string{
		"access token found in " + filepath.Join(dir, "cache/tokens/a1"),
		"refresh token found in " + filepath.Join(dir, "cache/tokens/t2"),
		"ACR refresh token found in " + filepath.Join(dir, "home/notes"),
		"access token found in the stdout of `git-credential-aad token`",
		"access token found in the stdout of `git-credential-aad status`",
		"refresh token found in the stdout of `docker-credential-aad get`",
		"refresh token found in the stderr of `kubectl-aad get-token`",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("FindLeaks found\n  %q\nwant\n  %q", got, want)
	}
}
