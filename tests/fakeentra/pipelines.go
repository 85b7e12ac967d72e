package fakeentra

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// The fake Azure Pipelines: the OIDC endpoint a running job asks for the token of a service
// connection that uses workload identity federation (azidentity's AzurePipelinesCredential,
// kubelogin's azurepipelines mode). It is hosted on the authority's TLS listener.

// EndpointAzurePipelines is the kind of the Azure Pipelines OIDC endpoint's requests.
const EndpointAzurePipelines = "azurepipelines"

const (
	pipelinesPath = "/workload/azurepipelines"
	// pipelinesOrganization is the fake Azure DevOps organisation the jobs run in.
	pipelinesOrganization = "contoso"
	pipelinesProject      = "web"
)

// azurePipelines holds the fake Azure DevOps organisation's state, made on first use: its token
// issuer's key, the running job's access token and the service connections.
type azurePipelines struct {
	once        sync.Once
	key         *signingKey
	err         error
	accessToken string

	mu          sync.Mutex
	connections map[string]string // service connection ID → its name
}

func (p *azurePipelines) init() error {
	p.once.Do(func() {
		p.key, p.err = newSigningKey("fakeentra azure pipelines issuer", nil)
		p.accessToken = randomToken(52)
		p.connections = map[string]string{}
	})
	return p.err
}

// AzurePipelinesIssuer is the issuer of the fake service connections' tokens, as Azure DevOps'
// is https://vstoken.dev.azure.com/<organisation ID>.
func (s *Server) AzurePipelinesIssuer() string { return s.URL() + pipelinesPath + "/issuer" }

// AzurePipelinesSubject is the subject of a service connection's tokens, as Azure DevOps names it.
func AzurePipelinesSubject(connectionName string) string {
	return "sc://" + pipelinesOrganization + "/" + pipelinesProject + "/" + connectionName
}

// NewAzurePipelinesConnection registers, in tenant, an app with a federated credential for a
// new service connection called name, and returns the app's client ID and the connection's ID.
// It returns empty strings if the tenant is unknown.
func (s *Server) NewAzurePipelinesConnection(tenant, name string) (clientID, serviceConnectionID string) {
	if err := s.pipelines.init(); err != nil {
		s.logf("fakeentra: making the Azure Pipelines issuer key: %v", err)
		return "", ""
	}
	clientID, serviceConnectionID = newGUID(), newGUID()
	err := s.AddApp(App{
		ClientID: clientID, Tenant: tenantOrDefault(tenant), DisplayName: "azure pipelines service connection " + name,
		Federations: []Federation{{Issuer: s.AzurePipelinesIssuer(), Subject: AzurePipelinesSubject(name),
			Audience: FederationAudience, Key: &s.pipelines.key.private.PublicKey}},
	})
	if err != nil {
		s.logf("fakeentra: registering a service connection's app: %v", err)
		return "", ""
	}
	s.pipelines.mu.Lock()
	defer s.pipelines.mu.Unlock()
	s.pipelines.connections[serviceConnectionID] = name
	return clientID, serviceConnectionID
}

// AzurePipelinesJob returns what a running job hands its steps: SYSTEM_OIDCREQUESTURI and
// SYSTEM_ACCESSTOKEN. POST <uri>?api-version=7.1&serviceConnectionId=<id> with "Authorization:
// Bearer <token>" answers {"oidcToken":"<jwt>"}.
func (s *Server) AzurePipelinesJob() (oidcRequestURI, accessToken string) {
	if err := s.pipelines.init(); err != nil {
		s.logf("fakeentra: making the Azure Pipelines issuer key: %v", err)
	}
	return s.URL() + pipelinesPath + "/" + pipelinesOrganization + "/" + pipelinesProject +
		"/_apis/distributedtask/hubs/build/plans/" + newGUID() + "/jobs/" + newGUID() + "/oidctoken", s.pipelines.accessToken
}

// handleAzurePipelinesToken serves a job's OIDC token request, answering as Azure DevOps does.
func (s *Server) handleAzurePipelinesToken(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/oidctoken") {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeJSON(w, http.StatusMethodNotAllowed, devOpsError("The requested resource does not support http method '"+r.Method+"'."))
		return
	}
	if err := s.pipelines.init(); err != nil {
		writeJSON(w, http.StatusInternalServerError, devOpsError("issuer key unavailable"))
		return
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") || !constantTimeEqual(token, s.pipelines.accessToken) {
		// Without X-TFS-FedAuthRedirect: Suppress, Azure DevOps sends a browser to its sign-in page.
		if !strings.EqualFold(r.Header.Get("X-TFS-FedAuthRedirect"), "Suppress") {
			http.Redirect(w, r, s.URL()+"/_signin", http.StatusFound)
			return
		}
		writeJSON(w, http.StatusUnauthorized, devOpsError("TF400813: The user '' is not authorized to access this resource."))
		return
	}
	q := r.URL.Query()
	if q.Get("api-version") == "" {
		writeJSON(w, http.StatusBadRequest, devOpsError("No api-version was supplied for the \"POST\" request."))
		return
	}
	id := q.Get("serviceConnectionId")
	s.pipelines.mu.Lock()
	name, ok := s.pipelines.connections[id]
	s.pipelines.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusBadRequest, devOpsError("Service connection with id '"+id+"' was not found or is not authorized for this pipeline."))
		return
	}
	now := s.now().Truncate(time.Second)
	tok, err := s.pipelines.key.sign(map[string]any{
		"iss": s.AzurePipelinesIssuer(), "sub": AzurePipelinesSubject(name), "aud": FederationAudience,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "jti": newGUID(),
	})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, devOpsError("signing failed"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"oidcToken": tok})
}

// devOpsError is an error body in Azure DevOps' shape.
func devOpsError(message string) map[string]any {
	return map[string]any{"$id": "1", "innerException": nil, "message": message,
		"typeName": "Microsoft.TeamFoundation.Framework.Server.InvalidAccessException, Microsoft.TeamFoundation.Framework.Server",
		"typeKey":  "InvalidAccessException", "errorCode": 0, "eventId": 3000}
}
