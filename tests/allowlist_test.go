package tests

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aadcred/aadcred/tests/fakeacr"
	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// The host allowlist tables: every lookalike host tried against the helpers. Each gets no token
// and causes no request: not to Entra ID, not to the host, not to anyone through a proxy.

// spy is a server that counts the requests it is sent, and answers none of them usefully.
type spy struct {
	*httptest.Server
	hits atomic.Int32
}

// newSpy starts a spy on loopback, over TLS (with the fakes' certificate, which the binaries
// trust) or plain http.
func newSpy(t *testing.T, w *harness.World, secure bool) *spy {
	t.Helper()
	s := &spy{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		s.hits.Add(1)
		rw.WriteHeader(http.StatusForbidden)
	}))
	if secure {
		s.TLS = w.Entra.ServerTLSConfig()
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

func (s *spy) host() string {
	return strings.TrimPrefix(strings.TrimPrefix(s.URL, "https://"), "http://")
}

func (s *spy) port() string {
	_, port, _ := net.SplitHostPort(s.host())
	return port
}

// gitLookalikes are git requests for hosts that are not Azure DevOps's nor the configured one
// (configured is that host, spyPort another port on it).
func gitLookalikes(configured, spyPort string) []struct{ name, request string } {
	ip, _, _ := net.SplitHostPort(configured)
	req := func(protocol, host string) string {
		return "protocol=" + protocol + "\nhost=" + host + "\npath=contoso/web/_git/web\n\n"
	}
	return []struct{ name, request string }{
		{"suffix: dev.azure.com.evil.example", req("https", "dev.azure.com.evil.example")},
		{"suffix: contoso.visualstudio.com.evil.example", req("https", "contoso.visualstudio.com.evil.example")},
		{"suffix: a configured host under another domain", req("https", ip+".nip.io:"+spyPort)},
		{"prefix: evildev.azure.com", req("https", "evildev.azure.com")},
		{"prefix: evilvisualstudio.com", req("https", "evilvisualstudio.com")},
		{"prefix: dev.azure.com-evil.example", req("https", "dev.azure.com-evil.example")},
		{"IDN: Cyrillic a in dev.azure.com", req("https", "dev.\u0430zure.com")},
		{"IDN: punycode of it", req("https", "dev.xn--zure-43d.com")},
		{"IDN: Greek omicron in .com", req("https", "dev.azure.c\u03bfm")},
		{"IDN: fullwidth dots", req("https", "dev\uff0eazure\uff0ecom")},
		{"userinfo: dev.azure.com@evil.example", req("https", "dev.azure.com@evil.example")},
		{"userinfo: evil.example@dev.azure.com", req("https", "evil.example@dev.azure.com")},
		{"port: another port of a configured host", req("https", ip+":"+spyPort)},
		{"port: dev.azure.com on another port", req("https", "dev.azure.com:8443")},
		{"scheme: http to dev.azure.com", req("http", "dev.azure.com")},
		{"scheme: http to a configured host", req("http", configured)},
		{"scheme: ssh", req("ssh", "dev.azure.com")},
		{"scheme: none", "host=dev.azure.com\npath=contoso/web/_git/web\n\n"},
	}
}

func TestHostAllowlistGit(t *testing.T) {
	w := newRepoWorld(t)
	signInWithPassword(t, w.World, "git-credential-aad")
	w.nonInteractive()
	target := newSpy(t, w.World, true)
	// Anything that left for a host by name would end at the guard.
	guard := w.GuardEgress()
	w.Entra.ResetCounts()
	for _, c := range gitLookalikes(w.Repos.Host(), target.port()) {
		t.Run(c.name, func(t *testing.T) {
			r := w.Run(c.request, "git-credential-aad", "get")
			if r.Code != 0 || r.Stdout != "" || r.Stderr != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want silence and exit 0", r.Code, r.Stdout, r.Stderr)
			}
		})
	}
	if n := w.Entra.Count(fakeentra.EndpointAny); n != 0 {
		t.Errorf("%d requests to Entra ID", n)
	}
	if n := w.Repos.Probes() + int(target.hits.Load()); n != 0 {
		t.Errorf("%d requests to the organisation or the other port", n)
	}
	if attempts := guard.Attempts(); len(attempts) != 0 {
		t.Errorf("requests left for %q", attempts)
	}
}

