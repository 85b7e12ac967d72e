package clientcert

import (
	"crypto/elliptic"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

func TestLoad(t *testing.T) {
	key := newECKey(t, elliptic.P256())
	cert := selfSigned(t, key)
	dir := t.TempDir()

	pemPath := filepath.Join(dir, "client.pem")
	writeFile(t, pemPath, concat(certPEM(cert), sec1.encode(t, key)))
	// A PFX under a .pem name: detection goes by content.
	pfxPath := filepath.Join(dir, "misnamed.pem")
	writeFile(t, pfxPath, encodePFX(t, pkcs12.Modern, key, cert, nil, "pw"))

	for _, path := range []string{pemPath, pfxPath} {
		cred, err := Load(path, "pw")
		if err != nil {
			t.Fatalf("Load(%s): %v", path, err)
		}
		if !cred.Leaf.Equal(cert) {
			t.Errorf("Load(%s): leaf is %q, want the self-signed certificate", path, cred.Leaf.Subject.CommonName)
		}
	}
}

func TestLoadErrorsNameThePath(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pfx")
	writeFile(t, garbage, []byte("not a certificate"))
	cases := []struct {
		path, want string
	}{
		{filepath.Join(dir, "missing.pem"), "no such file"},
		{dir, "reading certificate file"},
		{garbage, "not PEM or PFX data"},
	}
	for _, tc := range cases {
		_, err := Load(tc.path, "")
		if err == nil {
			t.Errorf("Load(%s) succeeded", tc.path)
			continue
		}
		if !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%s): error = %q, want it to name the path and say %q", tc.path, err, tc.want)
		}
	}
}

func TestLoadRefusesHugeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.pem")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: no need to write the bytes.
	if err := f.Truncate(maxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Load(path, "")
	if err == nil || !strings.Contains(err.Error(), "larger than") || !strings.Contains(err.Error(), path) {
		t.Errorf("error = %v, want one naming %s and saying it is too large", err, path)
	}
}

func TestThumbprints(t *testing.T) {
	key := newECKey(t, elliptic.P256())
	cert := selfSigned(t, key)
	cred, err := Parse(concat(certPEM(cert), pkcs8.encode(t, key)), "")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	sha1Sum := sha1.Sum(cert.Raw)
	sha256Sum := sha256.Sum256(cert.Raw)
	checks := []struct {
		name, got, want string
		length          int
	}{
		{"Thumbprint", cred.Thumbprint(), hex.EncodeToString(sha1Sum[:]), 40},
		{"ThumbprintSHA256", cred.ThumbprintSHA256(), hex.EncodeToString(sha256Sum[:]), 64},
	}
	upperHex := regexp.MustCompile(`^[0-9A-F]+$`)
	for _, c := range checks {
		if !strings.EqualFold(c.got, c.want) {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
		if len(c.got) != c.length || !upperHex.MatchString(c.got) {
			t.Errorf("%s = %q, want %d upper-case hex digits as the Azure portal shows", c.name, c.got, c.length)
		}
	}

	var empty Credential
	if empty.Thumbprint() != "" || empty.ThumbprintSHA256() != "" {
		t.Error("thumbprints of a credential without a leaf are not empty")
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
