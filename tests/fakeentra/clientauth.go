package fakeentra

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"time"
)

const jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// clockSkew is the leeway Entra allows on assertion times.
const clockSkew = 5 * time.Minute

// How a client authenticated; the values are those of the appidacr / azpacr claims.
const (
	authNone        = "0"
	authSecret      = "1"
	authCertificate = "2"
)

// lookupClient finds the app a request names and checks it may be used on the tenant.
func (s *Server) lookupClient(clientID string, ref tenantRef) (*App, error) {
	if clientID == "" {
		return nil, errMissingParameter("client_id")
	}
	app, ok := s.dir.app(clientID)
	if !ok || (ref.id != "" && app.Tenant != "" && app.Tenant != ref.id) {
		return nil, errAppNotFound(clientID, ref.segment)
	}
	switch {
	case ref.alias == "consumers":
		return nil, errAADOnlyOnConsumers(clientID)
	case ref.alias != "" && app.Tenant != "":
		return nil, errSingleTenantOnCommon(clientID)
	}
	return app, nil
}

// authenticateClient identifies and authenticates the client of a token request from the body
// alone. It returns the app and how it authenticated (authNone for a public client).
func (s *Server) authenticateClient(req *tokenRequest) (*App, string, error) {
	if auth := req.r.Header.Get("Authorization"); auth != "" {
		return nil, "", errBasicAuthentication()
	}
	app, err := s.lookupClient(req.form.Get("client_id"), req.tenant)
	if err != nil {
		return nil, "", err
	}
	secret := req.form.Get("client_secret")
	assertion := req.form.Get("client_assertion")
	assertionType := req.form.Get("client_assertion_type")
	if app.Public {
		if secret != "" || assertion != "" {
			return nil, "", errPublicClientSentCredential()
		}
		return app, authNone, nil
	}
	switch {
	case secret == "" && assertion == "":
		return nil, "", errConfidentialClientNoCredential()
	case secret != "" && assertion != "":
		return nil, "", fail("invalid_request", 90015, "Only one of 'client_secret' and 'client_assertion' may be presented.")
	case secret != "":
		for _, registered := range app.Secrets {
			if subtle.ConstantTimeCompare([]byte(registered), []byte(secret)) == 1 {
				return app, authSecret, nil
			}
		}
		return nil, "", errWrongSecret(app.ClientID)
	}
	if assertionType != jwtBearerAssertionType {
		return nil, "", fail("invalid_client", 7000216, "'client_assertion_type' must be '%s' when 'client_assertion' is presented.", jwtBearerAssertionType)
	}
	tok, err := parseJWT(assertion)
	if err != nil {
		return nil, "", fail("invalid_client", 50027, "JWT token is invalid or malformed: %v.", err)
	}
	// A certificate assertion is self-issued (iss is the client); anything else issued to an
	// app with federated credentials is an external workload token.
	if !strings.EqualFold(tok.claims.str("iss"), app.ClientID) && len(app.Federations) > 0 {
		err = s.verifyFederatedAssertion(app, tok)
	} else {
		err = s.verifyCertificateAssertion(app, tok, req.tokenURL)
	}
	if err != nil {
		return nil, "", err
	}
	return app, authCertificate, nil
}

// verifyCertificateAssertion checks a client assertion signed with a registered certificate's
// key (entra-docs certificate-credentials.md).
func (s *Server) verifyCertificateAssertion(app *App, tok *parsedJWT, tokenURL string) error {
	cert, err := matchCertificate(app, tok.header)
	if err != nil {
		return err
	}
	now := s.now()
	if now.After(cert.NotAfter) {
		return fail("invalid_client", 700027, "Client assertion failed signature validation. [Reason - The key used is expired.]")
	}
	if err := tok.verifySignature(cert.PublicKey); err != nil {
		return fail("invalid_client", 700027, "Client assertion failed signature validation. [Reason - %v.]", err)
	}
	c := tok.claims
	for _, name := range []string{"aud", "exp", "iss", "jti", "nbf", "sub"} {
		if _, ok := c[name]; !ok {
			return fail("invalid_client", 50027, "JWT token is invalid or malformed: the client assertion has no '%s' claim.", name)
		}
	}
	if !strings.EqualFold(c.str("iss"), app.ClientID) || !strings.EqualFold(c.str("sub"), app.ClientID) {
		return fail("invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.")
	}
	if !slices.Contains(c.strs("aud"), tokenURL) {
		return fail("invalid_client", 700023, "Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials. Expected audience: '%s'.", tokenURL)
	}
	if err := assertionTimes(c, now); err != nil {
		return err
	}
	exp, _ := c.numericDate("exp")
	return s.rememberAssertionID(app.ClientID, c.str("jti"), exp, now)
}

