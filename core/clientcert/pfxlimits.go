package clientcert

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
)

// maxPFXIterations bounds the key-derivation work a PFX file may ask for
// before its password is verified. Real files use 2,000 (Windows), 2,048
// (OpenSSL) or 10,000 (Java); without a bound, a corrupted count makes
// decoding run for hours.
const maxPFXIterations = 1_000_000

var oidPBMAC1 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}

// pfxPDU is the outer shape of a PFX (RFC 7292 section 4).
type pfxPDU struct {
	Version  int
	AuthSafe asn1.RawValue
	MacData  asn1.RawValue `asn1:"optional"`
}

type pfxMacData struct {
	Mac struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}
	MacSalt    []byte
	Iterations *big.Int `asn1:"optional"`
}

// pbmac1Params and pbkdf2Params (RFC 9579, RFC 8018) hold the iteration count
// of a PBMAC1 MAC, which ignores the MacData field.
type pbmac1Params struct {
	KDF pkix.AlgorithmIdentifier
	MAC pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       asn1.RawValue
	Iterations *big.Int
}

// readPFXPDU reports whether data is a DER PFX of version 3, deciding by
// content, since PFX files come named .pfx, .p12 or anything else.
func readPFXPDU(data []byte) (pfxPDU, bool) {
	var pdu pfxPDU
	rest, err := asn1.Unmarshal(data, &pdu)
	return pdu, err == nil && len(rest) == 0 && pdu.Version == 3
}

// checkMACIterations rejects a MAC whose iteration count exceeds
// maxPFXIterations. Structures it cannot read are left to the PFX decoder to
// report.
func checkMACIterations(pdu pfxPDU) error {
	if len(pdu.MacData.FullBytes) == 0 {
		return nil
	}
	var mac pfxMacData
	if _, err := asn1.Unmarshal(pdu.MacData.FullBytes, &mac); err != nil {
		return nil
	}
	iterations := mac.Iterations
	if mac.Mac.Algorithm.Algorithm.Equal(oidPBMAC1) {
		var params pbmac1Params
		if _, err := asn1.Unmarshal(mac.Mac.Algorithm.Parameters.FullBytes, &params); err != nil {
			return nil
		}
		var kdf pbkdf2Params
		if _, err := asn1.Unmarshal(params.KDF.Parameters.FullBytes, &kdf); err != nil {
			return nil
		}
		iterations = kdf.Iterations
	}
	if iterations != nil && iterations.Cmp(big.NewInt(maxPFXIterations)) > 0 {
		return fmt.Errorf("PFX: MAC iteration count %s exceeds the limit of %d", iterations, maxPFXIterations)
	}
	return nil
}
