package keystore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// openStore opens a store in a fresh directory with the given options.
func openStore(t *testing.T, opts Options) *Store {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = filepath.Join(t.TempDir(), "store")
	}
	if opts.Keyring == nil {
		// No test may reach the real OS keyring.
		opts.Keyring = &fakeKeyrings{openErr: errors.New("no OS keyring in tests")}
	}
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// reopen opens a second Store on the same directory, as another process would.
func reopen(t *testing.T, s *Store, opts Options) *Store {
	t.Helper()
	opts.Dir = s.Dir()
	return openStore(t, opts)
}

func mustWrite(t *testing.T, s *Store, tier Tier, name, value string) {
	t.Helper()
	if err := s.Write(context.Background(), tier, name, []byte(value)); err != nil {
		t.Fatalf("Write(%v, %s): %v", tier, name, err)
	}
}

func mustRead(t *testing.T, s *Store, tier Tier, name, want string) {
	t.Helper()
	got, err := s.Read(context.Background(), tier, name)
	if err != nil {
		t.Fatalf("Read(%v, %s): %v", tier, name, err)
	}
	if string(got) != want {
		t.Fatalf("Read(%v, %s) = %q, want %q", tier, name, got, want)
	}
}

func entryPath(s *Store, tier Tier, name string) string {
	return filepath.Join(s.tierDir(tier), name)
}

// fakeKeyrings is an in-memory OS keyring that counts what is done to it.
type fakeKeyrings struct {
	mu      sync.Mutex
	items   map[string][]byte
	labels  map[string]string
	openErr error // returned by OpenKeyring when set
	getErr  error // returned by Get when set
	opened  []string
	gets    int
	sets    int
}

func (f *fakeKeyrings) OpenKeyring(ctx context.Context, backend string) (Keyring, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opened = append(f.opened, backend)
	if f.openErr != nil {
		return nil, f.openErr
	}
	return f, nil
}

func (f *fakeKeyrings) Get(ctx context.Context, key string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	if f.getErr != nil {
		return nil, f.getErr
	}
	data, ok := f.items[key]
	if !ok {
		return nil, ErrKeyringItemNotFound
	}
	return data, nil
}

func (f *fakeKeyrings) Set(ctx context.Context, key, label string, data []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sets++
	if f.items == nil {
		f.items, f.labels = map[string][]byte{}, map[string]string{}
	}
	f.items[key] = append([]byte(nil), data...)
	f.labels[key] = label
	return nil
}

// counts returns how often the keyring was opened, read and written.
func (f *fakeKeyrings) counts() (opens, gets, sets int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.opened), f.gets, f.sets
}

// helper starts the test binary as a helper process running args.
func helper(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	return cmd
}

// startHelper starts a helper and waits until it prints want on a line.
func startHelper(t *testing.T, want string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := helper(t, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, out)
	}()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("helper %v exited before printing %q; stderr: %s", args, want, stderr.String())
			}
			if line == want {
				return cmd
			}
		case <-timeout:
			t.Fatalf("helper %v did not print %q in time", args, want)
		}
	}
}

// setOpenErr makes the keyring unavailable (err != nil) or available again.
func (f *fakeKeyrings) setOpenErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.openErr = err
}

// reset empties the keyring, as a user wiping it would.
func (f *fakeKeyrings) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items, f.labels = nil, nil
}

// fileContent returns the file's bytes, or nil if it does not exist.
func fileContent(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// expectKept reads an entry that must be refused without being deleted: the
// error matches want and not ErrCorrupt, and the file is unchanged.
func expectKept(t *testing.T, s *Store, tier Tier, name string, want error, mentions ...string) error {
	t.Helper()
	path := entryPath(s, tier, name)
	before := fileContent(t, path)
	if before == nil {
		t.Fatalf("%s does not exist before the read", path)
	}
	_, err := s.Read(context.Background(), tier, name)
	if !errors.Is(err, want) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNotFound) {
		t.Fatalf("Read(%v, %s) = %v, want %v", tier, name, err, want)
	}
	for _, m := range mentions {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not mention %q", err, m)
		}
	}
	if after := fileContent(t, path); !bytes.Equal(after, before) {
		t.Errorf("the refused entry was removed or changed")
	}
	return err
}
