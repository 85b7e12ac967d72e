package fakeentra

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Paths of the managed-identity endpoints, as the real ones are.
const (
	imdsTokenPath  = "/metadata/identity/oauth2/token"
	appServicePath = "/msi/token"
	cloudShellPath = "/oauth2/token"
)

// IMDSEndpoint returns the base URL of the fake IMDS ("http://127.0.0.1:<port>"); the token
// path is /metadata/identity/oauth2/token.
func (s *Server) IMDSEndpoint() string { return s.imdsURL }

// AppServiceEndpoint returns the App Service token endpoint (IDENTITY_ENDPOINT).
func (s *Server) AppServiceEndpoint() string { return s.appSvcURL }

// AppServiceHeader returns the secret the App Service endpoint expects in X-IDENTITY-HEADER
// (IDENTITY_HEADER).
func (s *Server) AppServiceHeader() string { return s.appSvcHeader }

// CloudShellEndpoint returns the Cloud Shell token endpoint (MSI_ENDPOINT).
func (s *Server) CloudShellEndpoint() string { return s.cloudShell }

// ArcEndpoint returns the Azure Arc token endpoint (IDENTITY_ENDPOINT on an Arc machine).
func (s *Server) ArcEndpoint() string { return s.arcURL }

// ArcKeyDir returns the directory the Arc endpoint writes its challenge .key files to.
func (s *Server) ArcKeyDir() string { return s.arcKeyDir }

// SystemManagedIdentity returns the system-assigned identity's registration.
func (s *Server) SystemManagedIdentity() ManagedIdentity {
	mi, _ := s.dir.managedIdentity("", "", "")
	if mi == nil {
		return ManagedIdentity{}
	}
	return *mi
}

func (s *Server) imdsRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(imdsTokenPath, s.endpoint(EndpointIMDS, http.HandlerFunc(s.handleIMDS)))
	return mux
}

func (s *Server) appServiceRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(appServicePath, s.endpoint(EndpointAppService, http.HandlerFunc(s.handleAppService)))
	return mux
}

func (s *Server) cloudShellRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(cloudShellPath, s.endpoint(EndpointCloudShell, http.HandlerFunc(s.handleCloudShell)))
	return mux
}

func (s *Server) arcRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(imdsTokenPath, s.endpoint(EndpointArc, http.HandlerFunc(s.handleArc)))
	return mux
}

// miToken is the managed-identity answer; every number is a string.
type miToken struct {
	AccessToken  string  `json:"access_token"`
	RefreshToken *string `json:"refresh_token,omitempty"`
	ClientID     string  `json:"client_id,omitempty"`
	ExpiresIn    string  `json:"expires_in,omitempty"`
	ExpiresOn    string  `json:"expires_on"`
	ExtExpiresIn string  `json:"ext_expires_in,omitempty"`
	NotBefore    string  `json:"not_before,omitempty"`
	Resource     string  `json:"resource"`
	TokenType    string  `json:"token_type"`
}

// writeMIError answers in the managed-identity endpoints' error shape.
func writeMIError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// miRequest is what every managed-identity source asks for once its own rules are checked.
type miRequest struct {
	resource                       string
	clientID, objectID, resourceID string
}

// selector reads at most one user-assigned identity selector from the named parameters.
func selector(w http.ResponseWriter, r *http.Request, clientParam string, objectParams []string, resourceParam string) (miRequest, bool) {
	q := r.Form
	m := miRequest{resource: q.Get("resource"), clientID: q.Get(clientParam), resourceID: q.Get(resourceParam)}
	given := 0
	for _, p := range append([]string{clientParam, resourceParam}, objectParams...) {
		if q.Get(p) != "" {
			given++
		}
	}
	for _, p := range objectParams {
		if v := q.Get(p); v != "" {
			m.objectID = v
		}
	}
	if given > 1 {
		writeMIError(w, http.StatusBadRequest, "invalid_request", "Only one of the user-assigned identity selectors may be given.")
		return m, false
	}
	if m.resource == "" {
		writeMIError(w, http.StatusBadRequest, "invalid_request", "Required audience parameter not specified")
		return m, false
	}
	return m, true
}

