package fakeentra

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// EntraError is an error answer in Entra ID's shape. Faults use it to return any AADSTS error;
// the fake's own protocol errors are built from it too.
type EntraError struct {
	// Error is the OAuth error code clients branch on, e.g. "invalid_grant".
	Error string
	// Code is the AADSTS number, e.g. 50173.
	Code int
	// Description is the text after "AADSTSnnnn: ".
	Description string
	// Suberror is sent as "suberror" when set, e.g. "bad_token".
	Suberror string
	// Claims is sent as "claims" when set: a JSON claims challenge.
	Claims string
	// Status is the HTTP status; zero means 401 for invalid_client and 400 otherwise.
	Status int
}

// entraErrorBody is the JSON body Entra ID sends with every error.
type entraErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	Timestamp        string `json:"timestamp"`
	TraceID          string `json:"trace_id"`
	CorrelationID    string `json:"correlation_id"`
	ErrorURI         string `json:"error_uri"`
	Suberror         string `json:"suberror,omitempty"`
	Claims           string `json:"claims,omitempty"`
}

// oauthError carries an EntraError through the fake's handlers as a Go error.
type oauthError struct{ e EntraError }

func (o *oauthError) Error() string { return fmt.Sprintf("%s (AADSTS%d)", o.e.Error, o.e.Code) }

// fail builds an oauthError.
func fail(oauthCode string, aadsts int, format string, args ...any) error {
	return &oauthError{EntraError{Error: oauthCode, Code: aadsts, Description: fmt.Sprintf(format, args...)}}
}

// entraTimestamp is the layout of "timestamp" and of the description's Timestamp line.
const entraTimestamp = "2006-01-02 15:04:05Z"

