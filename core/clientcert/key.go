package clientcert

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
)

// signerFor accepts only the key types that Assertion can sign with, so that a
// Credential that parses is one that works.
func signerFor(key any) (crypto.Signer, error) {
	if _, err := signingMethod(key); err != nil {
		return nil, err
	}
	return key.(crypto.Signer), nil
}

// newCredential picks the leaf by key rather than by position, because tools
// disagree on whether the leaf or the root comes first.
func newCredential(key any, certs []*x509.Certificate) (*Credential, error) {
	signer, err := signerFor(key)
	if err != nil {
		return nil, err
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		// Every key type signerFor accepts has Equal; this guards future edits.
		return nil, fmt.Errorf("cannot compare public key of type %T", signer.Public())
	}
	for i, cert := range certs {
		if !pub.Equal(cert.PublicKey) {
			continue
		}
		chain := make([]*x509.Certificate, 0, len(certs)-1)
		chain = append(chain, certs[:i]...)
		chain = append(chain, certs[i+1:]...)
		return &Credential{Signer: signer, Leaf: cert, Chain: chain}, nil
	}
	return nil, errors.New("the private key does not match any certificate")
}
