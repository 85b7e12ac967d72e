package fakeentra

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// signInLifetime bounds how long a sign-in page stays usable.
const signInLifetime = time.Hour

// browserBehaviour is how authorize requests complete without a person.
type browserBehaviour struct {
	upn              string // sign in as this user at once
	errCode, errDesc string // or fail with this error
}

// authorizeParams is a validated authorize request.
type authorizeParams struct {
	version      int
	tenant       tenantRef
	app          *App
	redirectURI  string
	responseMode string // query, fragment or form_post
	state        string
	nonce        string
	challenge    string
	target       *target // nil for a v1 request without resource
	loginHint    string
}

// pendingSignIn is an authorize request waiting for the sign-in form.
type pendingSignIn struct {
	params  authorizeParams
	created time.Time
}

// SetBrowserUser makes authorize requests complete at once, signed in as upn, until changed.
// An empty upn returns to the sign-in form.
func (s *Server) SetBrowserUser(upn string) error {
	if upn != "" {
		if _, ok := s.dir.user(upn); !ok {
			return fmt.Errorf("no user %q is registered", upn)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.browser = browserBehaviour{upn: upn}
	return nil
}

// SetBrowserError makes authorize requests redirect back with error and error_description,
// until changed. An empty code returns to the sign-in form.
func (s *Server) SetBrowserError(code, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.browser = browserBehaviour{errCode: code, errDesc: description}
}

// handleAuthorize serves /{tenant}/oauth2/authorize (version 1) and /oauth2/v2.0/authorize.
// Until the redirect URI is known to be registered, errors are shown on a page; after, they
// are sent back to the redirect URI, as Entra does.
func (s *Server) handleAuthorize(version int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, POST")
			s.errorPage(w, http.StatusMethodNotAllowed, errNotPost(r.Method))
			return
		}
		p, err := s.authorizeClient(r, version)
		if err != nil {
			s.errorPage(w, http.StatusBadRequest, err)
			return
		}
		if err := s.authorizeRequest(r, &p); err != nil {
			s.redirectError(w, p, err)
			return
		}
		s.mu.Lock()
		b := s.browser
		s.mu.Unlock()
		switch {
		case b.errCode != "":
			s.redirect(w, p, url.Values{"error": {b.errCode}, "error_description": {b.errDesc}})
		case b.upn != "":
			user, ok := s.dir.user(b.upn)
			if !ok {
				s.redirectError(w, p, errUserNotFound(p.tenant.segment))
				return
			}
			s.completeSignIn(w, p, user)
		case r.Form.Get("prompt") == "none":
			s.redirectError(w, p, fail("login_required", 50058, "A silent sign-in request was sent but no user is signed in."))
		default:
			id := randomToken(24)
			s.mu.Lock()
			now := s.now()
			for k, v := range s.signins {
				if now.Sub(v.created) > signInLifetime {
					delete(s.signins, k)
				}
			}
			s.signins[id] = &pendingSignIn{params: p, created: now}
			s.mu.Unlock()
			s.signInPage(w, http.StatusOK, p.tenant.segment, id, p.loginHint, "")
		}
	}
}

// authorizeClient validates the tenant, the client and the redirect URI: the parts that decide
// whether it is safe to redirect at all.
func (s *Server) authorizeClient(r *http.Request, version int) (authorizeParams, error) {
	ref, ok := s.dir.resolveTenant(r.PathValue("tenant"))
	if !ok {
		return authorizeParams{}, errTenantNotFound(r.PathValue("tenant"))
	}
	app, err := s.lookupClient(r.Form.Get("client_id"), ref)
	if err != nil {
		return authorizeParams{}, err
	}
	redirectURI := r.Form.Get("redirect_uri")
	if redirectURI == "" {
		return authorizeParams{}, errMissingParameter("redirect_uri")
	}
	if !redirectRegistered(app, redirectURI) {
		return authorizeParams{}, fail("invalid_request", 50011, "The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.", redirectURI, app.ClientID)
	}
	return authorizeParams{version: version, tenant: ref, app: app, redirectURI: redirectURI,
		responseMode: "query", state: r.Form.Get("state")}, nil
}