// writeEntraError writes e in Entra's exact shape. The correlation ID echoes the client's
// client-request-id header when it sent one, as Entra does.
func (s *Server) writeEntraError(w http.ResponseWriter, r *http.Request, e EntraError) {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
		if e.Error == "invalid_client" {
			status = http.StatusUnauthorized
		}
	}
	traceID := newGUID()
	correlationID := r.Header.Get("client-request-id")
	if !isGUID(correlationID) {
		correlationID = newGUID()
	}
	ts := s.now().UTC().Format(entraTimestamp)
	body := entraErrorBody{
		Error: e.Error,
		ErrorDescription: fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			e.Code, e.Description, traceID, correlationID, ts),
		ErrorCodes:    []int{e.Code},
		Timestamp:     ts,
		TraceID:       traceID,
		CorrelationID: correlationID,
		ErrorURI:      s.URL() + "/error?code=" + strconv.Itoa(e.Code),
		Suberror:      e.Suberror,
		Claims:        e.Claims,
	}
	w.Header().Set("x-ms-request-id", traceID)
	w.Header().Set("client-request-id", correlationID)
	if e.Error == "invalid_client" && status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm=""`)
	}
	writeJSON(w, status, body)
}

// writeError answers err: an oauthError in Entra's shape, anything else as a server_error.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var oe *oauthError
	if errors.As(err, &oe) {
		s.writeEntraError(w, r, oe.e)
		return
	}
	s.logf("fakeentra: internal error: %v", err)
	s.writeEntraError(w, r, EntraError{Error: "server_error", Code: 90000,
		Description: "The fake hit an internal error; see its log.", Status: http.StatusInternalServerError})
}

// writeJSON writes v as a JSON answer that no cache may keep.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// The errors below are the ones the fake's protocol handlers raise, named after their meaning.
// Their texts follow Entra's where they are known; the numbers are Entra's.

func errMissingParameter(name string) error {
	return fail("invalid_request", 900144, "The request body must contain the following parameter: '%s'.", name)
}

func errNotPost(method string) error {
	return &oauthError{EntraError{Error: "invalid_request", Code: 900561,
		Description: fmt.Sprintf("The endpoint only accepts POST requests. Received a %s request.", method),
		Status:      http.StatusMethodNotAllowed}}
}

func errTenantNotFound(segment string) error {
	return fail("invalid_request", 90002, "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", segment)
}

func errAppNotFound(clientID, directory string) error {
	return fail("unauthorized_client", 700016, "Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, directory)
}

func errResourceNotFound(resource, tenant string) error {
	return fail("invalid_resource", 500011, "The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", resource, tenant)
}

func errResourceParameterOnV2() error {
	return fail("invalid_request", 901002, "The 'resource' request parameter is not supported.")
}

func errSeveralResources(scope string) error {
	return fail("invalid_scope", 700022, "The provided value for the input parameter scope is not valid because it contains more than one resource. Scope %s is not valid.", scope)
}

func errInvalidScope(scope string) error {
	return fail("invalid_scope", 70011, "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope %s is not valid.", scope)
}

func errClientCredentialsScope(scope string) error {
	return fail("invalid_scope", 1002012, "The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)
}

func errTenantRequired() error {
	return fail("invalid_request", 9001023, "The grant type is not supported over the /common, /organizations or /consumers endpoints. Please use a tenant-specific endpoint.")
}

func errAADOnlyOnConsumers(clientID string) error {
	return fail("invalid_request", 9002332, "Application '%s' is configured for use by Azure Active Directory users only. Please do not use the /consumers endpoint to serve this request.", clientID)
}

func errSingleTenantOnCommon(clientID string) error {
	return fail("invalid_request", 50194, "Application '%s' is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications. Use a tenant-specific endpoint or configure the application to be multi-tenant.", clientID)
}

func errPublicClientSentCredential() error {
	return fail("invalid_client", 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
}

func errConfidentialClientNoCredential() error {
	return fail("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
}

func errBasicAuthentication() error {
	return fail("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'. Client credentials in an HTTP Basic Authorization header are not accepted.")
}

func errWrongSecret(clientID string) error {
	return fail("invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", clientID)
}

func errUserNotFound(tenant string) error {
	return fail("invalid_grant", 50034, "The user account {EmailHidden} does not exist in the '%s' directory. To sign into this application, the account must be added to the directory.", tenant)
}

func errUserNotInTenant(tenant string) error {
	return fail("invalid_grant", 50020, "User account {EmailHidden} from identity provider 'live.com' does not exist in tenant '%s' and cannot access the application in that tenant.", tenant)
}

func errWrongPassword() error {
	return fail("invalid_grant", 50126, "Error validating credentials due to invalid username or password.")
}

func errMFARequired(resource string) error {
	return &oauthError{EntraError{Error: "interaction_required", Code: 50076,
		Description: fmt.Sprintf("Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '%s'.", resource),
		Claims:      `{"access_token":{"capolids":{"essential":true,"values":["00000000-0000-0000-0000-00000000fa17"]}}}`}}
}

func errMalformedGrant() error {
	return fail("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
}

func errGrantRevoked(issued, validFrom time.Time) error {
	return &oauthError{EntraError{Error: "invalid_grant", Code: 50173, Suberror: "bad_token",
		Description: fmt.Sprintf("The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '%s' and the TokensValidFrom date (before which tokens are not valid) for this user is '%s'.",
			issued.UTC().Format("2006-01-02T15:04:05.0000000Z"), validFrom.UTC().Format("2006-01-02T15:04:05.0000000Z"))}}
}

func errRefreshTokenInactive(lastUsed time.Time) error {
	return &oauthError{EntraError{Error: "invalid_grant", Code: 700082, Suberror: "bad_token",
		Description: fmt.Sprintf("The refresh token has expired due to inactivity. The token was issued on %s and was inactive for 90.00:00:00.", lastUsed.UTC().Format(time.RFC3339))}}
}

func errGrantForOtherClient() error {
	return fail("invalid_grant", 70000, "Provided grant is invalid or malformed. The grant was issued to a different client.")
}

func errCodeRedeemed() error {
	return fail("invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
}

func errCodeExpired() error {
	return fail("invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
}

func errRedirectMismatch(redirectURI, clientID string) error {
	return fail("invalid_grant", 50011, "The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'.", redirectURI, clientID)
}

func errVerifierMismatch() error {
	return fail("invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
}

func errUnsupportedGrantType(grantType string) error {
	return fail("unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'.", grantType)
}
