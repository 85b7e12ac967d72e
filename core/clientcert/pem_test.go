package clientcert

import (
	"crypto"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
)

func TestParsePEMFindsLeafInAnyOrder(t *testing.T) {
	rsaPKI := newPKI(t, newRSAKey(t))
	ecPKI := newPKI(t, newECKey(t, elliptic.P256()))
	cases := []struct {
		name string
		pki  testPKI
		enc  keyEncoding
	}{
		{"RSA PKCS#1", rsaPKI, pkcs1},
		{"RSA PKCS#8", rsaPKI, pkcs8},
		{"EC SEC1", ecPKI, sec1},
		{"EC PKCS#8", ecPKI, pkcs8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			certs := []*x509.Certificate{tc.pki.leaf, tc.pki.inter, tc.pki.root}
			blocks := [][]byte{certPEM(certs[0]), certPEM(certs[1]), certPEM(certs[2]), tc.enc.encode(t, tc.pki.leafKey)}
			for _, order := range permutations(len(blocks)) {
				var data []byte
				var wantChain []*x509.Certificate
				for _, i := range order {
					data = append(data, blocks[i]...)
					if i == 1 || i == 2 {
						wantChain = append(wantChain, certs[i])
					}
				}
				cred, err := Parse(data, "")
				if err != nil {
					t.Fatalf("order %v: Parse: %v", order, err)
				}
				if !cred.Leaf.Equal(tc.pki.leaf) {
					t.Errorf("order %v: leaf is %q, want the client certificate", order, cred.Leaf.Subject.CommonName)
				}
				assertSameCerts(t, fmt.Sprintf("order %v: chain", order), cred.Chain, wantChain)
				if !cred.Signer.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.pki.leafKey.Public()) {
					t.Errorf("order %v: signer is not the key from the file", order)
				}
			}
		})
	}
}

func TestParsePEMSelfSignedAlone(t *testing.T) {
	key := newECKey(t, elliptic.P256())
	cert := selfSigned(t, key)
	cred, err := Parse(concat(sec1.encode(t, key), certPEM(cert)), "ignored for PEM")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !cred.Leaf.Equal(cert) || len(cred.Chain) != 0 {
		t.Errorf("got leaf %q and %d chain certificates, want the self-signed certificate alone", cred.Leaf.Subject.CommonName, len(cred.Chain))
	}
}

// OpenSSL writes "Bag Attributes" text between blocks when exporting from
// PKCS#12, "openssl ecparam -genkey" adds an EC PARAMETERS block, and files
// edited on Windows have CRLF line ends.
func TestParsePEMToleratesOpenSSLOutput(t *testing.T) {
	key := newECKey(t, elliptic.P256())
	cert := selfSigned(t, key)
	params := pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}})
	text := "Bag Attributes\n    localKeyID: 01 02 03\nsubject=CN = self-signed client\n"
	data := concat([]byte(text), certPEM(cert), []byte("Key Attributes: <No Attributes>\n"), params, sec1.encode(t, key))
	data = []byte(strings.ReplaceAll(string(data), "\n", "\r\n"))

	cred, err := Parse(data, "")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !cred.Leaf.Equal(cert) {
		t.Errorf("leaf is %q, want the self-signed certificate", cred.Leaf.Subject.CommonName)
	}
}

func TestParsePEMErrors(t *testing.T) {
	rsaKey := newRSAKey(t)
	cert := selfSigned(t, rsaKey)
	otherKey := newECKey(t, elliptic.P256())
	otherCert := selfSigned(t, otherKey)
	keyPEM := pkcs1.encode(t, rsaKey)

	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384Key := newECKey(t, elliptic.P384())

	encryptedLegacy := pem.EncodeToMemory(&pem.Block{
		Type:    "RSA PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"},
		Bytes:   []byte("ciphertext"),
	})
	encryptedPKCS8 := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte("ciphertext")})

	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"certificate only", certPEM(cert), "no private key in PEM data"},
		{"key only", keyPEM, "no certificate in PEM data"},
		{"neither", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: []byte{1}}), "no certificate or private key in PEM data"},
		{"key of another certificate", concat(certPEM(otherCert), keyPEM), "the private key does not match any certificate"},
		{"two keys", concat(certPEM(cert), keyPEM, keyPEM), "more than one private key in PEM data"},
		{"encrypted PKCS#8", concat(certPEM(cert), encryptedPKCS8), "encrypted PKCS#8 private keys are not supported"},
		{"encrypted legacy PEM", concat(certPEM(cert), encryptedLegacy), "encrypted PEM private keys"},
		{"Ed25519 key", concat(certPEM(cert), pkcs8.encode(t, edKey)), "unsupported private key type ed25519.PrivateKey"},
		{"P-384 key", concat(certPEM(selfSigned(t, p384Key)), sec1.encode(t, p384Key)), "unsupported EC private key on curve P-384"},
		{"corrupt certificate", concat(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x01}}), keyPEM), "parsing PEM certificate 1"},
		{"corrupt PKCS#1 key", concat(certPEM(cert), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte{0x30, 0x01}})), "parsing PKCS#1 RSA private key"},
		{"corrupt SEC1 key", concat(certPEM(cert), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{0x30, 0x01}})), "parsing SEC 1 EC private key"},
		{"PKCS#1 key labelled PKCS#8", concat(certPEM(cert), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})), "parsing PKCS#8 private key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cred, err := Parse(tc.data, "")
			if err == nil {
				t.Fatalf("Parse succeeded with leaf %q, want error %q", cred.Leaf.Subject.CommonName, tc.want)
			}
			if cred != nil {
				t.Errorf("Parse returned a credential along with error %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want it to contain %q", err, tc.want)
			}
			assertNoSecret(t, err, "", keyPEM)
		})
	}
}

func TestParseRejectsUnknownData(t *testing.T) {
	key := newECKey(t, elliptic.P256())
	cert := selfSigned(t, key)
	cases := map[string][]byte{
		"empty":               nil,
		"text":                []byte("hello, world\n"),
		"binary":              {0x00, 0xff, 0x13, 0x37},
		"DER certificate":     cert.Raw,
		"truncated BEGIN":     []byte("-----BEGIN CERTIFICATE-----\nMIIB\n"),
		"SEQUENCE, version 2": {0x30, 0x03, 0x02, 0x01, 0x02},
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(data, "")
			if err == nil || err.Error() != "not PEM or PFX data" {
				t.Errorf("error = %v, want %q", err, "not PEM or PFX data")
			}
		})
	}
}