// authorizeRequest validates the rest of the request into p.
func (s *Server) authorizeRequest(r *http.Request, p *authorizeParams) error {
	f := r.Form
	switch mode := f.Get("response_mode"); mode {
	case "", "query":
	case "fragment", "form_post":
		p.responseMode = mode
	default:
		return fail("invalid_request", 90011, "The response_mode '%s' is not supported.", mode)
	}
	if rt := f.Get("response_type"); rt != "code" {
		if rt == "" {
			return errMissingParameter("response_type")
		}
		return fail("unsupported_response_type", 700054, "response_type '%s' is not enabled for the application.", rt)
	}
	p.nonce = f.Get("nonce")
	p.loginHint = f.Get("login_hint")
	if p.version == 2 {
		if f.Get("resource") != "" {
			return errResourceParameterOnV2()
		}
		t, err := s.parseScope(f.Get("scope"), p.tenant.segment)
		if err != nil {
			return err
		}
		p.target = &t
	} else if res := f.Get("resource"); res != "" {
		t, err := s.parseResource(res, f.Get("scope"), p.tenant.segment)
		if err != nil {
			return err
		}
		p.target = &t
	}
	if challenge := f.Get("code_challenge"); challenge != "" {
		switch method := f.Get("code_challenge_method"); method {
		case "S256":
		case "", "plain":
			return fail("invalid_request", 50148, "The code_challenge_method 'plain' is not supported; send code_challenge_method=S256.")
		default:
			return fail("invalid_request", 50148, "The code_challenge_method '%s' is not supported; send code_challenge_method=S256.", method)
		}
		if len(challenge) != 43 || !isBase64URL(challenge) {
			return fail("invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
		}
		p.challenge = challenge
	}
	return nil
}

// redirectRegistered matches a redirect URI against the app's registrations. A loopback
// registration (http://localhost or http://127.0.0.1) matches any port on that host with the
// same path; anything else must match exactly.
func redirectRegistered(app *App, redirectURI string) bool {
	got, err := url.Parse(redirectURI)
	if err != nil || got.Fragment != "" {
		return false
	}
	for _, registered := range app.RedirectURIs {
		if registered == redirectURI {
			return true
		}
		want, err := url.Parse(registered)
		if err != nil || want.Scheme != "http" || got.Scheme != "http" {
			continue
		}
		host := want.Hostname()
		if host != "localhost" && host != "127.0.0.1" {
			continue
		}
		if got.Hostname() != host {
			continue
		}
		if strings.TrimSuffix(got.Path, "/") == strings.TrimSuffix(want.Path, "/") {
			return true
		}
	}
	return false
}

// completeSignIn issues an authorization code for user and sends it to the redirect URI.
func (s *Server) completeSignIn(w http.ResponseWriter, p authorizeParams, user *User) {
	tenantID, err := userTenant(p.tenant, user)
	if err != nil {
		s.redirectError(w, p, err)
		return
	}
	code := "1.A" + randomToken(64)
	s.issued.add(SecretAuthCode, code)
	s.mu.Lock()
	s.codes[code] = &authorizationCode{
		clientID: p.app.ClientID, redirectURI: p.redirectURI, challenge: p.challenge,
		target: p.target, version: p.version, upn: user.UPN, tenantID: tenantID,
		nonce: p.nonce, issued: s.now(),
	}
	s.mu.Unlock()
	s.redirect(w, p, url.Values{"code": {code}, "session_state": {newGUID()}})
}

// redirectError sends an error back to the redirect URI in Entra's words.
func (s *Server) redirectError(w http.ResponseWriter, p authorizeParams, err error) {
	e := EntraError{Error: "server_error", Code: 90000, Description: err.Error()}
	if oe, ok := err.(*oauthError); ok {
		e = oe.e
	}
	s.redirect(w, p, url.Values{
		"error":             {e.Error},
		"error_description": {fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", e.Code, e.Description, newGUID(), newGUID(), s.now().UTC().Format(entraTimestamp))},
		"error_uri":         {s.URL() + fmt.Sprintf("/error?code=%d", e.Code)},
	})
}

// redirect sends values (plus state) to the redirect URI in the request's response mode.
func (s *Server) redirect(w http.ResponseWriter, p authorizeParams, values url.Values) {
	if p.state != "" {
		values.Set("state", p.state)
	}
	switch p.responseMode {
	case "form_post":
		s.formPostPage(w, p.redirectURI, values)
	case "fragment":
		u, _ := url.Parse(p.redirectURI)
		u.Fragment = ""
		w.Header().Set("Location", u.String()+"#"+values.Encode())
		w.WriteHeader(http.StatusFound)
	default:
		u, _ := url.Parse(p.redirectURI)
		q := u.Query()
		for k, v := range values {
			q[k] = v
		}
		u.RawQuery = q.Encode()
		w.Header().Set("Location", u.String())
		w.WriteHeader(http.StatusFound)
	}
}

// handleSignIn receives the sign-in form.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	id := r.PostForm.Get("ctx")
	s.mu.Lock()
	pending, ok := s.signins[id]
	if ok && s.now().Sub(pending.created) > signInLifetime {
		delete(s.signins, id)
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		s.errorPage(w, http.StatusBadRequest, fail("invalid_request", 90015, "The sign-in session is unknown or has expired. Start the sign-in again."))
		return
	}
	upn := r.PostForm.Get("login")
	user, found := s.dir.user(upn)
	if !found || user.Password == "" || !constantTimeEqual(user.Password, r.PostForm.Get("passwd")) {
		s.signInPage(w, http.StatusOK, pending.params.tenant.segment, id, upn, "Your account or password is incorrect.")
		return
	}
	if _, err := userTenant(pending.params.tenant, user); err != nil {
		s.signInPage(w, http.StatusOK, pending.params.tenant.segment, id, upn, "This account does not exist in the organisation's directory.")
		return
	}
	s.mu.Lock()
	delete(s.signins, id)
	s.mu.Unlock()
	s.completeSignIn(w, pending.params, user)
}

// isBase64URL reports whether s uses only the base64url alphabet (no padding).
func isBase64URL(s string) bool {
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