// requireAPIVersion checks the api-version query parameter.
func requireAPIVersion(w http.ResponseWriter, r *http.Request, accepted ...string) bool {
	v := r.URL.Query().Get("api-version")
	if v == "" {
		writeMIError(w, http.StatusBadRequest, "invalid_request", "Required query variable 'api-version' is missing")
		return false
	}
	for _, a := range accepted {
		if v == a {
			return true
		}
	}
	writeMIError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("Invalid API version %q; this endpoint supports %s", v, strings.Join(accepted, ", ")))
	return false
}

// mintMIToken issues an app-only v1 token for a managed identity.
func (s *Server) mintMIToken(w http.ResponseWriter, m miRequest) (*ManagedIdentity, accessToken, bool) {
	mi, err := s.dir.managedIdentity(m.clientID, m.objectID, m.resourceID)
	if err != nil {
		writeMIError(w, http.StatusBadRequest, "invalid_request", "Identity not found")
		return nil, accessToken{}, false
	}
	res, ok := s.dir.resource(m.resource)
	if !ok {
		writeMIError(w, http.StatusBadRequest, "invalid_resource",
			fmt.Sprintf("AADSTS50001: The application named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", m.resource, mi.Tenant))
		return nil, accessToken{}, false
	}
	p := principal{tenantID: mi.Tenant, clientID: mi.ClientID, auth: authCertificate, objectID: mi.ObjectID, miResourceID: mi.ResourceID}
	at, err := s.mintAccessToken(p, target{resource: res, audience: m.resource}, 1)
	if err != nil {
		writeMIError(w, http.StatusInternalServerError, "unknown", "The fake could not sign the token.")
		s.logf("fakeentra: minting managed-identity token: %v", err)
		return nil, accessToken{}, false
	}
	return mi, at, true
}

// imdsAnswer is the IMDS/Arc/Cloud Shell answer for at.
func imdsAnswer(at accessToken, clientID, resource string) miToken {
	empty := ""
	in := strconv.FormatInt(seconds(at.lifetime), 10)
	return miToken{
		AccessToken: at.raw, RefreshToken: &empty, ClientID: clientID,
		ExpiresIn: in, ExpiresOn: strconv.FormatInt(at.expires.Unix(), 10), ExtExpiresIn: in,
		NotBefore: strconv.FormatInt(at.notBefore.Unix(), 10), Resource: resource, TokenType: "Bearer",
	}
}

// handleIMDS is the VM metadata service's token endpoint (REFERENCE.md §2.2).
func (s *Server) handleIMDS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeMIError(w, http.StatusMethodNotAllowed, "invalid_request", "The token endpoint only accepts GET.")
		return
	}
	if r.Header.Get("X-Forwarded-For") != "" {
		writeMIError(w, http.StatusBadRequest, "invalid_request", "Request was forwarded by a proxy; IMDS must be reached directly.")
		return
	}
	if r.Header.Get("Metadata") != "true" {
		writeMIError(w, http.StatusBadRequest, "bad_request_102", "Required metadata header not specified")
		return
	}
	if !requireAPIVersion(w, r, "2018-02-01", "2019-08-01") {
		return
	}
	m, ok := selector(w, r, "client_id", []string{"object_id"}, "msi_res_id")
	if !ok {
		return
	}
	mi, at, ok := s.mintMIToken(w, m)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, imdsAnswer(at, mi.ClientID, m.resource))
}

// handleAppService is the App Service / Functions / Container Apps endpoint (REFERENCE.md §2.3).
func (s *Server) handleAppService(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeMIError(w, http.StatusMethodNotAllowed, "invalid_request", "The token endpoint only accepts GET.")
		return
	}
	if !constantTimeEqual(r.Header.Get("X-IDENTITY-HEADER"), s.appSvcHeader) {
		writeMIError(w, http.StatusUnauthorized, "unauthorized", "The X-IDENTITY-HEADER header is missing or does not match.")
		return
	}
	if !requireAPIVersion(w, r, "2019-08-01") {
		return
	}
	m, ok := selector(w, r, "client_id", []string{"principal_id", "object_id"}, "mi_res_id")
	if !ok {
		return
	}
	mi, at, ok := s.mintMIToken(w, m)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, miToken{
		AccessToken: at.raw, ExpiresOn: strconv.FormatInt(at.expires.Unix(), 10),
		Resource: m.resource, TokenType: "Bearer", ClientID: mi.ClientID,
	})
}

