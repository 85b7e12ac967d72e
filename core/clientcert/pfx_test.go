package clientcert

import (
	"bytes"
	"crypto"
	"crypto/elliptic"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

func encodePFX(t *testing.T, enc *pkcs12.Encoder, key crypto.Signer, first *x509.Certificate, rest []*x509.Certificate, password string) []byte {
	t.Helper()
	data, err := enc.Encode(key, first, rest, password)
	if err != nil {
		t.Fatalf("encoding PFX: %v", err)
	}
	return data
}

func TestParsePFX(t *testing.T) {
	encoders := []struct {
		name string
		enc  *pkcs12.Encoder
	}{
		{"Modern", pkcs12.Modern},
		{"Modern2026", pkcs12.Modern2026},
		{"Legacy", pkcs12.Legacy},
		{"LegacyRC2", pkcs12.LegacyRC2},
	}
	keys := []struct {
		name string
		pki  testPKI
	}{
		{"RSA", newPKI(t, newRSAKey(t))},
		{"EC", newPKI(t, newECKey(t, elliptic.P256()))},
	}
	for _, k := range keys {
		for _, e := range encoders {
			for _, password := range []string{"", "correct horse battery staple"} {
				t.Run(k.name+"/"+e.name+"/password="+password, func(t *testing.T) {
					pki := k.pki
					// The root is stored where a PFX normally keeps its leaf:
					// the leaf must still be found by its key.
					data := encodePFX(t, e.enc, pki.leafKey, pki.root, []*x509.Certificate{pki.leaf, pki.inter}, password)
					cred, err := Parse(data, password)
					if err != nil {
						t.Fatalf("Parse: %v", err)
					}
					if !cred.Leaf.Equal(pki.leaf) {
						t.Errorf("leaf is %q, want the client certificate", cred.Leaf.Subject.CommonName)
					}
					assertSameCerts(t, "chain", cred.Chain, []*x509.Certificate{pki.root, pki.inter})
					if !cred.Signer.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pki.leafKey.Public()) {
						t.Error("signer is not the key from the PFX")
					}
				})
			}
		}
	}
}

func TestParsePFXWithoutEncryption(t *testing.T) {
	key := newECKey(t, elliptic.P256())
	cert := selfSigned(t, key)
	data := encodePFX(t, pkcs12.Passwordless, key, cert, nil, "")
	cred, err := Parse(data, "")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !cred.Leaf.Equal(cert) {
		t.Errorf("leaf is %q, want the self-signed certificate", cred.Leaf.Subject.CommonName)
	}
}

func TestParsePFXWrongPassword(t *testing.T) {
	key := newRSAKey(t)
	cert := selfSigned(t, key)
	const right = "right password 1"
	for _, enc := range []*pkcs12.Encoder{pkcs12.Modern, pkcs12.Legacy} {
		data := encodePFX(t, enc, key, cert, nil, right)
		for _, wrong := range []string{"", "wrong password 2", right + " "} {
			cred, err := Parse(data, wrong)
			if err == nil {
				t.Fatalf("Parse with password %q succeeded with leaf %q", wrong, cred.Leaf.Subject.CommonName)
			}
			if !errors.Is(err, ErrWrongPassword) || err.Error() != "PFX: wrong password" {
				t.Errorf("password %q: error = %q, want %q matching ErrWrongPassword", wrong, err, "PFX: wrong password")
			}
			assertNoSecret(t, err, wrong, nil)
			assertNoSecret(t, err, right, nil)
		}
	}
}

func TestParsePFXKeyMismatch(t *testing.T) {
	key := newRSAKey(t)
	other := newECKey(t, elliptic.P256())
	data := encodePFX(t, pkcs12.Modern, key, selfSigned(t, other), nil, "pw")
	_, err := Parse(data, "pw")
	if err == nil || err.Error() != "PFX: the private key does not match any certificate" {
		t.Errorf("error = %v, want %q", err, "PFX: the private key does not match any certificate")
	}
}

// A PFX exported without its private key is a common mistake; the error must
// come from the PFX decoder rather than from format detection.
func TestParsePFXWithoutKey(t *testing.T) {
	key := newECKey(t, elliptic.P256())
	data, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{selfSigned(t, key)}, "pw")
	if err != nil {
		t.Fatalf("encoding PFX: %v", err)
	}
	_, err = Parse(data, "pw")
	if err == nil || !strings.HasPrefix(err.Error(), "reading PFX data:") || !strings.Contains(err.Error(), "private key missing") {
		t.Errorf("error = %v, want a PFX decoding error saying the private key is missing", err)
	}
}

// A corrupted or hostile iteration count must fail at once rather than keep
// the CPU busy for hours before the password is even checked.
func TestParsePFXRefusesExcessiveIterations(t *testing.T) {
	key := newECKey(t, elliptic.P256())
	cert := selfSigned(t, key)
	// Encoding derives keys too, so files are made with 65,536 iterations
	// (DER INTEGER 02 03 01 00 00) and patched to 8,388,607 (02 03 7f ff ff).
	small := []byte{0x02, 0x03, 0x01, 0x00, 0x00}
	huge := []byte{0x02, 0x03, 0x7f, 0xff, 0xff}
	for name, enc := range map[string]*pkcs12.Encoder{
		"Legacy":     pkcs12.Legacy,
		"Modern":     pkcs12.Modern,
		"Modern2026": pkcs12.Modern2026,
	} {
		data := encodePFX(t, enc.WithIterations(1<<16), key, cert, nil, "pw")
		if !bytes.Contains(data, small) {
			t.Fatalf("%s: test setup: iteration count not found in the PFX", name)
		}
		data = bytes.ReplaceAll(data, small, huge)
		start := time.Now()
		_, err := Parse(data, "pw")
		if err == nil || !strings.Contains(err.Error(), "iteration count 8388607 exceeds the limit") {
			t.Errorf("%s: error = %v, want one saying the iteration count exceeds the limit", name, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: Parse took %v to refuse the file", name, d)
		}
	}
}
