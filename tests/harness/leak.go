package harness

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// Output is what one command printed.
type Output struct {
	Command        []string // the program's name and its arguments
	Stdout, Stderr string
	// Screen is what a terminal showed while the command ran in it (both streams, as a person
	// saw them), for a command run in a terminal rather than with its streams kept apart.
	Screen string
}

// Leak is a secret found where none may be. It never holds the secret.
type Leak struct {
	Kind  string // the secret's kind, e.g. "refresh token"
	Where string // a file, or a command's stdout or stderr
}

func (l Leak) String() string { return fmt.Sprintf("%s found in %s", l.Kind, l.Where) }

// FindLeaks looks for secrets in outputs and in the files under dirs. A secret may appear in
// one place only: the protocol answer of a command that answers with one (token, get,
// get-token), which is cut out of stdout before the rest is searched. Access tokens, and the ID
// tokens beside them, may also rest in the cache's access-token tier (tokens/t…), which holds
// them in 0600 files by design; refresh tokens never, and nothing else anywhere, the encrypted
// tier included (a secret there in the clear would be a leak too). A JWT is also looked for by its signature alone, so that
// part of one is found as well.
func FindLeaks(secrets []fakeentra.Secret, outputs []Output, dirs []string) ([]Leak, error) {
	var leaks []Leak
	look := func(where, text string, allowAccessTokens bool) {
		for _, s := range secrets {
			if allowAccessTokens && (s.Kind == fakeentra.SecretAccessToken || s.Kind == fakeentra.SecretIDToken) {
				continue
			}
			for _, needle := range needles(s.Value) {
				if strings.Contains(text, needle) {
					leaks = append(leaks, Leak{Kind: s.Kind, Where: where})
					break
				}
			}
		}
	}
	for _, o := range outputs {
		name := strings.Join(o.Command, " ")
		look("the stdout of `"+name+"`", withoutAnswer(o.Command, o.Stdout), false)
		look("the stderr of `"+name+"`", o.Stderr, false)
		look("the terminal screen of `"+name+"`", o.Screen, false)
	}
	seen := map[string]bool{}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return nil
				}
				return err
			}
			if !d.Type().IsRegular() || seen[path] {
				return nil
			}
			seen[path] = true
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			accessTier := filepath.Base(filepath.Dir(path)) == "tokens" && strings.HasPrefix(d.Name(), "t")
			look(path, string(data), accessTier)
			return nil
		})
		if err != nil {
			return leaks, fmt.Errorf("scanning %s for secrets: %w", dir, err)
		}
	}
	return leaks, nil
}

// needles are what a secret is looked for by: itself and, for a JWT, its signature.
func needles(secret string) []string {
	if len(secret) < 16 {
		return nil // too short to tell from chance
	}
	out := []string{secret}
	if parts := strings.Split(secret, "."); len(parts) == 3 && len(parts[2]) >= 16 {
		out = append(out, parts[2])
	}
	return out
}

// answerActions are the commands whose stdout is a protocol answer carrying a secret.
var answerActions = map[string]bool{"token": true, "get": true, "get-token": true}

// answers reports whether a program answers a protocol with a secret on stdout: aadcred's
// binaries, and Azure/kubelogin, which some tests run beside them.
func answers(program string) bool {
	base := filepath.Base(program)
	return strings.HasSuffix(base, "-aad") || base == "kubelogin"
}

// withoutAnswer is stdout without the secret its protocol answer carries, if the command
// answers with one: the token line of `token`, the Secret of docker's get, the password or
// credential of git's, the status.token of an ExecCredential.
func withoutAnswer(command []string, stdout string) string {
	if len(command) == 0 || !answers(command[0]) || action(command[1:]) == "" {
		return stdout
	}
	var answer map[string]any
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&answer); err == nil {
		delete(answer, "Secret")
		delete(answer, "accessToken")
		delete(answer, "idToken")
		if status, ok := answer["status"].(map[string]any); ok {
			delete(status, "token")
		}
		rest, _ := json.Marshal(answer)
		return string(rest) + stdout[dec.InputOffset():]
	}
	lines := strings.SplitAfter(stdout, "\n")
	if action(command[1:]) == "token" {
		return strings.Join(lines[1:], "")
	}
	var kept []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "password=") && !strings.HasPrefix(l, "credential=") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "")
}

// action is the first argument that names an action answered with a secret, or "".
func action(args []string) string {
	for _, a := range args {
		if answerActions[a] {
			return a
		}
	}
	return ""
}