// handleCloudShell is Cloud Shell's endpoint (REFERENCE.md §2.4): a POST form, and the token
// is the signed-in user's (DefaultUser through the Azure CLI client).
func (s *Server) handleCloudShell(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeMIError(w, http.StatusMethodNotAllowed, "invalid_request", "The token endpoint only accepts POST.")
		return
	}
	if r.Header.Get("Metadata") != "true" {
		writeMIError(w, http.StatusBadRequest, "bad_request_102", "Required metadata header not specified")
		return
	}
	resource := r.PostForm.Get("resource")
	if resource == "" {
		writeMIError(w, http.StatusBadRequest, "invalid_request", "Required audience parameter not specified")
		return
	}
	t, err := s.parseResource(resource, "", DefaultTenant)
	if err != nil {
		writeMIError(w, http.StatusBadRequest, "invalid_resource", fmt.Sprintf("AADSTS50001: The application named %s was not found in the tenant.", resource))
		return
	}
	user, ok := s.dir.user(DefaultUser)
	if !ok {
		writeMIError(w, http.StatusBadRequest, "invalid_request", "No user is signed in to Cloud Shell.")
		return
	}
	p := principal{tenantID: user.Tenant, clientID: AzureCLIClientID, auth: authNone, user: user}
	at, err := s.mintAccessToken(p, t, 1)
	if err != nil {
		writeMIError(w, http.StatusInternalServerError, "unknown", "The fake could not sign the token.")
		return
	}
	writeJSON(w, http.StatusOK, imdsAnswer(at, "", resource))
}

// handleArc is the Azure Arc agent's endpoint (REFERENCE.md §2.5): a 401 challenge naming a
// key file, then the same request with the file's contents as Basic credentials. Only the
// system identity exists; user-assigned selectors are ignored, as older agents do.
func (s *Server) handleArc(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeMIError(w, http.StatusMethodNotAllowed, "invalid_request", "The token endpoint only accepts GET.")
		return
	}
	if r.Header.Get("Metadata") != "true" {
		writeMIError(w, http.StatusBadRequest, "bad_request_102", "Required metadata header not specified")
		return
	}
	if !requireAPIVersion(w, r, "2020-06-01", "2019-11-01") {
		return
	}
	resource := r.Form.Get("resource")
	if resource == "" {
		writeMIError(w, http.StatusBadRequest, "invalid_request", "Required audience parameter not specified")
		return
	}
	secret, hasBasic := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
	s.mu.Lock()
	known := hasBasic && s.arcSecrets[secret]
	s.mu.Unlock()
	if !known {
		s.arcChallenge(w)
		return
	}
	mi, at, ok := s.mintMIToken(w, miRequest{resource: resource})
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, imdsAnswer(at, mi.ClientID, resource))
}

// arcChallenge writes a fresh secret to a .key file and names it in the challenge.
func (s *Server) arcChallenge(w http.ResponseWriter) {
	secret := randomToken(32)
	path := filepath.Join(s.arcKeyDir, randomToken(12)+".key")
	if err := os.WriteFile(path, []byte(secret), 0o600); err != nil {
		s.logf("fakeentra: writing Arc key file: %v", err)
		writeMIError(w, http.StatusInternalServerError, "unknown", "The fake could not write the key file.")
		return
	}
	s.mu.Lock()
	s.arcSecrets[secret] = true
	s.mu.Unlock()
	w.Header().Set("WWW-Authenticate", "Basic realm="+path)
	writeMIError(w, http.StatusUnauthorized, "unauthorized", "Authentication with the key file named in WWW-Authenticate is required.")
}
