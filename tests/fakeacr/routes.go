package fakeacr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// nullGUID is the user name that marks an ACR refresh token in basic credentials.
const nullGUID = "00000000-0000-0000-0000-000000000000"

// maxForm bounds a request body.
const maxForm = 1 << 20

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth2/exchange", s.handleExchange)
	mux.HandleFunc("/oauth2/token", s.handleToken)
	mux.HandleFunc("/v2/", s.handleRegistry)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Ms-Correlation-Request-Id", correlationID())
		mux.ServeHTTP(w, r)
	})
}

// writeError answers in the distribution error format that ACR uses.
func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": code, "message": message}}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// challenge asks for a bearer token, naming scope when the call needs one.
func (s *Server) challenge(w http.ResponseWriter, scope, message string) {
	s.mu.Lock()
	realm := s.realm
	s.mu.Unlock()
	if realm == "" {
		realm = s.URL() + "/oauth2/token"
	}
	h := fmt.Sprintf("Bearer realm=%q,service=%q", realm, s.host)
	if scope != "" {
		h += fmt.Sprintf(",scope=%q", scope)
	}
	w.Header().Set("Www-Authenticate", h)
	writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", message)
}

// audiences are the Entra audiences the registry accepts: ACR's own always, ARM's unless the
// authentication-as-arm policy is disabled.
var (
	acrAudiences = []string{fakeentra.ACRResource, fakeentra.ACRAppID}
	armAudiences = []string{fakeentra.ManagementResource, strings.TrimSuffix(fakeentra.ManagementResource, "/"),
		fakeentra.ManagementCoreResource, fakeentra.ARMAppID}
)

func (s *Server) handleExchange(w http.ResponseWriter, r *http.Request) {
	x := Exchange{}
	status := s.exchange(w, r, &x)
	x.Status = status
	s.mu.Lock()
	s.exchanges = append(s.exchanges, x)
	s.mu.Unlock()
	s.log("fakeacr: exchange service=%s tenant=%s upn=%s audience=%s -> %d", x.Service, x.Tenant, x.UPN, x.Audience, status)
}

// exchange serves /oauth2/exchange, filling x, and returns the status it answered.
func (s *Server) exchange(w http.ResponseWriter, r *http.Request, x *Exchange) int {
	s.mu.Lock()
	delay, redirect := s.delay, s.redirect
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
		}
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "use POST")
		return http.StatusMethodNotAllowed
	}
	if redirect != "" {
		http.Redirect(w, r, redirect, http.StatusTemporaryRedirect)
		return http.StatusTemporaryRedirect
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "BAD_REQUEST", "unreadable form")
		return http.StatusBadRequest
	}
	x.Service, x.Tenant = r.PostForm.Get("service"), r.PostForm.Get("tenant")
	if f := s.takeFailure(); f != nil {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		writeError(w, f.Status, f.Code, f.Message)
		return f.Status
	}
	if g := r.PostForm.Get("grant_type"); g != "access_token" {
		writeError(w, http.StatusBadRequest, "UNSUPPORTED", fmt.Sprintf("grant_type %q is not supported", g))
		return http.StatusBadRequest
	}
	if x.Service != s.host {
		writeError(w, http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("service %q is not this registry", x.Service))
		return http.StatusBadRequest
	}
	token := r.PostForm.Get("access_token")
	claims, arm, err := s.verifyEntraToken(token)
	if err != nil {
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", err.Error())
		return http.StatusUnauthorized
	}
	x.TokenTenant, x.ObjectID, x.UPN, x.Audience = claims.TenantID, claims.ObjectID, claims.UPN, claims.Audience
	switch {
	case arm && s.noARM:
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "arm aad token disallowed: the registry's authentication-as-arm policy is disabled")
		return http.StatusUnauthorized
	case x.Tenant != "" && !strings.EqualFold(x.Tenant, claims.TenantID):
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "the tenant parameter does not match the token's tenant")
		return http.StatusUnauthorized
	case !strings.EqualFold(claims.TenantID, s.tenant):
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "the token's tenant is not the registry's tenant")
		return http.StatusUnauthorized
	}
	rt, err := s.issueRefreshToken(*x)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "INTERNAL", err.Error())
		return http.StatusInternalServerError
	}
	writeJSON(w, map[string]string{"refresh_token": rt})
	return http.StatusOK
}

// verifyEntraToken checks an Entra access token for one of the accepted audiences and says
// whether it was ARM's.
func (s *Server) verifyEntraToken(token string) (*fakeentra.Claims, bool, error) {
	if token == "" {
		return nil, false, errors.New("access_token is missing")
	}
	var last error
	for _, aud := range append(append([]string{}, acrAudiences...), armAudiences...) {
		c, err := s.verifier.Verify(token, aud)
		if err == nil {
			return c, !contains(acrAudiences, aud), nil
		}
		last = err
		if !errors.Is(err, fakeentra.ErrWrongAudience) {
			break
		}
	}
	return nil, false, fmt.Errorf("the Entra token was refused: %v", last)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// handleToken serves /oauth2/token: an ACR refresh token in, an access token out.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenRequests++
	s.mu.Unlock()
	var rt string
	var scopes []string
	switch r.Method {
	case http.MethodGet:
		user, pass, ok := r.BasicAuth()
		if !ok || (user != nullGUID && user != "<token>") {
			writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "basic credentials with the null-GUID user name and an ACR refresh token are required")
			return
		}
		rt, scopes = pass, r.URL.Query()["scope"]
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "refresh_token" {
			writeError(w, http.StatusBadRequest, "UNSUPPORTED", "grant_type=refresh_token is required")
			return
		}
		rt, scopes = r.PostForm.Get("refresh_token"), r.PostForm["scope"]
	default:
		writeError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "use GET or POST")
		return
	}
	var split []string
	for _, s := range scopes {
		split = append(split, strings.Fields(s)...)
	}
	claims, err := s.checkRefreshToken(rt)
	if err != nil {
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "invalid refresh token: "+err.Error())
		return
	}
	at, err := s.issueAccessToken(claims, split)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BAD_REQUEST", err.Error())
		return
	}
	writeJSON(w, map[string]any{"access_token": at, "expires_in": int(s.atLife.Seconds())})
}

// handleRegistry requires an access token for the repository and action of each call, then
// hands the call to the real registry.
func (s *Server) handleRegistry(w http.ResponseWriter, r *http.Request) {
	name, action := repositoryOf(r)
	scope := ""
	if name != "" {
		scope = "repository:" + name + ":" + action
		if action == "push" {
			scope = "repository:" + name + ":pull,push"
		}
	}
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		s.challenge(w, scope, "authentication required")
		return
	}
	var claims accessClaims
	if err := s.parse(bearer, &claims); err != nil {
		s.challenge(w, scope, "invalid access token: "+err.Error())
		return
	}
	if name != "" && !claims.allows(name, action) {
		s.challenge(w, scope, fmt.Sprintf("the access token does not allow %s on %s", action, name))
		return
	}
	s.registry.ServeHTTP(w, r)
}

// repositoryOf names the repository a registry call is about and the action it needs.
func repositoryOf(r *http.Request) (name, action string) {
	path := strings.TrimPrefix(r.URL.Path, "/v2/")
	for _, sep := range []string{"/manifests/", "/blobs/", "/tags/", "/referrers/"} {
		if i := strings.LastIndex(path, sep); i > 0 {
			name = path[:i]
			break
		}
	}
	action = "pull"
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		action = "push"
	}
	return name, action
}
