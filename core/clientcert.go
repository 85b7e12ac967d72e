package core

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/aadcred/aadcred/core/clientcert"
)

// jwtBearerAssertion is the client_assertion_type of every signed or federated assertion.
const jwtBearerAssertion = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// addCertificateAssertion authenticates the application with a client assertion signed by its
// certificate's key. The assertion's audience is the exact token URL it is posted to.
func addCertificateAssertion(form url.Values, r *settled, audience string, now time.Time) error {
	cert := r.Credential.Certificate
	if cert == nil {
		if r.Credential.CertificatePath == "" {
			return errors.New("the clientcert method needs a certificate: set AZURE_CLIENT_CERTIFICATE_PATH (or give --certificate)")
		}
		var err error
		cert, err = clientcert.Load(r.Credential.CertificatePath, r.Credential.CertificatePassword)
		if err != nil {
			return fmt.Errorf("loading the client certificate: %w", err)
		}
	}
	assertion, err := cert.Assertion(r.ClientID, audience, now, r.Credential.SendCertificateChain)
	if err != nil {
		return fmt.Errorf("signing the client assertion: %w", err)
	}
	form.Set("client_assertion_type", jwtBearerAssertion)
	form.Set("client_assertion", assertion)
	return nil
}
