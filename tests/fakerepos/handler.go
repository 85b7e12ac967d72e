package fakerepos

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ServeHTTP authenticates the request the way Azure DevOps does and hands git's requests to git
// http-backend.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	org, rest := route(r.URL.Path)
	s.mu.Lock()
	tenant, known := s.orgs[strings.ToLower(org)]
	s.mu.Unlock()
	if !known {
		http.Error(w, "TF400813: the organization does not exist", http.StatusNotFound)
		return
	}
	token, ok := credentials(r)
	if !ok {
		if r.Method == http.MethodHead && rest == "" {
			s.mu.Lock()
			s.probes++
			s.mu.Unlock()
		}
		s.challenge(w, tenant, "")
		return
	}
	if err := s.authenticate(token, tenant); err != nil {
		s.mu.Lock()
		s.rejected++
		s.mu.Unlock()
		s.challenge(w, tenant, fmt.Sprintf("TF400813: The user is not authorized to access this resource (%v).", err))
		return
	}
	if rest == "" {
		w.WriteHeader(http.StatusOK)
		return
	}
	s.backend.ServeHTTP(w, r)
}

// route splits a request path into the organisation and the rest: /contoso/web/_git/web/info/refs
// is "contoso" and "web/_git/web/info/refs".
func route(path string) (org, rest string) {
	org, rest, _ = strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return org, rest
}

// credentials returns the token a request carries, and whether it carries credentials at all:
// the password of Basic credentials with a non-empty user name (Azure DevOps refuses an empty
// one), or a Bearer token. Credentials it cannot use give no token.
func credentials(r *http.Request) (token string, present bool) {
	if r.Header.Get("Authorization") == "" {
		return "", false
	}
	if user, password, ok := r.BasicAuth(); ok {
		if user == "" {
			return "", true
		}
		return password, true
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "Bearer") {
		return token, true
	}
	return "", true
}

// authenticate checks a token as Azure DevOps would, and records it.
func (s *Server) authenticate(token, tenant string) error {
	claims, err := s.verifier.Verify(token, AzureDevOpsResource)
	if err != nil {
		return err
	}
	if now := s.now(); !now.Before(claims.Expiry) {
		return fmt.Errorf("token expired at %s", claims.Expiry.UTC().Format(time.RFC3339))
	}
	if tenant != PersonalAccounts && !strings.EqualFold(claims.TenantID, tenant) {
		return fmt.Errorf("token is from tenant %s, the organization's is %s", claims.TenantID, tenant)
	}
	id, _ := claims.Raw["uti"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revoked[id] {
		return errRevoked
	}
	for _, t := range s.accepted {
		if t.ID == id {
			return nil
		}
	}
	s.accepted = append(s.accepted, Token{ID: id, TenantID: claims.TenantID, UPN: claims.UPN, AppID: claims.AppID, Expiry: claims.Expiry})
	return nil
}

// challenge answers 401 with Azure DevOps's headers (REFERENCE.md 3.7).
func (s *Server) challenge(w http.ResponseWriter, tenant, message string) {
	h := w.Header()
	if tenant == PersonalAccounts {
		h.Add("WWW-Authenticate", `Basic realm="`+s.URL()+`/"`)
		h.Add("WWW-Authenticate", "Bearer")
	} else {
		h.Add("WWW-Authenticate", "Bearer authorization_uri="+s.entra.URL()+"/"+tenant)
		h.Add("WWW-Authenticate", `Basic realm="`+s.URL()+`/"`)
	}
	h.Add("WWW-Authenticate", "TFS-Federated")
	h.Set("X-VSS-ResourceTenant", tenant)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	if message == "" {
		message = "TF400813: Resource not available for anonymous access. Client authentication required."
	}
	fmt.Fprintln(w, message)
}
