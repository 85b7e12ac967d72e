// Package clientcert loads a client certificate and its private key from PEM or
// PFX (PKCS#12) data and signs the client-assertion JWTs that Entra ID accepts
// in place of a client secret.
package clientcert

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"strings"
)

// A Credential is a private key with the certificate that carries its public
// key (the leaf) and any further certificates that came with it (the chain).
type Credential struct {
	// Signer is the private key. Parse only returns *rsa.PrivateKey or
	// P-256 *ecdsa.PrivateKey, the two key types Assertion can sign with.
	Signer crypto.Signer
	// Leaf is the certificate whose public key belongs to Signer.
	Leaf *x509.Certificate
	// Chain holds the other certificates from the input, in input order.
	Chain []*x509.Certificate
}

// Thumbprint returns the SHA-1 digest of the leaf certificate's DER encoding
// as upper-case hex, the form the Azure portal lists for an app's certificates.
// It returns "" when there is no leaf.
func (c *Credential) Thumbprint() string {
	if c == nil || c.Leaf == nil {
		return ""
	}
	sum := sha1.Sum(c.Leaf.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// ThumbprintSHA256 returns the SHA-256 digest of the leaf certificate's DER
// encoding as upper-case hex. It returns "" when there is no leaf.
func (c *Credential) ThumbprintSHA256() string {
	if c == nil || c.Leaf == nil {
		return ""
	}
	sum := sha256.Sum256(c.Leaf.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}
