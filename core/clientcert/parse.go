package clientcert

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxFileSize bounds what Load reads, so that a path pointing at a device or
// a huge file by mistake fails fast; real certificate bundles are far smaller.
const maxFileSize = 4 << 20

// Parse decodes a client certificate and its private key.
//
// data is either PFX (PKCS#12, DER) or PEM, recognised by content. PEM data
// holds one or more CERTIFICATE blocks and one unencrypted private key
// ("RSA PRIVATE KEY", "PRIVATE KEY" or "EC PRIVATE KEY"); password is used
// only for PFX, where an empty password is allowed. The leaf is the certificate
// whose public key matches the private key, wherever it appears; the other
// certificates become the chain. The key must be RSA or ECDSA P-256.
//
// A PFX password that does not verify yields an error matching ErrWrongPassword.
func Parse(data []byte, password string) (*Credential, error) {
	if pdu, ok := readPFXPDU(data); ok {
		return parsePFX(data, pdu, password)
	}
	if block, _ := pem.Decode(data); block != nil {
		return parsePEM(data)
	}
	return nil, errors.New("not PEM or PFX data")
}

// Load reads the file at path and parses it with Parse.
func Load(path, password string) (*Credential, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	cred, err := Parse(data, password)
	if err != nil {
		return nil, fmt.Errorf("parsing certificate file %s: %w", path, err)
	}
	return cred, nil
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading certificate file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading certificate file: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("reading certificate file %s: larger than %d MiB", path, maxFileSize>>20)
	}
	return data, nil
}
