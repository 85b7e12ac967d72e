package fakeentra

import (
	"crypto"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Paths of the workload-identity issuers the fake hosts on its own authority.
const (
	kubernetesIssuerPath = "/workload/kubernetes"
	githubIssuerPath     = "/workload/github"
	githubTokenPath      = "/workload/github/token"
)

// GitHubActionsSubject is the subject of the fake GitHub Actions OIDC tokens.
const GitHubActionsSubject = "repo:contoso/web:ref:refs/heads/main"

// workloadIssuers holds the signing keys of the Kubernetes-like and GitHub Actions issuers,
// made on first use: most tests never need them.
type workloadIssuers struct {
	once         sync.Once
	kubernetes   *signingKey
	github       *signingKey
	err          error
	requestToken string
}

func (wi *workloadIssuers) keys() (kubernetes, github *signingKey, err error) {
	wi.once.Do(func() {
		// RSA key generation is slow and varies a lot; make both keys at once.
		var wg sync.WaitGroup
		var errK8s, errGH error
		wg.Go(func() { wi.kubernetes, errK8s = newSigningKey("fakeentra kubernetes service account issuer", nil) })
		wg.Go(func() { wi.github, errGH = newSigningKey("fakeentra github actions issuer", nil) })
		wg.Wait()
		wi.err = errors.Join(errK8s, errGH)
	})
	return wi.kubernetes, wi.github, wi.err
}

// key returns the signing key of the issuer hosted at path.
func (wi *workloadIssuers) key(path string) (*signingKey, error) {
	k8s, gh, err := wi.keys()
	if err != nil {
		return nil, err
	}
	if path == githubIssuerPath {
		return gh, nil
	}
	return k8s, nil
}

// publicKey returns the verification key of one of the server's own issuers, or nil.
func (wi *workloadIssuers) publicKey(s *Server, issuer string) crypto.PublicKey {
	var path string
	switch issuer {
	case s.KubernetesIssuer():
		path = kubernetesIssuerPath
	case s.GitHubActionsIssuer():
		path = githubIssuerPath
	default:
		return nil
	}
	k, err := wi.key(path)
	if err != nil {
		return nil
	}
	return &k.private.PublicKey
}

// KubernetesIssuer returns the issuer URL of the fake Kubernetes service-account tokens.
func (s *Server) KubernetesIssuer() string { return s.URL() + kubernetesIssuerPath }

// GitHubActionsIssuer returns the issuer URL of the fake GitHub Actions OIDC tokens.
func (s *Server) GitHubActionsIssuer() string { return s.URL() + githubIssuerPath }

// IssueServiceAccountToken returns a projected service-account token, as kubelet writes to
// AZURE_FEDERATED_TOKEN_FILE, for subject (e.g. "system:serviceaccount:ns:name") and
// audience, valid for an hour. It returns "" only if the issuer's key cannot be made.
func (s *Server) IssueServiceAccountToken(subject, audience string) string {
	k, err := s.issuers.key(kubernetesIssuerPath)
	if err != nil {
		s.logf("fakeentra: making the Kubernetes issuer key: %v", err)
		return ""
	}
	now := s.now().Truncate(time.Second)
	claims := map[string]any{
		"iss": s.KubernetesIssuer(), "sub": subject, "aud": []string{audience},
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": newGUID(),
	}
	if rest, ok := strings.CutPrefix(subject, "system:serviceaccount:"); ok {
		if ns, name, ok := strings.Cut(rest, ":"); ok {
			claims["kubernetes.io"] = map[string]any{"namespace": ns, "serviceaccount": map[string]string{"name": name, "uid": newGUID()}}
		}
	}
	tok, err := k.sign(claims)
	if err != nil {
		s.logf("fakeentra: signing service-account token: %v", err)
		return ""
	}
	return tok
}

// GitHubActionsOIDC returns what GitHub Actions puts in ACTIONS_ID_TOKEN_REQUEST_URL and
// ACTIONS_ID_TOKEN_REQUEST_TOKEN. GET <url>&audience=<aud> with "Authorization: bearer
// <token>" answers {"value":"<jwt>"}, a token from GitHubActionsIssuer about
// GitHubActionsSubject.
func (s *Server) GitHubActionsOIDC() (requestURL, requestToken string) {
	return s.URL() + githubTokenPath + "?api-version=2.0", s.issuers.requestToken
}

// handleGitHubActionsToken serves the Actions ID-token request.
func (s *Server) handleGitHubActionsToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "Method not allowed"})
		return
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") || !constantTimeEqual(token, s.issuers.requestToken) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	audience := r.Form.Get("audience")
	if audience == "" {
		audience = "https://github.com/contoso"
	}
	k, err := s.issuers.key(githubIssuerPath)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "issuer key unavailable"})
		return
	}
	now := s.now().Truncate(time.Second)
	tok, err := k.sign(map[string]any{
		"iss": s.GitHubActionsIssuer(), "sub": GitHubActionsSubject, "aud": audience,
		"iat": now.Unix(), "nbf": now.Add(-5 * time.Second).Unix(), "exp": now.Add(10 * time.Minute).Unix(),
		"jti": newGUID(), "repository": "contoso/web", "ref": "refs/heads/main", "event_name": "push",
		"runner_environment": "github-hosted",
	})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "signing failed"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": 1, "value": tok})
}

// handleIssuerConfiguration serves an issuer's OpenID configuration.
func (s *Server) handleIssuerConfiguration(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                                s.URL() + path,
			"jwks_uri":                              s.URL() + path + "/openid/v1/jwks",
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	}
}

// handleIssuerKeys serves an issuer's JWKS.
func (s *Server) handleIssuerKeys(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		k, err := s.issuers.key(path)
		if err != nil {
			http.Error(w, "issuer key unavailable", http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, jsonWebKeySet{Keys: []jsonWebKey{k.jwk("")}})
	}
}
