package clientcert

import (
	"crypto/x509"
	"errors"
	"fmt"

	"software.sslmate.com/src/go-pkcs12"
)

// ErrWrongPassword reports that a PFX file's password did not verify, so that
// a caller can ask for it again.
var ErrWrongPassword = errors.New("PFX: wrong password")

// parsePFX decodes a PKCS#12 file holding one private key and its
// certificates. An empty password opens files made without one.
func parsePFX(data []byte, pdu pfxPDU, password string) (*Credential, error) {
	if err := checkMACIterations(pdu); err != nil {
		return nil, err
	}
	key, first, rest, err := pkcs12.DecodeChain(data, password)
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return nil, ErrWrongPassword
	case errors.Is(err, pkcs12.ErrDecryption):
		return nil, errors.New("PFX: decryption failed: wrong password or corrupt file")
	case err != nil:
		return nil, fmt.Errorf("reading PFX data: %w", err)
	}
	cred, err := newCredential(key, append([]*x509.Certificate{first}, rest...))
	if err != nil {
		return nil, fmt.Errorf("PFX: %w", err)
	}
	return cred, nil
}
