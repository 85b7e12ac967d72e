package tests

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"strings"
	"testing"
)

// httpClientTrusting is an HTTP client that trusts the CA in caFile.
func httpClientTrusting(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", caFile)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// unwrapped joins text that a program wrapped to fit the terminal back into one line, so that
// a test can look for a phrase wherever the wrapping broke it.
func unwrapped(s string) string { return strings.Join(strings.Fields(s), " ") }
