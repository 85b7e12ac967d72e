package fakeentra

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// noRedirects is a client that stops at the first redirect, as a loopback listener sees it.
func noRedirects(s *Server) *http.Client {
	c := *s.HTTPClient()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

const testVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-some-more-entropy"

func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func authorizeQuery(redirect string) url.Values {
	return url.Values{"client_id": {VisualStudioClientID}, "response_type": {"code"}, "redirect_uri": {redirect},
		"scope": {AzureDevOpsResource + "/.default offline_access openid"}, "state": {"st4te"}, "nonce": {"n0nce"},
		"code_challenge": {challenge(testVerifier)}, "code_challenge_method": {"S256"}}
}

func authorizeURL(s *Server, q url.Values) string {
	return s.URL() + "/organizations/oauth2/v2.0/authorize?" + q.Encode()
}

func redeemCode(t *testing.T, s *Server, code, redirect, verifier string) answer {
	t.Helper()
	return post(t, s, v2Token("organizations"), url.Values{"grant_type": {"authorization_code"}, "client_id": {VisualStudioClientID},
		"code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}, "scope": {AzureDevOpsResource + "/.default offline_access openid"}})
}

// redirected returns the query of the Location an authorize answer redirects to.
func redirected(t *testing.T, a answer, redirect string) url.Values {
	t.Helper()
	if a.status != http.StatusFound {
		t.Fatalf("authorize answered %d, want 302: %s", a.status, a.raw)
	}
	loc, err := url.Parse(a.header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), redirect) {
		t.Fatalf("Location %q is not under %q", a.header.Get("Location"), redirect)
	}
	return loc.Query()
}

func TestAuthorizeCodeWithPKCE(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	if err := s.SetBrowserUser(DefaultUser); err != nil {
		t.Fatal(err)
	}
	redirect := "http://127.0.0.1:49152/"
	q := redirected(t, get(t, noRedirects(s), authorizeURL(s, authorizeQuery(redirect))), redirect)
	if q.Get("state") != "st4te" || q.Get("code") == "" {
		t.Fatalf("redirect query = %v", q)
	}
	tok := redeemCode(t, s, q.Get("code"), redirect, testVerifier)
	if tok.status != 200 || tok.str("refresh_token") == "" {
		t.Fatalf("redeeming: %d %s", tok.status, tok.raw)
	}
	if id := claimsOf(t, tok.str("id_token")); id["nonce"] != "n0nce" {
		t.Errorf("id_token nonce = %v", id["nonce"])
	}
	verify(t, s, tok.str("access_token"), AzureDevOpsResource)
	wantEntraError(t, redeemCode(t, s, q.Get("code"), redirect, testVerifier), 400, "invalid_grant", 54005)

	t.Run("wrong verifier spends the code", func(t *testing.T) {
		q := redirected(t, get(t, noRedirects(s), authorizeURL(s, authorizeQuery(redirect))), redirect)
		wantEntraError(t, redeemCode(t, s, q.Get("code"), redirect, testVerifier+"x"), 400, "invalid_grant", 501481)
		wantEntraError(t, redeemCode(t, s, q.Get("code"), redirect, testVerifier), 400, "invalid_grant", 54005)
	})
	t.Run("redirect URI differs at redemption", func(t *testing.T) {
		q := redirected(t, get(t, noRedirects(s), authorizeURL(s, authorizeQuery(redirect))), redirect)
		wantEntraError(t, redeemCode(t, s, q.Get("code"), "http://127.0.0.1:49153/", testVerifier), 400, "invalid_grant", 50011)
	})
	t.Run("localhost on any port", func(t *testing.T) {
		r := "http://localhost:61234"
		q := redirected(t, get(t, noRedirects(s), authorizeURL(s, authorizeQuery(r))), r)
		if tok := redeemCode(t, s, q.Get("code"), r, testVerifier); tok.status != 200 {
			t.Fatalf("%d %s", tok.status, tok.raw)
		}
	})
}

func TestAuthorizeErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	s.SetBrowserUser(DefaultUser)
	redirect := "http://127.0.0.1:49152/"

	bad := authorizeQuery("https://attacker.example/cb")
	if a := get(t, noRedirects(s), authorizeURL(s, bad)); a.status != 400 || !strings.Contains(a.raw, "AADSTS50011") {
		t.Errorf("an unregistered redirect URI got %d, want an error page with AADSTS50011: %s", a.status, a.raw)
	}
	unknown := authorizeQuery(redirect)
	unknown.Set("client_id", newGUID())
	if a := get(t, noRedirects(s), authorizeURL(s, unknown)); a.status != 400 || !strings.Contains(a.raw, "AADSTS700016") {
		t.Errorf("an unknown client got %d: %s", a.status, a.raw)
	}

	plain := authorizeQuery(redirect)
	plain.Set("code_challenge", testVerifier[:43])
	plain.Set("code_challenge_method", "plain")
	if q := redirected(t, get(t, noRedirects(s), authorizeURL(s, plain)), redirect); q.Get("error") != "invalid_request" || q.Get("state") != "st4te" {
		t.Errorf("plain PKCE: redirect query = %v", q)
	}

	s.SetBrowserError("access_denied", "the user said no")
	if q := redirected(t, get(t, noRedirects(s), authorizeURL(s, authorizeQuery(redirect))), redirect); q.Get("error") != "access_denied" || q.Get("error_description") != "the user said no" {
		t.Errorf("browser error: redirect query = %v", q)
	}
}

func TestAuthorizeSignInFormAndFormPost(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	redirect := "http://127.0.0.1:49152"
	q := authorizeQuery(redirect)
	q.Set("response_mode", "form_post")
	page := get(t, s.HTTPClient(), authorizeURL(s, q))
	m := regexp.MustCompile(`name="ctx" value="([^"]+)"`).FindStringSubmatch(page.raw)
	if page.status != 200 || m == nil {
		t.Fatalf("no sign-in form: %d %s", page.status, page.raw)
	}
	wrong := post(t, s, "/organizations/login", url.Values{"ctx": {m[1]}, "login": {DefaultUser}, "passwd": {"nope"}})
	if !strings.Contains(wrong.raw, "incorrect") {
		t.Errorf("a wrong password did not show an error: %s", wrong.raw)
	}
	done := post(t, s, "/organizations/login", url.Values{"ctx": {m[1]}, "login": {DefaultUser}, "passwd": {DefaultUserPassword}})
	if !strings.Contains(done.raw, `action="`+redirect+`"`) || !strings.Contains(done.raw, "submit()") {
		t.Fatalf("form_post page does not post to the redirect URI: %s", done.raw)
	}
	fields := map[string]string{}
	for _, f := range regexp.MustCompile(`name="([a-z_]+)" value="([^"]*)"`).FindAllStringSubmatch(done.raw, -1) {
		fields[f[1]] = html.UnescapeString(f[2])
	}
	if fields["state"] != "st4te" || fields["code"] == "" {
		t.Fatalf("form fields = %v", fields)
	}
	if tok := redeemCode(t, s, fields["code"], redirect, testVerifier); tok.status != 200 {
		t.Fatalf("redeeming the form_post code: %d %s", tok.status, tok.raw)
	}
}

func TestAuthorizeV1AndCodeExpiry(t *testing.T) {
	t.Parallel()
	clock := NewClock(time.Time{})
	s := startServer(t, Options{Now: clock.Now})
	s.SetBrowserUser(DefaultUser)
	redirect := "http://localhost:50000"
	q := url.Values{"client_id": {AKSClientID}, "response_type": {"code"}, "redirect_uri": {redirect}, "resource": {AKSServerAppID}, "state": {"s"}}
	code := redirected(t, get(t, noRedirects(s), s.URL()+"/"+DefaultTenant+"/oauth2/authorize?"+q.Encode()), redirect).Get("code")
	tok := post(t, s, v1Token(DefaultTenant), url.Values{"grant_type": {"authorization_code"}, "client_id": {AKSClientID}, "code": {code}, "redirect_uri": {redirect}})
	if tok.status != 200 || tok.str("resource") != AKSServerAppID {
		t.Fatalf("v1 redemption: %d %s", tok.status, tok.raw)
	}
	late := redirected(t, get(t, noRedirects(s), s.URL()+"/"+DefaultTenant+"/oauth2/authorize?"+q.Encode()), redirect).Get("code")
	clock.Advance(11 * time.Minute)
	wantEntraError(t, post(t, s, v1Token(DefaultTenant), url.Values{"grant_type": {"authorization_code"}, "client_id": {AKSClientID}, "code": {late}, "redirect_uri": {redirect}}), 400, "invalid_grant", 70008)
}

func TestAuthorizeFollowsRedirectsInGoClient(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	s.SetBrowserUser(DefaultUser)
	// The loopback listener a real client runs; a Go client following the redirect lands there.
	got := make(chan url.Values, 1)
	srv := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.URL.Query() })}
	ln := listenLoopback(t)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	redirect := "http://" + ln.Addr().String() + "/"
	get(t, s.HTTPClient(), authorizeURL(s, authorizeQuery(redirect)))
	select {
	case q := <-got:
		if q.Get("code") == "" || q.Get("state") != "st4te" {
			t.Errorf("loopback listener got %v", q)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the loopback listener was never reached")
	}
}
