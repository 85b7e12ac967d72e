package keystore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDecodeEntry feeds arbitrary file contents to both entry decoders: the
// bytes on disk are untrusted. Neither may panic, and whatever they accept
// must be exactly what the encoder would have written.
func FuzzDecodeEntry(f *testing.F) {
	key, err := newDataKey(bytes.Repeat([]byte{7}, dataKeyLen), Protection{})
	if err != nil {
		f.Fatal(err)
	}
	const label = "secrets/name"
	sealed, err := seal(key, label, []byte("refresh token"))
	if err != nil {
		f.Fatal(err)
	}
	plain := encodePlain(label, []byte("access token"))
	f.Add(sealed)
	f.Add(plain)
	f.Add(sealed[:sealedHeaderLen])
	f.Add(plain[:plainHeaderLen])
	f.Add([]byte{})
	f.Add([]byte("AADS"))
	f.Add([]byte("AADP\x01\x00\x00\x00\x00"))
	f.Add([]byte(`{"access_token":"eyJ0eXAiOiJKV1Qi"}`))

	f.Fuzz(func(t *testing.T, raw []byte) {
		if data, err := decodePlain(label, raw); err == nil {
			if !bytes.Equal(encodePlain(label, data), raw) {
				t.Fatalf("decodePlain accepted %q, which the encoder would not write", raw)
			}
		}
		if data, err := unseal(key, label, raw); err == nil {
			if !bytes.Equal(raw[5:5+keyIDLen], key.id[:]) || len(data) != len(raw)-sealedHeaderLen-tagLen {
				t.Fatalf("unseal accepted %q, which is not a sealed entry under this key", raw)
			}
		}
	})
}

// FuzzRead goes through Read itself, files and all: every outcome must be
// the data, ErrCorrupt (with the file gone) or ErrNewerFormat (with the file
// kept), never a panic or another error.
func FuzzRead(f *testing.F) {
	dir := filepath.Join(f.TempDir(), "store")
	s, err := Open(Options{Dir: dir, Backend: "file", Keyring: &fakeKeyrings{}})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	for _, tier := range []Tier{AccessTokens, Secrets} {
		if err := s.Write(ctx, tier, "seed", []byte("seed value")); err != nil {
			f.Fatal(err)
		}
		raw, err := os.ReadFile(entryPath(s, tier, "seed"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(tier), raw)
		f.Add(uint8(tier), raw[:len(raw)/2])
	}
	f.Add(uint8(0), []byte{})
	f.Add(uint8(1), []byte("AADS\x01"))
	f.Add(uint8(1), []byte("AADS\x02 from a newer aadcred"))

	f.Fuzz(func(t *testing.T, tierByte uint8, raw []byte) {
		tier := Tier(tierByte % 2)
		path := entryPath(s, tier, "fuzzed")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		data, err := s.Read(ctx, tier, "fuzzed")
		switch {
		case err == nil:
			if len(data) > len(raw) {
				t.Fatalf("Read returned %d bytes from a %d-byte file", len(data), len(raw))
			}
		case errors.Is(err, ErrCorrupt):
			if _, statErr := os.Stat(path); !errors.Is(statErr, os.ErrNotExist) {
				t.Fatalf("corrupt entry left in place: %v", err)
			}
		case errors.Is(err, ErrNewerFormat):
			if _, statErr := os.Stat(path); statErr != nil {
				t.Fatalf("entry of a newer format removed: %v", statErr)
			}
		default:
			t.Fatalf("Read = %v, want data or ErrCorrupt", err)
		}
	})
}

// FuzzValidateName checks that no accepted name can leave its directory or
// clash with the store's own files.
func FuzzValidateName(f *testing.F) {
	for _, seed := range []string{"abc", "../x", ".tmp-a", "a/b", "CON", "0123456789abcdef", "x.lock"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if validateName(name) != nil {
			return
		}
		if filepath.Base(name) != name || name == "." || name == ".." || strings.ContainsAny(name, `/\:`+"\x00") {
			t.Fatalf("accepted %q, which is not a plain file name", name)
		}
		if strings.HasPrefix(name, ".") {
			t.Fatalf("accepted %q, which collides with temporary and internal files", name)
		}
	})
}