// matchCertificate finds the registered certificate an assertion header points at: by SHA-256
// or SHA-1 thumbprint, else by subject and issuer of the x5c leaf (SN+I).
func matchCertificate(app *App, h jwtHeader) (*x509.Certificate, error) {
	for _, c := range app.Certificates {
		s256 := sha256.Sum256(c.Raw)
		s1 := sha1.Sum(c.Raw)
		if h.X5tS256 != "" && h.X5tS256 == base64.RawURLEncoding.EncodeToString(s256[:]) {
			return c, nil
		}
		if h.X5t != "" && h.X5t == base64.RawURLEncoding.EncodeToString(s1[:]) {
			return c, nil
		}
	}
	if len(h.X5c) > 0 {
		der, err := base64.StdEncoding.DecodeString(h.X5c[0])
		if err != nil {
			return nil, fail("invalid_client", 50027, "JWT token is invalid or malformed: x5c is not standard base64.")
		}
		leaf, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fail("invalid_client", 50027, "JWT token is invalid or malformed: x5c does not hold a certificate.")
		}
		for _, c := range app.Certificates {
			if bytes.Equal(c.RawSubject, leaf.RawSubject) && bytes.Equal(c.RawIssuer, leaf.RawIssuer) {
				return leaf, nil
			}
		}
	}
	thumb := h.X5tS256
	if thumb == "" {
		thumb = h.X5t
	}
	return nil, fail("invalid_client", 50012, "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '%s'. Configured keys for app '%s': %d.]", thumb, app.ClientID, len(app.Certificates))
}

// assertionTimes checks exp and nbf with Entra's clock skew.
func assertionTimes(c jwtClaims, now time.Time) error {
	exp, ok := c.numericDate("exp")
	if !ok {
		return fail("invalid_client", 50027, "JWT token is invalid or malformed: 'exp' is not a NumericDate.")
	}
	nbf, hasNBF := c.numericDate("nbf")
	if now.After(exp.Add(clockSkew)) || (hasNBF && now.Add(clockSkew).Before(nbf)) {
		return fail("invalid_client", 700024, "Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s.",
			now.UTC().Format(time.RFC3339), nbf.UTC().Format(time.RFC3339), exp.UTC().Format(time.RFC3339))
	}
	return nil
}

// rememberAssertionID refuses an assertion ID seen before for the client, and remembers this
// one until its assertion expires.
func (s *Server) rememberAssertionID(clientID, jti string, exp, now time.Time) error {
	if jti == "" {
		return fail("invalid_client", 50027, "JWT token is invalid or malformed: 'jti' is empty.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, until := range s.assertionIDs {
		if now.After(until.Add(clockSkew)) {
			delete(s.assertionIDs, k)
		}
	}
	key := strings.ToLower(clientID) + " " + jti
	if _, seen := s.assertionIDs[key]; seen {
		return fail("invalid_client", 50013, "Assertion is invalid: the assertion ID (jti) '%s' has already been used.", jti)
	}
	s.assertionIDs[key] = exp
	return nil
}

// verifyFederatedAssertion checks a token from an external issuer against the app's federated
// identity credentials.
func (s *Server) verifyFederatedAssertion(app *App, tok *parsedJWT) error {
	c := tok.claims
	iss, sub, aud := c.str("iss"), c.str("sub"), c.strs("aud")
	for _, f := range app.Federations {
		want := f.Audience
		if want == "" {
			want = FederationAudience
		}
		if f.Issuer != iss || f.Subject != sub || !slices.Contains(aud, want) {
			continue
		}
		key := f.Key
		if key == nil {
			key = s.issuers.publicKey(s, iss)
		}
		if key == nil {
			return fail("invalid_client", 700027, "Client assertion failed signature validation. [Reason - No key is known for issuer '%s'.]", iss)
		}
		if err := tok.verifySignature(key); err != nil {
			return fail("invalid_client", 700027, "Client assertion failed signature validation. [Reason - %v.]", err)
		}
		return assertionTimes(c, s.now())
	}
	return fail("invalid_request", 70021, "No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'.",
		iss, sub, strings.Join(aud, ","))
}

// tokenURLFor is the exact URL a request was posted to, which a client assertion's aud names.
func (s *Server) tokenURLFor(u *url.URL) string {
	return s.URL() + u.EscapedPath()
}
