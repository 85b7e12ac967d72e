package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// misplaced says where keys that are valid at another level of the file
// belong, for the error about a key written at the wrong level.
var misplaced = map[string]string{
	"hosts":                 `under "git"`,
	"registries":            `under "docker"`,
	"audience":              `under "docker"`,
	"identity_token":        `under "docker"`,
	"backend":               `under "keystore"`,
	"dir":                   `under "keystore"`,
	"encrypt_access_tokens": `under "keystore"`,
	"redirect_port":         "at the top level",
	"profile":               "at the top level",
	"profiles":              "at the top level",
	"git":                   "at the top level",
	"docker":                "at the top level",
	"keystore":              "at the top level",
	"tenant":                "at the top level or in a profile",
	"client_id":             "at the top level or in a profile",
	"method":                "at the top level or in a profile",
	"authority_host":        "at the top level or in a profile",
	"cloud":                 "at the top level or in a profile",
	"login_hint":            "at the top level or in a profile",
}

// secretWords mark keys that would hold a secret, which the file never does.
// They are compared with fold(key).
var secretWords = []string{"secret", "password", "passphrase", "token", "credential", "privatekey", "apikey"}

// unknownKey explains a key that fields does not hold: a near miss, a key
// that belongs at another level, or an attempt to store a secret.
func (p *parser) unknownKey(keyNode *yaml.Node, prefix, name string, fields []field) *Error {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	e := &Error{File: p.file, Line: keyNode.Line, Key: prefix + name, Msg: "unknown key"}
	if s, ok := closest(name, names); ok {
		e.Msg += fmt.Sprintf(" (did you mean %q?)", prefix+s)
		return e
	}
	if where, ok := misplaced[name]; ok {
		e.Msg += fmt.Sprintf("; %q belongs %s", name, where)
		return e
	}
	folded := fold(name)
	for _, w := range secretWords {
		if strings.Contains(folded, w) {
			e.Msg += "; the configuration file holds no secrets: pass them in the environment " +
				"(for example AZURE_CLIENT_SECRET) or save them in the keystore"
			return e
		}
	}
	e.Msg += "; valid keys here: " + strings.Join(names, ", ")
	return e
}

// unknownProfile explains a profile name that profiles does not define.
func unknownProfile(name string, profiles map[string]Settings) string {
	msg := fmt.Sprintf("no profile named %s", quote(name))
	if len(profiles) == 0 {
		return msg + "; the configuration defines no profiles"
	}
	names := slices.Sorted(maps.Keys(profiles))
	if s, ok := closest(name, names); ok {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg + "; defined profiles: " + strings.Join(names, ", ")
}

// closest returns the candidate a user most likely meant by v: one that
// differs only in case, '-' versus '_', or by a small edit distance.
func closest(v string, candidates []string) (string, bool) {
	const maxLen = 64 // longer input is no typo of a short key
	if v == "" || len(v) > maxLen {
		return "", false
	}
	fv := fold(v)
	best, bestDist := "", -1
	for _, c := range candidates {
		fc := fold(c)
		if fc == fv {
			return c, true
		}
		d := editDistance(fv, fc)
		limit := max(1, min(3, len(fc)/3))
		if d <= limit && (bestDist < 0 || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best, bestDist >= 0
}

// fold makes "Client-ID", "clientId" and "client_id" compare equal.
func fold(s string) string {
	return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s))
}

// editDistance is the optimal string alignment distance between a and b,
// in bytes: the Levenshtein distance where swapping two adjacent characters,
// the commonest typo, counts as one edit.
func editDistance(a, b string) int {
	// d[i][j] is the distance between a[:i] and b[:j].
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
