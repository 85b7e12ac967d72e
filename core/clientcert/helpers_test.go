package clientcert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

// testPKI is a three-level chain: root signs intermediate signs leaf.
type testPKI struct {
	leafKey           crypto.Signer
	leaf, inter, root *x509.Certificate
	interKey, rootKey crypto.Signer
}

func newRSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generating RSA key: %v", err)
	}
	return key
}

func newECKey(t testing.TB, curve elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatalf("generating EC key: %v", err)
	}
	return key
}

// newCert issues a certificate for pub, signed by issuer (self-signed when
// issuer is nil, in which case pub must belong to issuerKey).
func newCert(t testing.TB, name string, pub crypto.PublicKey, issuer *x509.Certificate, issuerKey crypto.Signer, isCA bool) *x509.Certificate {
	t.Helper()
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatalf("generating serial: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
		BasicConstraintsValid: true,
		IsCA:                  isCA,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	if issuer == nil {
		issuer = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, pub, issuerKey)
	if err != nil {
		t.Fatalf("creating certificate %s: %v", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parsing certificate %s: %v", name, err)
	}
	return cert
}

// newPKI builds a chain whose leaf carries leafKey. The CA keys are P-256
// because they are cheap to generate and never need to be RSA.
func newPKI(t testing.TB, leafKey crypto.Signer) testPKI {
	t.Helper()
	rootKey := newECKey(t, elliptic.P256())
	interKey := newECKey(t, elliptic.P256())
	root := newCert(t, "test root", rootKey.Public(), nil, rootKey, true)
	inter := newCert(t, "test intermediate", interKey.Public(), root, rootKey, true)
	leaf := newCert(t, "test client", leafKey.Public(), inter, interKey, false)
	return testPKI{leafKey: leafKey, leaf: leaf, inter: inter, root: root, interKey: interKey, rootKey: rootKey}
}

func selfSigned(t testing.TB, key crypto.Signer) *x509.Certificate {
	t.Helper()
	return newCert(t, "self-signed client", key.Public(), nil, key, false)
}

func certPEM(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}

// keyEncoding is one way a private key is written to PEM.
type keyEncoding struct {
	name   string
	encode func(testing.TB, crypto.Signer) []byte
}

var (
	pkcs1 = keyEncoding{"PKCS#1", func(t testing.TB, key crypto.Signer) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key.(*rsa.PrivateKey))})
	}}
	pkcs8 = keyEncoding{"PKCS#8", func(t testing.TB, key crypto.Signer) []byte {
		t.Helper()
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatalf("marshalling PKCS#8 key: %v", err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}}
	sec1 = keyEncoding{"SEC1", func(t testing.TB, key crypto.Signer) []byte {
		t.Helper()
		der, err := x509.MarshalECPrivateKey(key.(*ecdsa.PrivateKey))
		if err != nil {
			t.Fatalf("marshalling SEC 1 key: %v", err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	}}
)

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// permutations returns every ordering of n indexes.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := make([]int, 0, n)
			q = append(q, p[:i]...)
			q = append(q, n-1)
			q = append(q, p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

// assertNoSecret fails if err's text contains the password or any line of
// the key's PEM body.
func assertNoSecret(t *testing.T, err error, password string, keyPEM []byte) {
	t.Helper()
	msg := err.Error()
	if password != "" && strings.Contains(msg, password) {
		t.Errorf("error %q contains the password", msg)
	}
	for _, line := range strings.Split(string(keyPEM), "\n") {
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(msg, line) {
			t.Errorf("error %q contains key material", msg)
		}
	}
}

func assertSameCerts(t *testing.T, what string, got, want []*x509.Certificate) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s has %d certificates, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("%s[%d] is %q, want %q", what, i, got[i].Subject.CommonName, want[i].Subject.CommonName)
		}
	}
}