// dockerServerLookalikes are server URLs docker may hand the helper for a registry that is not an
// Azure Container Registry nor the configured one (configured is that host, spyPort another port
// on it).
func dockerServerLookalikes(configured, spyPort string) []struct{ name, serverURL string } {
	ip, _, _ := net.SplitHostPort(configured)
	return []struct{ name, serverURL string }{
		{"Docker Hub", "https://index.docker.io/v1/"},
		{"a registry by name", "ghcr.io"},
		{"Microsoft's public registry", "mcr.microsoft.com/dotnet/runtime"},
		{"suffix: contoso.azurecr.io.attacker.example", "contoso.azurecr.io.attacker.example"},
		{"prefix: contosoazurecr.io", "contosoazurecr.io"},
		{"subdomain: the data endpoint", "contoso.eastus.data.azurecr.io"},
		{"IDN: Cyrillic a in azurecr.io", "contoso.\u0430zurecr.io"},
		{"userinfo: contoso.azurecr.io@evil.example", "https://contoso.azurecr.io@evil.example/"},
		{"port: another port of a configured host", ip + ":" + spyPort},
		{"host: localhost for a configured 127.0.0.1", strings.Replace(configured, "127.0.0.1", "localhost", 1)},
		{"host: another loopback address", strings.Replace(configured, "127.0.0.1", "127.0.0.2", 1)},
		{"scheme: http to a configured host", "http://" + configured},
	}
}

func TestHostAllowlistDockerServer(t *testing.T) {
	w := newACRWorld(t, fakeacr.Options{}, "")
	target := newSpy(t, w.World, true)
	// Anything that left for a host by name would end at the guard.
	guard := w.GuardEgress()
	connections := w.ACR.Connections()
	for _, c := range dockerServerLookalikes(w.ACR.Host(), target.port()) {
		t.Run(c.name, func(t *testing.T) {
			r := w.Run(c.serverURL+"\n", "docker-credential-aad", "get")
			if r.Code != 1 || r.Stdout != notFound || r.Stderr != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want docker's not-found answer", r.Code, r.Stdout, r.Stderr)
			}
		})
	}
	if n := w.Entra.TokenRequests(); n != 0 {
		t.Errorf("%d Entra token requests for hosts that get nothing", n)
	}
	if n := w.ACR.Connections() - connections + int(target.hits.Load()); n != 0 {
		t.Errorf("%d connections to the registry or the other port", n)
	}
	if attempts := guard.Attempts(); len(attempts) != 0 {
		t.Errorf("requests left for %q", attempts)
	}
}

// dockerRealmLookalikes are ways a configured registry's challenge, or its exchange, points
// somewhere else: hostile makes the fake registry do it (other is a TLS server on another port,
// plain a plain http one).
func dockerRealmLookalikes() []struct {
	name    string
	hostile func(acr *fakeacr.Server, other, plain string)
} {
	realm := func(url func(registry, other, plain string) string) func(*fakeacr.Server, string, string) {
		return func(acr *fakeacr.Server, other, plain string) { acr.SetRealm(url(acr.Host(), other, plain)) }
	}
	return []struct {
		name    string
		hostile func(acr *fakeacr.Server, other, plain string)
	}{
		{"realm on another host", realm(func(registry, _, _ string) string {
			return "https://" + strings.Replace(registry, "127.0.0.1", "localhost", 1) + "/oauth2/token"
		})},
		{"realm on a subdomain", realm(func(registry, _, _ string) string { return "https://evil." + registry + "/oauth2/token" })},
		{"realm on another port", realm(func(_, other, _ string) string { return "https://" + other + "/oauth2/token" })},
		{"realm over http", realm(func(_, _, plain string) string { return "http://" + plain + "/oauth2/token" })},
		{"realm with userinfo", realm(func(registry, _, _ string) string { return "https://user@" + registry + "/oauth2/token" })},
		{"exchange redirected", func(acr *fakeacr.Server, other, _ string) {
			acr.RedirectExchanges("https://" + other + "/oauth2/exchange")
		}},
	}
}

// TestHostAllowlistDockerRealm is a configured registry whose challenge, or whose exchange,
// points somewhere else: the Entra token goes nowhere.
func TestHostAllowlistDockerRealm(t *testing.T) {
	for _, c := range dockerRealmLookalikes() {
		t.Run(c.name, func(t *testing.T) {
			aw := newACRWorld(t, fakeacr.Options{}, "")
			other, plain := newSpy(t, aw.World, true), newSpy(t, aw.World, false)
			c.hostile(aw.ACR, other.host(), plain.host())
			_, r := aw.get(t, aw.ACR.Host())
			t.Logf("what a person sees:\n%s", r.Stderr)
			if r.Code != 1 {
				t.Errorf("exit %d, want 1", r.Code)
			}
			if n := int(other.hits.Load() + plain.hits.Load()); n != 0 {
				t.Errorf("%d requests reached the other host", n)
			}
			if x := aw.ACR.Exchanges(); len(x) > 0 && c.name != "exchange redirected" {
				t.Errorf("the registry was sent the token although its challenge pointed elsewhere")
			}
		})
	}
}
