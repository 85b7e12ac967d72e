package core_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/clientcert"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// versions runs f once for the v2 and once for the v1 endpoints.
func versions(t *testing.T, f func(t *testing.T, v entra.Version)) {
	for _, v := range []entra.Version{entra.V2, entra.V1} {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			f(t, v)
		})
	}
}

// appRequest is an application's request for target in the fake's default tenant.
func (w *world) appRequest(method core.Method, clientID string, target core.Target, v entra.Version, cred core.Credential) core.Request {
	req := w.request(method, target)
	req.Tenant, req.ClientID, req.Version, req.Credential = fakeentra.DefaultTenant, clientID, v, cred
	req.NoCache = true
	return req
}

func TestClientSecret(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		w := newWorld(t, fakeentra.Options{}, nil)
		clientID, secret := w.fake.NewServicePrincipal("")
		req := w.appRequest(core.ClientSecret, clientID, core.Resource(core.AzureDevOpsResource), v, core.Credential{ClientSecret: secret})
		tok := acquire(t, w.uncachedClient(), req)
		claims := w.checkToken(tok, core.AzureDevOpsResource, labels{tenantID: fakeentra.DefaultTenant})
		if claims.IdentityType != "app" || claims.AppID != clientID || tok.UPN != "" {
			t.Errorf("want an app-only token for %s; claims %+v", clientID, claims)
		}
		if tok.RefreshToken != "" {
			t.Error("an app-only answer came with a refresh token")
		}

		req.Credential.ClientSecret = "wrong~" + secret
		_, err := w.uncachedClient().Acquire(context.Background(), req)
		wantError(t, err, "invalid_client", "7000215")
		noSecrets(t, err, secret, req.Credential.ClientSecret)
	})
}

func TestClientCertificatePEMAndPFX(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		w := newWorld(t, fakeentra.Options{}, nil)
		clientID, certPEM, keyPEM := w.fake.NewCertificateApp("")
		dir := t.TempDir()
		pemPath := filepath.Join(dir, "app.pem")
		writeFile(t, pemPath, append(append([]byte{}, keyPEM...), certPEM...))
		pfxPath := filepath.Join(dir, "app.pfx")
		const password = "pfx-password-1234"
		writeFile(t, pfxPath, encodePFX(t, certPEM, keyPEM, password))

		for _, c := range []struct {
			name string
			cred core.Credential
		}{
			{"PEM", core.Credential{CertificatePath: pemPath}},
			{"PEM with x5c", core.Credential{CertificatePath: pemPath, SendCertificateChain: true}},
			{"PFX", core.Credential{CertificatePath: pfxPath, CertificatePassword: password}},
			{"loaded", core.Credential{Certificate: loadCert(t, pfxPath, password)}},
		} {
			req := w.appRequest(core.ClientCert, clientID, core.Scope("https://vault.azure.net/.default"), v, c.cred)
			tok, err := w.uncachedClient().Acquire(context.Background(), req)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			claims := w.checkToken(tok, fakeentra.KeyVaultResource, labels{tenantID: fakeentra.DefaultTenant})
			// Key Vault takes v1 access tokens from either endpoint; appidacr 2 means a certificate.
			if claims.AppID != clientID || claims.Raw["appidacr"] != "2" {
				t.Errorf("%s: want a token for %s authenticated by certificate; claims %v", c.name, clientID, claims.Raw)
			}
		}

		req := w.appRequest(core.ClientCert, clientID, core.Resource(fakeentra.KeyVaultResource), v,
			core.Credential{CertificatePath: pfxPath, CertificatePassword: "not-the-" + password})
		_, err := w.uncachedClient().Acquire(context.Background(), req)
		if !errors.Is(err, clientcert.ErrWrongPassword) {
			t.Errorf("a wrong PFX password gave %v, want an error matching clientcert.ErrWrongPassword", err)
		}
		wantError(t, err, "client certificate")
		noSecrets(t, err, password, req.Credential.CertificatePassword)
		if n := w.fake.TokenRequests(); n != 4 {
			t.Errorf("the fake saw %d token requests, want 4 (none for the unreadable PFX)", n)
		}
	})
}

// TestClientCertificateSubjectNameIssuer proves that x5c is sent when asked: an app registered
// by subject name and issuer accepts a renewed certificate only from its chain.
func TestClientCertificateSubjectNameIssuer(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	clientID, certPEM, _ := w.fake.NewCertificateApp("")
	registered := parseCert(t, certPEM)
	renewedKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		RawSubject:   registered.RawSubject,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &renewedKey.PublicKey, renewedKey)
	if err != nil {
		t.Fatal(err)
	}
	renewed := &clientcert.Credential{Signer: renewedKey, Leaf: mustParse(t, der)}

	req := w.appRequest(core.ClientCert, clientID, core.Resource(core.AzureDevOpsResource), entra.V2, core.Credential{Certificate: renewed})
	_, err = w.uncachedClient().Acquire(context.Background(), req)
	wantError(t, err, "50012")

	req.Credential.SendCertificateChain = true
	tok := acquire(t, w.uncachedClient(), req)
	w.checkToken(tok, core.AzureDevOpsResource, labels{tenantID: fakeentra.DefaultTenant})
}

