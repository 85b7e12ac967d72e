package pop

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var now = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// testKey is made once: RSA key generation takes a noticeable part of a second.
var testKey = sync.OnceValues(func() (*Key, error) { return NewKey(now) })

func key(t testing.TB) *Key {
	t.Helper()
	k, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestThumbprintIsRFC7638 checks the thumbprint against the worked example of RFC 7638 §3.1.
func TestThumbprintIsRFC7638(t *testing.T) {
	n, _ := base64.RawURLEncoding.DecodeString("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
	k := newKey(&rsa.PrivateKey{PublicKey: rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}}, now)
	if got, want := k.Thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("thumbprint %s, want %s", got, want)
	}
}

func TestReqCnfNamesTheKey(t *testing.T) {
	k := key(t)
	raw, err := base64.RawURLEncoding.DecodeString(k.ReqCnf())
	if err != nil {
		t.Fatalf("req_cnf is not base64url: %v", err)
	}
	if want := `{"kid":"` + k.Thumbprint() + `","xms_ksl":"sw"}`; string(raw) != want {
		t.Errorf("req_cnf decodes to %s, want %s", raw, want)
	}
}

func TestSignedRequestVerifiesWithItsOwnKey(t *testing.T) {
	k := key(t)
	const at, host = "eyJhbGciOiJSUzI1NiJ9.eyJjbmYiOnt9fQ.c2ln", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/arc"
	shr, err := k.SignedRequest(at, host, now)
	if err != nil {
		t.Fatal(err)
	}
	// A resource reads the key from the request itself, then checks it is the bound one.
	var jwk JWK
	tok, err := jwt.Parse(shr, func(tok *jwt.Token) (any, error) {
		cnf, _ := tok.Claims.(jwt.MapClaims)["cnf"].(map[string]any)
		b, _ := json.Marshal(cnf["jwk"])
		if err := json.Unmarshal(b, &jwk); err != nil {
			return nil, err
		}
		n, _ := base64.RawURLEncoding.DecodeString(jwk.N)
		e, _ := base64.RawURLEncoding.DecodeString(jwk.E)
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
	}, jwt.WithValidMethods([]string{"RS256"}))
	if err != nil {
		t.Fatalf("the SHR does not verify with its cnf key: %v", err)
	}
	if tok.Header["typ"] != "pop" || tok.Header["kid"] != k.Thumbprint() {
		t.Errorf("header %v, want typ pop and kid %s", tok.Header, k.Thumbprint())
	}
	if jwk.Kid != k.Thumbprint() || jwk.Kty != "RSA" || jwk.Alg != "RS256" {
		t.Errorf("cnf.jwk %+v does not name the key", jwk)
	}
	claims := tok.Claims.(jwt.MapClaims)
	if claims["at"] != at || claims["u"] != host || claims["ts"] != float64(now.Unix()) {
		t.Errorf("claims %v", claims)
	}
	nonce, _ := claims["nonce"].(string)
	if len(nonce) != 32 {
		t.Errorf("nonce %q, want 32 hex digits", nonce)
	}
	again, _ := k.SignedRequest(at, host, now)
	if again == shr {
		t.Error("two requests signed at the same second are the same: the nonce does not vary")
	}
}

func TestSignedRequestRefusesMissingParts(t *testing.T) {
	k := key(t)
	if _, err := k.SignedRequest("", "host", now); err == nil {
		t.Error("signed a request without an access token")
	}
	if _, err := k.SignedRequest("at", "", now); err == nil || !strings.Contains(err.Error(), "u claim") {
		t.Errorf("signed a request without a host: %v", err)
	}
}

func TestKeyRoundTripsAndRotates(t *testing.T) {
	k := key(t)
	data, err := k.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseKey(data)
	if err != nil {
		t.Fatal(err)
	}
	if back.Thumbprint() != k.Thumbprint() || !back.Created().Equal(k.Created()) {
		t.Errorf("round trip: %s %s, want %s %s", back.Thumbprint(), back.Created(), k.Thumbprint(), k.Created())
	}
	if k.Due(now.Add(RotationInterval - time.Second)) {
		t.Error("a key is due for rotation before eight hours")
	}
	if !k.Due(now.Add(RotationInterval)) {
		t.Error("a key eight hours old is not due for rotation")
	}
}

func TestParseKeyRefusesOtherData(t *testing.T) {
	small, err := rsa.GenerateKey(strings.NewReader(strings.Repeat("not random at all ", 1<<12)), 1024)
	if err != nil {
		t.Skipf("making a small key: %v", err)
	}
	smallData, _ := newKey(small, now).MarshalBinary()
	for name, data := range map[string][]byte{
		"empty":     nil,
		"not JSON":  []byte("key"),
		"no key":    []byte(`{"created":"2026-03-04T05:06:07Z"}`),
		"small key": smallData,
		"undated":   []byte(strings.Replace(string(mustMarshal(t, key(t))), `"created":"2026-03-04T05:06:07Z"`, `"created":"0001-01-01T00:00:00Z"`, 1)),
	} {
		if _, err := ParseKey(data); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func mustMarshal(t *testing.T, k *Key) []byte {
	t.Helper()
	b, err := k.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzParseKey(f *testing.F) {
	f.Add([]byte(`{"created":"2026-03-04T05:06:07Z","pkcs8":"AAAA"}`))
	f.Add([]byte(`{"pkcs8":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKey(data)
		if err == nil && (k.Thumbprint() == "" || k.Created().IsZero()) {
			t.Fatalf("accepted a key without thumbprint or date")
		}
	})
}
