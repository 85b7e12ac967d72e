package keystore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestKeyringHoldsTheDataKey(t *testing.T) {
	kr := &fakeKeyrings{}
	opts := Options{Backend: "secret-service", Keyring: kr}
	s := openStore(t, opts)
	if opens, _, _ := kr.counts(); opens != 0 {
		t.Fatalf("Open touched the keyring (%d opens)", opens)
	}

	// The access-token tier never needs the keyring.
	mustWrite(t, s, AccessTokens, "at", "token")
	mustRead(t, s, AccessTokens, "at", "token")
	if opens, gets, sets := kr.counts(); opens+gets+sets != 0 {
		t.Fatalf("access-token tier touched the keyring: %d opens, %d gets, %d sets", opens, gets, sets)
	}

	// The first secret makes the key and stores it, once.
	mustWrite(t, s, Secrets, "rt", "refresh")
	mustWrite(t, s, Secrets, "rt2", "refresh 2")
	mustRead(t, s, Secrets, "rt", "refresh")
	if _, _, sets := kr.counts(); sets != 1 {
		t.Fatalf("data key stored %d times, want 1", sets)
	}
	if len(kr.items) != 1 {
		t.Fatalf("keyring holds %d items, want 1", len(kr.items))
	}
	for _, label := range kr.labels {
		if !strings.Contains(label, s.Dir()) {
			t.Errorf("keyring item label %q does not say which store it serves", label)
		}
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), "data.key")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a key file was written although the keyring holds the key")
	}

	// Another process reuses the stored key.
	opens0, gets0, _ := kr.counts()
	other := reopen(t, s, opts)
	mustRead(t, other, Secrets, "rt", "refresh")
	mustRead(t, other, Secrets, "rt2", "refresh 2")
	opens, gets, sets := kr.counts()
	if opens-opens0 != 1 || gets-gets0 != 1 || sets != 1 {
		t.Errorf("second store: %d opens, %d gets, %d sets in total; want one open and one get more, no set",
			opens-opens0, gets-gets0, sets)
	}

	p, err := other.Protection(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.Backend != "secret-service" || p.String() != "OS keyring (Secret Service)" {
		t.Errorf("Protection = %+v", p)
	}
}

func TestKeyringItemIsPerStoreDirectory(t *testing.T) {
	kr := &fakeKeyrings{}
	a := openStore(t, Options{Backend: "keychain", Keyring: kr})
	b := openStore(t, Options{Backend: "keychain", Keyring: kr})
	mustWrite(t, a, Secrets, "rt", "a")
	mustWrite(t, b, Secrets, "rt", "b")
	if len(kr.items) != 2 {
		t.Fatalf("two stores share keyring items: %d items", len(kr.items))
	}
	mustRead(t, a, Secrets, "rt", "a")
	mustRead(t, b, Secrets, "rt", "b")
}

func TestKeyringResetMakesEntriesCorrupt(t *testing.T) {
	kr := &fakeKeyrings{}
	s := openStore(t, Options{Backend: "wincred", Keyring: kr})
	mustWrite(t, s, Secrets, "rt", "x")
	kr.items = nil // the user wiped the keyring

	other := reopen(t, s, Options{Backend: "wincred", Keyring: kr})
	mustWrite(t, other, Secrets, "new", "y")
	expectCorrupt(t, other, Secrets, "rt", "no data key was found although sealed entries existed")
	mustRead(t, other, Secrets, "new", "y")
}

