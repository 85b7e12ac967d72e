package fakeentra

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"time"
)

// tenantOrDefault is DefaultTenant for an empty tenant.
func tenantOrDefault(tenant string) string {
	if tenant == "" {
		return DefaultTenant
	}
	return tenant
}

// NewServicePrincipal registers a confidential app with one client secret in tenant (a GUID
// or verified domain; DefaultTenant when empty). It returns empty strings if the tenant is
// neither.
func (s *Server) NewServicePrincipal(tenant string) (clientID, secret string) {
	clientID, secret = newGUID(), "fake~"+randomToken(30)
	s.issued.add(SecretClientSecret, secret)
	err := s.AddApp(App{ClientID: clientID, Tenant: tenantOrDefault(tenant), DisplayName: "service principal", Secrets: []string{secret}})
	if err != nil {
		s.logf("fakeentra: registering a service principal: %v", err)
		return "", ""
	}
	return clientID, secret
}

// NewCertificateApp registers a confidential app that authenticates with a new self-signed
// RSA certificate, and returns the certificate and its PKCS#8 key as PEM. It returns empty
// values if the tenant is unknown.
func (s *Server) NewCertificateApp(tenant string) (clientID string, certPEM, keyPEM []byte) {
	clientID = newGUID()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		s.logf("fakeentra: generating a certificate key: %v", err)
		return "", nil, nil
	}
	now := s.now()
	template := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "fakeentra app " + clientID},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		s.logf("fakeentra: creating an app certificate: %v", err)
		return "", nil, nil
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		s.logf("fakeentra: parsing an app certificate: %v", err)
		return "", nil, nil
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		s.logf("fakeentra: encoding an app key: %v", err)
		return "", nil, nil
	}
	if err := s.AddApp(App{ClientID: clientID, Tenant: tenantOrDefault(tenant), DisplayName: "certificate app", Certificates: []*x509.Certificate{cert}}); err != nil {
		s.logf("fakeentra: registering a certificate app: %v", err)
		return "", nil, nil
	}
	return clientID,
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
}

// NewFederatedApp registers a confidential app that trusts tokens from issuer about subject
// for audience api://AzureADTokenExchange. The issuer must be KubernetesIssuer() or
// GitHubActionsIssuer(); for any other, register a Federation with its Key through AddApp.
// It returns "" if the tenant is unknown.
func (s *Server) NewFederatedApp(tenant, issuer, subject string) (clientID string) {
	clientID = newGUID()
	err := s.AddApp(App{
		ClientID: clientID, Tenant: tenantOrDefault(tenant), DisplayName: "federated app",
		Federations: []Federation{{Issuer: issuer, Subject: subject, Audience: FederationAudience}},
	})
	if err != nil {
		s.logf("fakeentra: registering a federated app: %v", err)
		return ""
	}
	return clientID
}
