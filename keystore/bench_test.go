package keystore

import (
	"context"
	"testing"
)

// BenchmarkReadAccessToken measures the hot path: a cached access token.
func BenchmarkReadAccessToken(b *testing.B) {
	s, err := Open(Options{Dir: b.TempDir() + "/store", Backend: "file", Keyring: &fakeKeyrings{}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	token := make([]byte, 2500) // a typical Entra access token with its metadata
	if err := s.Write(ctx, AccessTokens, "0123456789abcdef", token); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Read(ctx, AccessTokens, "0123456789abcdef"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen measures what every invocation pays before its first Read.
func BenchmarkOpen(b *testing.B) {
	dir := b.TempDir() + "/store"
	opts := Options{Dir: dir, Backend: "file", Keyring: &fakeKeyrings{}}
	if _, err := Open(opts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(opts); err != nil {
			b.Fatal(err)
		}
	}
}