func TestWorkloadIdentityTokenFile(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		w := newWorld(t, fakeentra.Options{}, nil)
		const subject = "system:serviceaccount:build:deployer"
		clientID := w.fake.NewFederatedApp("", w.fake.KubernetesIssuer(), subject)
		tokenFile := filepath.Join(t.TempDir(), "azure-identity-token")
		writeFile(t, tokenFile, []byte(w.fake.IssueServiceAccountToken(subject, fakeentra.FederationAudience)+"\n"))
		req := w.appRequest(core.WorkloadIdentity, clientID, core.Resource(core.ContainerRegistryResource), v,
			core.Credential{FederatedTokenFile: tokenFile})

		tok := acquire(t, w.uncachedClient(), req)
		w.checkToken(tok, core.ContainerRegistryResource, labels{tenantID: fakeentra.DefaultTenant})

		// kubelet rotates the file: every acquisition must read what is there now. A token for
		// a subject the app does not trust is refused, and a fresh good one works again.
		writeFile(t, tokenFile, []byte(w.fake.IssueServiceAccountToken("system:serviceaccount:build:intruder", fakeentra.FederationAudience)))
		_, err := w.uncachedClient().Acquire(context.Background(), req)
		wantError(t, err, "70021")
		writeFile(t, tokenFile, []byte(w.fake.IssueServiceAccountToken(subject, fakeentra.FederationAudience)))
		acquire(t, w.uncachedClient(), req)

		writeFile(t, tokenFile, nil)
		_, err = w.uncachedClient().Acquire(context.Background(), req)
		wantError(t, err, "federated token file", "empty")
	})
}

func TestWorkloadIdentityGitHubActions(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		w := newWorld(t, fakeentra.Options{}, nil)
		clientID := w.fake.NewFederatedApp("", w.fake.GitHubActionsIssuer(), fakeentra.GitHubActionsSubject)
		requestURL, requestToken := w.fake.GitHubActionsOIDC()
		req := w.appRequest(core.WorkloadIdentity, clientID, core.Resource(core.AKSServerID), v,
			core.Credential{GitHubOIDCRequestURL: requestURL, GitHubOIDCRequestToken: requestToken})

		tok := acquire(t, w.uncachedClient(), req)
		w.checkToken(tok, core.AKSServerID, labels{tenantID: fakeentra.DefaultTenant})
		if n := w.fake.Count(fakeentra.EndpointWorkload); n != 1 {
			t.Errorf("GitHub's OIDC endpoint was asked %d times, want 1", n)
		}

		req.Credential.GitHubOIDCRequestToken = "not-" + requestToken
		_, err := w.uncachedClient().Acquire(context.Background(), req)
		wantError(t, err, "GitHub Actions")
		noSecrets(t, err, requestToken, req.Credential.GitHubOIDCRequestToken)
	})
}

func TestAppCredentialMissing(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	dirAsFile := t.TempDir()
	for _, c := range []struct {
		method core.Method
		cred   core.Credential
		want   []string
	}{
		{core.ClientSecret, core.Credential{}, []string{"client secret", "AZURE_CLIENT_SECRET"}},
		{core.ClientCert, core.Credential{}, []string{"certificate", "AZURE_CLIENT_CERTIFICATE_PATH"}},
		{core.ClientCert, core.Credential{CertificatePath: filepath.Join(dirAsFile, "missing.pem")}, []string{"loading the client certificate", "missing.pem"}},
		{core.WorkloadIdentity, core.Credential{}, []string{"federated token", "AZURE_FEDERATED_TOKEN_FILE"}},
		{core.WorkloadIdentity, core.Credential{FederatedTokenFile: filepath.Join(dirAsFile, "gone")}, []string{"reading the federated token file", "gone"}},
		// A directory stands in for a file nobody can read: the tests may run as root.
		{core.WorkloadIdentity, core.Credential{FederatedTokenFile: dirAsFile}, []string{"reading the federated token file"}},
		{core.OnBehalfOf, core.Credential{ClientSecret: "s3cret"}, []string{"incoming user token"}},
		{core.OnBehalfOf, core.Credential{UserAssertion: "a.b.c"}, []string{"application's own credential"}},
		{core.RefreshToken, core.Credential{}, []string{"needs a refresh token"}},
		{core.Password, core.Credential{Username: "alice@contoso.onmicrosoft.com"}, []string{"username and a password", "AZURE_PASSWORD"}},
	} {
		req := w.appRequest(c.method, "11111111-1111-4111-8111-111111111111", core.Resource(core.AzureDevOpsResource), entra.V2, c.cred)
		_, err := w.uncachedClient().Acquire(context.Background(), req)
		wantError(t, err, c.want...)
	}
	if n := w.fake.TokenRequests(); n != 0 {
		t.Errorf("the fake saw %d token requests for requests that lack a credential", n)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func parseCert(t *testing.T, certPEM []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(certPEM)
	if block == nil {
		t.Fatal("no PEM certificate")
	}
	return mustParse(t, block.Bytes)
}

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// encodePFX packs a PEM certificate and PKCS#8 key into a password-protected PFX.
func encodePFX(t *testing.T, certPEM, keyPEM []byte, password string) []byte {
	t.Helper()
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		t.Fatal("no PEM key")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := pkcs12.Modern.Encode(key, parseCert(t, certPEM), nil, password)
	if err != nil {
		t.Fatal(err)
	}
	return pfx
}

func loadCert(t *testing.T, path, password string) *clientcert.Credential {
	t.Helper()
	c, err := clientcert.Load(path, password)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
