package clientcert

import (
	"crypto"
	"crypto/elliptic"
	"crypto/x509"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

// FuzzParse feeds Parse arbitrary bytes and passwords: it must return either a
// usable credential or an error, never panic.
func FuzzParse(f *testing.F) {
	rsaPKI := newPKI(f, newRSAKey(f))
	ecKey := newECKey(f, elliptic.P256())
	ecCert := selfSigned(f, ecKey)

	f.Add(concat(certPEM(rsaPKI.inter), pkcs1.encode(f, rsaPKI.leafKey), certPEM(rsaPKI.leaf)), "")
	f.Add(concat(pkcs8.encode(f, ecKey), certPEM(ecCert)), "")
	f.Add(concat(certPEM(ecCert), sec1.encode(f, ecKey)), "ignored")
	for _, enc := range []*pkcs12.Encoder{pkcs12.Modern, pkcs12.Legacy, pkcs12.Passwordless} {
		password := "pw"
		if enc == pkcs12.Passwordless {
			password = ""
		}
		data, err := enc.Encode(rsaPKI.leafKey, rsaPKI.leaf, []*x509.Certificate{rsaPKI.inter}, password)
		if err != nil {
			f.Fatalf("encoding PFX: %v", err)
		}
		f.Add(data, password)
		f.Add(data, "wrong")
	}
	f.Add([]byte(nil), "")
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), "")
	f.Add([]byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\n-----END ENCRYPTED PRIVATE KEY-----\n"), "")
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x03}, "")
	f.Add(ecCert.Raw, "")

	f.Fuzz(func(t *testing.T, data []byte, password string) {
		cred, err := Parse(data, password)
		if err != nil {
			if cred != nil {
				t.Fatalf("Parse returned a credential with error %v", err)
			}
			return
		}
		if cred.Signer == nil || cred.Leaf == nil {
			t.Fatalf("Parse returned an incomplete credential: %+v", cred)
		}
		if !cred.Signer.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(cred.Leaf.PublicKey) {
			t.Fatal("leaf does not carry the signer's public key")
		}
		if len(cred.Thumbprint()) != 40 {
			t.Fatalf("Thumbprint = %q", cred.Thumbprint())
		}
	})
}
