package managedidentity

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aadcred/aadcred/core/entra"
)

const serviceFabricAPIVersion = "2019-07-01-preview"

// serviceFabricToken asks a Service Fabric cluster's identity endpoint. Its certificate is
// self-issued by the cluster, so instead of the system roots it is checked against the thumbprint
// the platform hands the application.
func (c *Client) serviceFabricToken(ctx context.Context, resource string, id ID) (*entra.TokenResponse, error) {
	if !id.SystemAssigned() {
		return nil, fmt.Errorf("%s chooses the application's identity in its manifest; it cannot be selected by %s", ServiceFabric, id)
	}
	thumbprint, err := parseThumbprint(c.getenv(envServerThumbprint))
	if err != nil {
		return nil, err
	}
	q := url.Values{"api-version": {serviceFabricAPIVersion}, "resource": {resource}}
	u, err := endpointURL(envIdentityEndpoint, c.getenv(envIdentityEndpoint), q)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(u, "https://") {
		return nil, fmt.Errorf("%s must be an https URL for %s: the certificate pinned by %s protects the request", envIdentityEndpoint, ServiceFabric, envServerThumbprint)
	}
	ec := c.entra()
	ec.HTTPClient = derivedHTTPClient(ec.HTTPClient, func(t *http.Transport) {
		t.TLSClientConfig = &tls.Config{
			MinVersion: tls.VersionTLS12,
			// The chain is not verified against the system roots (the cluster issues its own
			// certificate); VerifyConnection pins the leaf instead, which is stricter.
			InsecureSkipVerify: true,
			VerifyConnection:   pinLeaf(thumbprint),
		}
	})
	header := http.Header{}
	header.Set("Secret", c.getenv(envIdentityHeader))
	return c.fetch(ctx, ec, entra.Call{
		Method:     http.MethodGet,
		URL:        u,
		Header:     header,
		Idempotent: true,
		What:       endpointName(ServiceFabric),
	})
}

// parseThumbprint reads a certificate thumbprint, the SHA-1 of the certificate in hex, as Windows
// and Service Fabric print it (any case, possibly with spaces or colons).
func parseThumbprint(s string) ([]byte, error) {
	clean := strings.NewReplacer(" ", "", ":", "").Replace(strings.TrimSpace(s))
	b, err := hex.DecodeString(clean)
	if err != nil || len(b) != sha1.Size {
		return nil, fmt.Errorf("%s is not a certificate thumbprint (40 hexadecimal digits)", envServerThumbprint)
	}
	return b, nil
}

func pinLeaf(thumbprint []byte) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("the server sent no certificate")
		}
		sum := sha1.Sum(cs.PeerCertificates[0].Raw)
		if !bytes.Equal(sum[:], thumbprint) {
			return fmt.Errorf("the server's certificate (thumbprint %X) is not the one %s names", sum, envServerThumbprint)
		}
		return nil
	}
}