func TestExplicitBackendUnavailableIsAnError(t *testing.T) {
	kr := &fakeKeyrings{openErr: errors.New("kwalletd is not running")}
	s := openStore(t, Options{Backend: "kwallet", Keyring: kr})
	err := s.Write(context.Background(), Secrets, "rt", []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "KWallet: not available: kwalletd is not running") {
		t.Fatalf("Write with an unavailable explicit backend: got %v", err)
	}
	for _, f := range []string{"data.key", "passphrase.salt"} {
		if _, err := os.Stat(filepath.Join(s.Dir(), f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("an explicit keyring backend fell back to %s", f)
		}
	}
	if _, err := s.Protection(context.Background()); err == nil {
		t.Error("Protection succeeded with an unavailable explicit backend")
	}
	// Access tokens still work.
	mustWrite(t, s, AccessTokens, "at", "token")
	mustRead(t, s, AccessTokens, "at", "token")
}

func TestAutoFallbackIsReported(t *testing.T) {
	if platformKeyring() == "" {
		t.Skip("no OS keyring for auto on this platform")
	}
	unavailable := &fakeKeyrings{openErr: errors.New("DBUS_SESSION_BUS_ADDRESS is not set")}
	ctx := context.Background()

	t.Run("key file", func(t *testing.T) {
		s := openStore(t, Options{Keyring: unavailable})
		p, err := s.Protection(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p.Backend != "file" || !strings.Contains(p.Description, filepath.Join(s.Dir(), "data.key")) ||
			!strings.Contains(p.Description, "not against your own processes") {
			t.Errorf("Protection = %+v, want the key file described plainly", p)
		}
		if !strings.Contains(p.Fallback, "DBUS_SESSION_BUS_ADDRESS is not set") {
			t.Errorf("Protection.Fallback = %q, want the reason the keyring was skipped", p.Fallback)
		}
		mustWrite(t, s, Secrets, "rt", "x")
		mustRead(t, s, Secrets, "rt", "x")
		if p2, _ := s.Protection(ctx); p2 != p {
			t.Errorf("Protection after use = %+v, want %+v", p2, p)
		}
	})
	t.Run("passphrase", func(t *testing.T) {
		s := openStore(t, Options{Keyring: unavailable, Passphrase: "pw"})
		mustWrite(t, s, Secrets, "rt", "x")
		p, err := s.Protection(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p.Backend != "passphrase" || !strings.Contains(p.String(), "passphrase from AADCRED_KEYRING_PASSPHRASE; not using") {
			t.Errorf("Protection = %q", p)
		}
	})
	t.Run("keyring that fails to read", func(t *testing.T) {
		locked := &fakeKeyrings{getErr: errors.New("collection is locked")}
		s := openStore(t, Options{Keyring: locked})
		mustWrite(t, s, Secrets, "rt", "x")
		p, _ := s.Protection(ctx)
		if p.Backend != "file" || !strings.Contains(p.Fallback, "collection is locked") {
			t.Errorf("Protection = %+v", p)
		}
	})
	t.Run("keyring available", func(t *testing.T) {
		s := openStore(t, Options{Keyring: &fakeKeyrings{}})
		p, err := s.Protection(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p.Backend != platformKeyring() || p.Fallback != "" || !strings.HasPrefix(p.Description, "OS keyring") {
			t.Errorf("Protection = %+v", p)
		}
	})
}

func TestProtectionDoesNotCreateAKey(t *testing.T) {
	kr := &fakeKeyrings{}
	s := openStore(t, Options{Backend: "pass", Keyring: kr})
	if _, err := s.Protection(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, _, sets := kr.counts(); sets != 0 {
		t.Errorf("Protection stored a key")
	}
}

func TestCallWithContextStopsWaiting(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := callWithContext(ctx, func() (int, error) { <-release; return 1, nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("waited %v for a hung keyring call", waited)
	}
	v, err := callWithContext(context.Background(), func() (int, error) { return 7, nil })
	if v != 7 || err != nil {
		t.Errorf("callWithContext = %v, %v", v, err)
	}
}

// stalledKeyring answers nothing until its caller gives up, like a keyring
// daemon that accepted the call and hung.
type stalledKeyring struct{}

func (stalledKeyring) Get(ctx context.Context, key string) ([]byte, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func (stalledKeyring) Set(ctx context.Context, key, label string, data []byte) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestKeyringCallsAreBoundedWithoutADeadline: a sign-in in a browser gives the
// store a context without a deadline; a stalled keyring still fails the call,
// saying why, instead of holding the command for good.
func TestKeyringCallsAreBoundedWithoutADeadline(t *testing.T) {
	kr := boundedKeyring{stalledKeyring{}, 100 * time.Millisecond}
	start := time.Now()
	_, getErr := kr.Get(context.Background(), "data-key-1")
	setErr := kr.Set(context.Background(), "data-key-1", "label", []byte("k"))
	for _, err := range []error{getErr, setErr} {
		if err == nil || !strings.Contains(err.Error(), "no answer within 100ms") {
			t.Errorf("a stalled keyring: %v, want an error saying it did not answer within 100ms", err)
		}
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("two calls to a stalled keyring took %v", took)
	}

	// The caller's own, earlier deadline is the caller's, not the keyring's.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	long := boundedKeyring{stalledKeyring{}, time.Minute}
	if _, err := long.Get(ctx, "data-key-1"); !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "no answer within") {
		t.Errorf("Get past the caller's deadline: %v, want the caller's deadline", err)
	}
}
