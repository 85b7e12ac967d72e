package clientcert

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// parsePEM reads every PEM block in data: CERTIFICATE blocks in any number and
// exactly one unencrypted private key. Other block types (EC PARAMETERS from
// openssl ecparam, for one) are skipped.
func parsePEM(data []byte) (*Credential, error) {
	var (
		certs []*x509.Certificate
		key   any
	)
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE":
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("parsing PEM certificate %d: %w", len(certs)+1, err)
			}
			certs = append(certs, cert)
		case "RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY":
			if key != nil {
				return nil, errors.New("more than one private key in PEM data")
			}
			k, err := parsePEMKey(block)
			if err != nil {
				return nil, err
			}
			key = k
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("encrypted PKCS#8 private keys are not supported: decrypt the key first (openssl pkcs8 -in key.pem -out plain.pem) or use a password-protected PFX file")
		}
	}
	switch {
	case key == nil && len(certs) == 0:
		return nil, errors.New("no certificate or private key in PEM data")
	case key == nil:
		return nil, errors.New("no private key in PEM data")
	case len(certs) == 0:
		return nil, errors.New("no certificate in PEM data")
	}
	return newCredential(key, certs)
}

// parsePEMKey decodes one private key block. The wrapped x509 errors describe
// the structure that failed to parse, never the key's bytes.
func parsePEMKey(block *pem.Block) (any, error) {
	if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
		return nil, fmt.Errorf("encrypted PEM private keys (%s with Proc-Type ENCRYPTED) are not supported: decrypt the key first (openssl pkey -in key.pem -out plain.pem) or use a password-protected PFX file", block.Type)
	}
	var (
		key any
		err error
	)
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parsing PKCS#1 RSA private key: %w", err)
		}
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parsing SEC 1 EC private key: %w", err)
		}
	default:
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parsing PKCS#8 private key: %w", err)
		}
	}
	return key, nil
}
