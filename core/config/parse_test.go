package config_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/core/config"
	"github.com/aadcred/aadcred/core/hostmatch"
)

const fullExample = `# every key the file may hold
tenant: 11111111-2222-3333-4444-555555555555
client_id: 04b07795-8ddb-461a-bbee-02f9e1bf7b46
method: auto
authority_host: https://login.microsoftonline.com
login_hint: alice@contoso.com
redirect_port: 8400
profile: work
profiles:
  work: {tenant: contoso.com, client_id: 872cd9fa-d31f-45e0-9eab-6e460a02d1f1, method: browser}
  gov:
    tenant: organizations
    cloud: usgovernment
    login_hint: bob@contoso.us
git:
  hosts: [git.contoso.com, "*.contoso-git.example"]
docker:
  registries: [registry.contoso.example, "*.contoso-acr.example:5000"]
  audience: https://containerregistry.azure.net
  identity_token: true
keystore:
  backend: secret-service
  dir: /var/lib/aadcred
  encrypt_access_tokens: true
`

func mustList(t *testing.T, patterns ...string) hostmatch.List {
	t.Helper()
	l, err := hostmatch.ParseList(patterns)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestParseFullExample(t *testing.T) {
	got, err := config.Parse("config.yaml", []byte(fullExample))
	if err != nil {
		t.Fatal(err)
	}
	want := &config.Config{
		File: "config.yaml",
		Defaults: config.Settings{
			Tenant:        "11111111-2222-3333-4444-555555555555",
			ClientID:      "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
			Method:        "auto",
			AuthorityHost: "https://login.microsoftonline.com",
			LoginHint:     "alice@contoso.com",
			RedirectPort:  8400,
		},
		DefaultProfile: "work",
		Profiles: map[string]config.Settings{
			"work": {Tenant: "contoso.com", ClientID: "872cd9fa-d31f-45e0-9eab-6e460a02d1f1", Method: "browser"},
			"gov":  {Tenant: "organizations", Cloud: "usgovernment", LoginHint: "bob@contoso.us"},
		},
		Git: config.Git{Hosts: mustList(t, "git.contoso.com", "*.contoso-git.example")},
		Docker: config.Docker{
			Registries:    mustList(t, "registry.contoso.example", "*.contoso-acr.example:5000"),
			Audience:      "https://containerregistry.azure.net",
			IdentityToken: true,
		},
		Keystore: config.Keystore{Backend: "secret-service", Dir: "/var/lib/aadcred", EncryptAccessTokens: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse:\n got %+v\nwant %+v", got, want)
	}
	if !got.Git.Hosts.Match("repo.contoso-git.example") || got.Git.Hosts.Match("contoso-git.example") {
		t.Error("git.hosts do not match as patterns")
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "\n", "# nothing configured yet\n", "---\n", "null\n", "~"} {
		c, err := config.Parse("config.yaml", []byte(in))
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if !reflect.DeepEqual(c, &config.Config{File: "config.yaml"}) {
			t.Errorf("Parse(%q) = %+v, want an empty Config", in, c)
		}
	}
}

func TestParseAnchorsAndAliases(t *testing.T) {
	c, err := config.Parse("config.yaml", []byte(`
tenant: &t contoso.com
profiles:
  base: &base {client_id: app, method: devicecode}
  work: *base
  other: {tenant: *t}
git:
  hosts: [&h git.contoso.com, *h]
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Profiles["work"] != c.Profiles["base"] || c.Profiles["work"].Method != "devicecode" {
		t.Errorf("alias to a profile: got %+v", c.Profiles)
	}
	if c.Profiles["other"].Tenant != "contoso.com" || len(c.Git.Hosts) != 2 {
		t.Errorf("aliases to scalars: got %+v, hosts %v", c.Profiles["other"], c.Git.Hosts)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		line int
		key  string
		msg  string // substring of Msg
	}{
		{"misspelt key", "tenat: contoso.com\n", 1, "tenat", `unknown key (did you mean "tenant"?)`},
		{"camel case key", "clientId: x\n", 1, "clientId", `did you mean "client_id"?`},
		{"misspelt nested key", "git:\n  host: [a.example]\n", 2, "git.host", `did you mean "git.hosts"?`},
		{"misplaced key", "hosts: [a.example]\n", 1, "hosts", `"hosts" belongs under "git"`},
		{"redirect_port in a profile", "profiles:\n  p:\n    redirect_port: 1\n", 3, "profiles.p.redirect_port", "belongs at the top level"},
		{"unknown key", "zzz: 1\n", 1, "zzz", "unknown key; valid keys here: tenant, client_id"},
		{"secret key", "client_secret: s3\n", 1, "client_secret", "holds no secrets"},
		{"secret in a profile", "profiles:\n  p:\n    password: s3\n", 3, "profiles.p.password", "holds no secrets"},
		{"merge key", "profiles:\n  p:\n    <<: {tenant: x}\n", 3, "profiles.p.<<", "merge keys are not supported"},
		{"integer key", "1: x\n", 1, "", "keys must be strings, found an integer"},
		{"duplicate key", "tenant: a\nmethod: auto\ntenant: b\n", 3, "tenant", "key set twice (first on line 1)"},
		{"duplicate nested key", "git:\n  hosts: [a.example]\n  hosts: [b.example]\n", 3, "git.hosts", "set twice"},
		{"duplicate profile", "profiles:\n  p: {}\n  p: {}\n", 3, "profiles.p", "profile defined twice (first on line 2)"},
		{"no value", "tenant:\n", 1, "tenant", "key has no value"},
		{"string for an integer", "redirect_port: \"8400\"\n", 1, "redirect_port", "expected an integer from 0 to 65535, found a string"},
		{"port too large", "redirect_port: 65536\n", 1, "redirect_port", `expected an integer from 0 to 65535, found "65536"`},
		{"negative port", "redirect_port: -1\n", 1, "redirect_port", "from 0 to 65535"},
		{"huge port", "redirect_port: 99999999999999999999999\n", 1, "redirect_port", "found a number"},
		{"yes is not a boolean", "docker:\n  identity_token: yes\n", 2, "docker.identity_token", "expected true or false, found a string"},
		{"integer for a string", "tenant: 42\n", 1, "tenant", "expected a string, found an integer"},
		{"list for a string", "method: [auto]\n", 1, "method", "expected a string, found a list"},
		{"custom tag", "method: !weird auto\n", 1, "method", `found a value tagged "!weird"`},
		{"list for a section", "git: [a.example]\n", 1, "git", "expected a mapping, found a list"},
		{"string for a host list", "git:\n  hosts: a.example\n", 2, "git.hosts", "expected a list of host names"},
		{"bad host pattern", "git:\n  hosts:\n    - git.contoso.com\n    - \"*\"\n", 4, "git.hosts[1]", `"*" is not a host name or *.suffix pattern`},
		{"host with scheme", "docker:\n  registries: [\"https://r.example\"]\n", 2, "docker.registries[0]", "remove the scheme"},
		{"mapping in a host list", "git:\n  hosts: [{a: b}]\n", 2, "git.hosts[0]", "found a mapping"},
		{"unknown method", "method: brwoser\n", 1, "method", `"brwoser" is not a method; use one of auto, browser,`},
		{"method suggestion", "method: brwoser\n", 1, "method", `(did you mean "browser"?)`},
		{"kubelogin method", "method: spn\n", 1, "method", `(did you mean "clientsecret"?)`},
		{"kubelogin cloud", "cloud: AzureChinaCloud\n", 1, "cloud", `(did you mean "china"?)`},
		{"unknown cloud", "cloud: mars\n", 1, "cloud", `"mars" is not a cloud; use one of public, china, usgovernment`},
		{"unknown backend", "keystore:\n  backend: secretservice\n", 2, "keystore.backend", `did you mean "secret-service"?`},
		{"tenant with a slash", "tenant: contoso.com/evil\n", 1, "tenant", "is not a tenant ID"},
		{"empty tenant", "tenant: \"\"\n", 1, "tenant", "empty tenant"},
		{"client id with space", "client_id: \"a b\"\n", 1, "client_id", "space"},
		{"http authority", "authority_host: http://login.example\n", 1, "authority_host", "must use https"},
		{"ftp authority", "authority_host: ftp://login.example\n", 1, "authority_host", "must use https"},
		{"authority with path", "authority_host: https://login.microsoftonline.com/contoso\n", 1, "authority_host", "has a path"},
		{"authority with query", "authority_host: https://login.example/?x=1\n", 1, "authority_host", "query"},
		{"relative authority", "authority_host: login.microsoftonline.com\n", 1, "authority_host", "not an absolute URL"},
		{"authority and cloud", "authority_host: https://login.example\ncloud: public\n", 2, "cloud", "set authority_host or cloud, not both"},
		{"authority and cloud in a profile", "profiles:\n  p:\n    cloud: china\n    authority_host: https://login.example\n", 3, "profiles.p.cloud", "not both"},
		{"bad audience", "docker:\n  audience: acr\n", 2, "docker.audience", "or use arm"},
		{"relative dir", "keystore:\n  dir: tokens\n", 2, "keystore.dir", "not an absolute path"},
		{"tilde dir", "keystore:\n  dir: ~/tokens\n", 2, "keystore.dir", "~ is not expanded"},
		{"unknown default profile", "profile: wrok\nprofiles:\n  work: {}\n  home: {}\n", 1, "profile", `no profile named "wrok" (did you mean "work"?); defined profiles: home, work`},
		{"default profile without profiles", "profile: work\n", 1, "profile", "defines no profiles"},
		{"profile not a mapping", "profiles:\n  work: contoso\n", 2, "profiles.work", "expected a mapping of settings, found a string"},
		{"profiles not a mapping", "profiles: [work]\n", 1, "profiles", "expected a mapping of profile names"},
		{"top level is a list", "- tenant: x\n", 1, "", "must be a mapping of keys to values, not a list"},
		{"top level is a string", "tenant\n", 1, "", "not a string"},
		// go.yaml.in/yaml/v3 reports where the enclosing construct starts,
		// which is not always the line of the problem.
		{"syntax error", "tenant: a\ngit:\n  hosts: [a\n", 2, "", "invalid YAML: did not find expected ',' or ']'"},
		{"bad indentation", "git:\n  hosts: []\n keystore: {}\n", 2, "", "invalid YAML: did not find expected key"},
		{"tab indentation", "git:\n\thosts: []\n", 2, "", "invalid YAML: found character that cannot start any token"},
		{"unknown anchor", "tenant: *nope\n", 0, "", "unknown anchor"},
		{"two documents", "tenant: a\n---\ntenant: b\n", 2, "", "more than one YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("/home/me/.config/aadcred/config.yaml", []byte(tt.in))
			var cerr *config.Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Parse(%q) error = %v, want a *config.Error", tt.in, err)
			}
			if cerr.File != "/home/me/.config/aadcred/config.yaml" || cerr.Line != tt.line || cerr.Key != tt.key || !strings.Contains(cerr.Msg, tt.msg) {
				t.Errorf("Parse(%q) error = %#v\nwant line %d, key %q, message containing %q", tt.in, cerr, tt.line, tt.key, tt.msg)
			}
		})
	}
}

func TestParseErrorReads(t *testing.T) {
	const in = "tenant: contoso.com\nclient_id: app\nmethod: auto\ncloud: public\nlogin_hint: a@contoso.com\ngit:\n  hosts: [git.contoso.com,\n          \"*\"]\n"
	_, err := config.Parse("/home/me/.config/aadcred/config.yaml", []byte(in))
	const want = `/home/me/.config/aadcred/config.yaml:8: key "git.hosts[1]": "*" is not a host name or *.suffix pattern`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %v\nwant it to start with %s", err, want)
	}
}

// A value given for a secret-looking key, or inside a URL's user info, must
// not be repeated in the error.
func TestParseErrorsDoNotRepeatSecrets(t *testing.T) {
	const secret = "hunter2-not-a-real-secret"
	for _, in := range []string{
		"client_secret: " + secret + "\n",
		"profiles:\n  p:\n    client_certificate_password: " + secret + "\n",
		"git:\n  token: " + secret + "\n",
		"authority_host: https://user:" + secret + "@login.example\n",
		"docker:\n  audience: https://user:" + secret + "@aud.example\n",
		"redirect_port: " + secret + "\n",
		"docker:\n  identity_token: " + secret + "\n",
	} {
		_, err := config.Parse("config.yaml", []byte(in))
		if err == nil {
			t.Errorf("Parse accepted a secret in %q", strings.ReplaceAll(in, secret, "<secret>"))
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error repeats the secret given in %q", strings.ReplaceAll(in, secret, "<secret>"))
		}
	}
}

// TestParseRefusesPlainHTTPAuthority refuses an http authority even on loopback, where secrets
// would go to whatever listens on the port; an https one there (a test server) is fine.
func TestParseRefusesPlainHTTPAuthority(t *testing.T) {
	for _, host := range []string{"http://127.0.0.1:8443", "http://localhost:1234/", "http://[::1]:80", "http://login.microsoftonline.com"} {
		_, err := config.Parse("config.yaml", []byte("authority_host: "+host+"\n"))
		if err == nil || !strings.Contains(err.Error(), "https") {
			t.Errorf("Parse accepted authority_host %s (%v)", host, err)
		}
	}
	c, err := config.Parse("config.yaml", []byte("authority_host: https://127.0.0.1:8443\n"))
	if err != nil || c.Defaults.AuthorityHost != "https://127.0.0.1:8443" {
		t.Errorf("Parse of a loopback https authority: %+v, %v", c, err)
	}
}

func TestParseRejectsLargeFiles(t *testing.T) {
	data := []byte("# " + strings.Repeat("x", 1<<20) + "\n")
	_, err := config.Parse("config.yaml", data)
	var cerr *config.Error
	if !errors.As(err, &cerr) || !strings.Contains(cerr.Msg, "larger than") {
		t.Errorf("Parse of a %d-byte file: error = %v, want a size error", len(data), err)
	}
}
