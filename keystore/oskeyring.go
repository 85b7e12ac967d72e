package keystore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/99designs/keyring"

	"github.com/aadcred/aadcred/keystore/internal/dbusguard"
)

// The guard replaced DBUS_SESSION_BUS_ADDRESS while github.com/99designs/keyring
// initialised, so that its init never touched the session bus; this package's
// init runs after that package's, so here is where the variable goes back.
func init() {
	_ = dbusguard.Restore()
}

// serviceName groups aadcred's items in keyrings that have the notion.
const serviceName = "aadcred"

// osKeyrings opens the OS keyrings. The macOS Keychain, the Secret Service and
// KWallet are aadcred's own clients (see keychain.go and
// keyring_sessionbus_linux.go); the others are github.com/99designs/keyring's.
// Nothing is opened, and no bus or program is reached, until a backend is
// asked for.
type osKeyrings struct {
	// timeout bounds opening a keyring and each call to it, whatever the
	// caller's deadline (a sign-in in a browser has none); zero means
	// keyringTimeout.
	timeout time.Duration
}

// keyringTimeout is long enough for a person to answer a keyring's own
// prompt (unlocking the login keyring, allowing access, a GPG passphrase for
// pass), and short enough that a session bus, keyring daemon or helper
// program that stalls never holds a command for good.
const keyringTimeout = time.Minute

// OpenKeyring implements KeyringOpener.
func (o osKeyrings) OpenKeyring(ctx context.Context, backend string) (Keyring, error) {
	timeout := cmp.Or(o.timeout, keyringTimeout)
	var kr Keyring
	err := within(ctx, timeout, func(ctx context.Context) (err error) {
		kr, err = openOSKeyring(ctx, backend)
		return err
	})
	if err != nil {
		return nil, err
	}
	return boundedKeyring{kr, timeout}, nil
}

// boundedKeyring gives each call to a keyring at most timeout.
type boundedKeyring struct {
	kr      Keyring
	timeout time.Duration
}

func (b boundedKeyring) Get(ctx context.Context, key string) (data []byte, err error) {
	err = within(ctx, b.timeout, func(ctx context.Context) error {
		data, err = b.kr.Get(ctx, key)
		return err
	})
	return data, err
}

func (b boundedKeyring) Set(ctx context.Context, key, label string, data []byte) error {
	return within(ctx, b.timeout, func(ctx context.Context) error {
		return b.kr.Set(ctx, key, label, data)
	})
}

// within runs f with at most timeout of ctx, and says so when f failed for
// want of an answer in that time.
func within(ctx context.Context, timeout time.Duration, f func(ctx context.Context) error) error {
	noAnswer := fmt.Errorf("no answer within %v", timeout)
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, noAnswer)
	defer cancel()
	err := f(ctx)
	if err != nil && context.Cause(ctx) == noAnswer {
		return fmt.Errorf("%w: %w", noAnswer, err)
	}
	return err
}

// openOSKeyring opens the named backend.
func openOSKeyring(ctx context.Context, backend string) (Keyring, error) {
	switch backend {
	case "keychain":
		return openKeychain()
	case "secret-service", "kwallet":
		return openSessionBusKeyring(ctx, backend)
	}
	cfg := keyring.Config{
		AllowedBackends: []keyring.BackendType{keyring.BackendType(backend)},
		ServiceName:     serviceName,
		KeyCtlScope:     "user",
		PassPrefix:      serviceName,
		WinCredPrefix:   serviceName,
	}
	kr, err := callWithContext(ctx, func() (keyring.Keyring, error) { return keyring.Open(cfg) })
	if errors.Is(err, keyring.ErrNoAvailImpl) {
		// The library logs the real cause only in debug mode; say what the
		// backend needs instead.
		return nil, errors.New(backendNeeds(backend))
	}
	if err != nil {
		return nil, err
	}
	return osKeyring{kr}, nil
}

// osKeyring adapts a keyring.Keyring to Keyring.
type osKeyring struct{ kr keyring.Keyring }

func (k osKeyring) Get(ctx context.Context, key string) ([]byte, error) {
	item, err := callWithContext(ctx, func() (keyring.Item, error) { return k.kr.Get(key) })
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return nil, ErrKeyringItemNotFound
	}
	if err != nil {
		return nil, err
	}
	return item.Data, nil
}

func (k osKeyring) Set(ctx context.Context, key, label string, data []byte) error {
	_, err := callWithContext(ctx, func() (struct{}, error) {
		return struct{}{}, k.kr.Set(keyring.Item{Key: key, Data: data, Label: label})
	})
	return err
}

// callWithContext runs f but stops waiting for it when ctx is done. The
// keyring libraries cannot be cancelled (a call may wait on a helper process or
// a prompt indefinitely); abandoning the goroutine lets the command fail with a
// clear error, and the process exits soon after anyway.
func callWithContext[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// backendNeeds says what an OS keyring backend needs, for when it cannot be
// opened and the library does not say why.
func backendNeeds(backend string) string {
	switch backend {
	case "keychain":
		return "the macOS Keychain needs macOS"
	case "wincred":
		return "the Windows Credential Manager needs Windows"
	case "secret-service", "kwallet":
		return "it needs Linux and a session D-Bus with the service running"
	case "pass":
		return "it needs the pass command and a password store set up with `pass init`"
	case "keyctl":
		return "it needs Linux and a kernel keyring this process may use (container sandboxes often forbid it)"
	}
	return "no such keyring backend"
}
