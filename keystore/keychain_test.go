package keystore

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeSecurity puts the fake security program in a directory of its own and
// returns the Keychain client that runs it, and the program's state directory.
func fakeSecurity(t *testing.T, mode string) (*keychain, string) {
	t.Helper()
	dir := t.TempDir()
	if mode != "" {
		raw, _ := json.Marshal(fakeSecurityState{Mode: mode})
		if err := os.WriteFile(filepath.Join(dir, "state.json"), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	program := filepath.Join(dir, "security")
	script := "#!/bin/sh\n" + helperEnv + "=1 " + fakeSecurityDir + "='" + dir + "' exec '" + os.Args[0] + "' fake-security \"$@\"\n"
	if err := os.WriteFile(program, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return &keychain{program: program, keychain: loginKeychain}, dir
}

// setMode changes how the fake Keychain behaves from now on.
func setMode(t *testing.T, dir, mode string) {
	t.Helper()
	var st fakeSecurityState
	if raw, err := os.ReadFile(filepath.Join(dir, "state.json")); err == nil {
		_ = json.Unmarshal(raw, &st)
	}
	st.Mode = mode
	raw, _ := json.Marshal(st)
	if err := os.WriteFile(filepath.Join(dir, "state.json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// securityCalls returns what the fake program was run with.
func securityCalls(t *testing.T, dir string) []fakeSecurityCall {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "calls.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var calls []fakeSecurityCall
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c fakeSecurityCall
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		calls = append(calls, c)
	}
	return calls
}

// keychainOpener opens k for the "keychain" backend and nothing else.
type keychainOpener struct{ k *keychain }

func (o keychainOpener) OpenKeyring(ctx context.Context, backend string) (Keyring, error) {
	if backend != "keychain" {
		return nil, errors.New("not in this test")
	}
	return o.k, nil
}

func TestKeychainHoldsTheDataKey(t *testing.T) {
	k, dir := fakeSecurity(t, "")
	opts := Options{Backend: "keychain", Keyring: keychainOpener{k}}
	s := openStore(t, opts)
	mustWrite(t, s, Secrets, "rt", "refresh")
	other := reopen(t, s, opts)
	mustRead(t, other, Secrets, "rt", "refresh")
	p, err := other.Protection(context.Background())
	if err != nil || p.String() != "macOS Keychain (login)" {
		t.Errorf("Protection = %q, %v; want the login Keychain named", p, err)
	}

	var st fakeSecurityState
	raw, _ := os.ReadFile(filepath.Join(dir, "state.json"))
	if err := json.Unmarshal(raw, &st); err != nil || len(st.Items) != 1 {
		t.Fatalf("the Keychain holds %v, want one item", st.Items)
	}
	var secret string
	for id, item := range st.Items {
		if !strings.HasPrefix(id, "login.keychain/aadcred/data-key-") || !strings.Contains(item.Label, s.Dir()) {
			t.Errorf("item %s labelled %q; want service aadcred, the store's item name, a label naming the store", id, item.Label)
		}
		if key, err := base64.StdEncoding.DecodeString(item.Password); err != nil || len(key) != dataKeyLen {
			t.Errorf("the item does not hold a data key")
		}
		secret = item.Password
	}

	// The secret went in on stdin; no argv, which ps shows to everyone, ever
	// held it.
	calls := securityCalls(t, dir)
	var sawStdin bool
	for _, c := range calls {
		for _, a := range c.Argv {
			if strings.Contains(a, secret) {
				t.Errorf("the data key was in security's arguments: %q", c.Argv)
			}
		}
		sawStdin = sawStdin || strings.Contains(c.Stdin, secret)
	}
	if !sawStdin {
		t.Errorf("the data key never reached security on stdin; calls: %+v", calls)
	}
	if !slices.ContainsFunc(calls, func(c fakeSecurityCall) bool { return slices.Equal(c.Argv, []string{"-i"}) }) {
		t.Errorf("security was never run as security -i: %+v", calls)
	}
}

func TestKeychainLockedLeavesEntriesInPlace(t *testing.T) {
	// "locked": the item is found but its password cannot be read.
	// "unsearchable": the search fails, and security says the item could
	// not be found; only the keychain's refusal to show its settings tells
	// this from a missing item.
	for _, mode := range []string{"locked", "unsearchable"} {
		t.Run(mode, func(t *testing.T) {
			k, dir := fakeSecurity(t, "")
			opts := Options{Keyring: keychainOpener{k}, Backend: "keychain"}
			s := openStore(t, opts)
			mustWrite(t, s, Secrets, "rt", "refresh")
			setMode(t, dir, mode)

			// As recorded with auto, and as chosen: refused, kept, said why.
			if err := writeRecordFor(s, "keychain"); err != nil {
				t.Fatal(err)
			}
			for _, o := range []Options{opts, {Keyring: keychainOpener{k}}} {
				other := reopen(t, s, o)
				expectKept(t, other, Secrets, "rt", ErrKeyUnavailable, "Keychain", "locked and no dialog can be shown")
				if err := other.Write(context.Background(), Secrets, "new", []byte("x")); !errors.Is(err, ErrKeyUnavailable) {
					t.Errorf("Write with a locked Keychain: %v, want ErrKeyUnavailable", err)
				}
			}
			if _, err := os.Stat(filepath.Join(s.Dir(), "data.key")); !errors.Is(err, os.ErrNotExist) {
				t.Error("a locked Keychain made the store fall back to a key file")
			}
			setMode(t, dir, "")
			mustRead(t, reopen(t, s, opts), Secrets, "rt", "refresh")
		})
	}
}

// writeRecordFor records backend as holding s's key, as auto does on a Mac.
func writeRecordFor(s *Store, backend string) error { return s.writeRecord(backend) }

func TestKeychainHangIsBoundedByTheContext(t *testing.T) {
	k, _ := fakeSecurity(t, "hang")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := k.Get(ctx, "data-key-1")
	if err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Errorf("Get from a hung Keychain: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Get from a hung Keychain took %v", took)
	}
}

func TestKeychainMissingItem(t *testing.T) {
	k, dir := fakeSecurity(t, "")
	if _, err := k.Get(context.Background(), "data-key-1"); !errors.Is(err, ErrKeyringItemNotFound) {
		t.Errorf("Get of a missing item: %v, want ErrKeyringItemNotFound", err)
	}
	// The miss was confirmed by a keychain that answered for its settings,
	// and a second search.
	calls := securityCalls(t, dir)
	if len(calls) != 3 || !slices.Equal(calls[1].Argv, []string{"show-keychain-info", loginKeychain}) || calls[2].Argv[0] != "find-generic-password" {
		t.Errorf("security was run as %+v; want a find, show-keychain-info, and a find", calls)
	}

	// A keychain unlocked at the check (a person at the prompt it shows)
	// holds the item after all.
	if err := k.Set(context.Background(), "data-key-2", "label", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	setMode(t, dir, "unlocked-by-check")
	if got, err := k.Get(context.Background(), "data-key-2"); err != nil || string(got) != "kept" {
		t.Errorf("Get from a keychain unlocked at the check = %q, %v; want the item", got, err)
	}

	// Exit 44 from a keychain that cannot show its settings either is some
	// other failure, not a missing item.
	program := filepath.Join(t.TempDir(), "security")
	if err := os.WriteFile(program, []byte("#!/bin/sh\necho 'security: something else' >&2\nexit 44\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	other := &keychain{program: program, keychain: loginKeychain}
	if _, err := other.Get(context.Background(), "data-key-1"); err == nil || errors.Is(err, ErrKeyringItemNotFound) {
		t.Errorf("Get with an unexplained exit 44: %v, want an error that is not ErrKeyringItemNotFound", err)
	}
}

func TestKeychainErrorsNeverHoldTheSecret(t *testing.T) {
	k, _ := fakeSecurity(t, "echo")
	secret := "c2VjcmV0LWRhdGEta2V5LW9mLXRoaXJ0eS10d28tYnl0ZXM="
	err := k.Set(context.Background(), "data-key-1", "label", []byte(secret))
	if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("Set with a security that repeats its command: %v; want an error without the secret", err)
	}
}

func TestSecurityMessage(t *testing.T) {
	for stderr, want := range map[string]string{
		"":                                    "",
		"add-generic-password: returned 36\n": "",
		"security: SecKeychainItemCreateFromContent (<default>): User interaction is not allowed.\nadd-generic-password: returned 36\n": "security: SecKeychainItemCreateFromContent (<default>): User interaction is not allowed.",
		"first\nsecond: returned soon\n\n": "second: returned soon",
	} {
		if got := securityMessage(stderr); got != want {
			t.Errorf("securityMessage(%q) = %q, want %q", stderr, got, want)
		}
	}
}

func TestOpenKeychainNeedsMacOS(t *testing.T) {
	if runtime.GOOS == "darwin" {
		t.Skip("this is macOS")
	}
	if _, err := (osKeyrings{}).OpenKeyring(context.Background(), "keychain"); err == nil || !strings.Contains(err.Error(), "needs macOS") {
		t.Errorf("OpenKeyring(keychain) off macOS: %v", err)
	}
}

func TestSecurityCommandQuoting(t *testing.T) {
	args := []string{"add-generic-password", "-l", `aadcred data key for /Users/o'brien/"quoted" \dir\`, "-w", "a b\tc", "login.keychain", ""}
	line, err := securityCommand(args...)
	if err != nil {
		t.Fatal(err)
	}
	if got := splitSecurityLine(line); !slices.Equal(got, args) {
		t.Errorf("security would read %q as %q, want %q", line, got, args)
	}
	for _, bad := range []string{"a\nb", "a\rb", "a\x00b"} {
		if _, err := securityCommand("add-generic-password", bad); err == nil {
			t.Errorf("securityCommand accepted %q", bad)
		}
	}
	// security reads 4095 bytes of a line at most; a line of exactly that
	// length leaves its line break for an empty command, whose status 0
	// would hide the real one's.
	fits := strings.Repeat("x", maxSecurityLine-2) // quoted: maxSecurityLine bytes
	if line, err := securityCommand(fits); err != nil || len(line) != maxSecurityLine {
		t.Errorf("securityCommand of a %d-byte line: %v", maxSecurityLine, err)
	}
	if _, err := securityCommand(fits + "x"); err == nil {
		t.Errorf("securityCommand accepted a line of %d bytes, which security -i does not read whole", maxSecurityLine+1)
	}
	if got := printable("a\nb\x7fc"); got != "a?b?c" {
		t.Errorf("printable = %q", got)
	}
}

// FuzzSecurityCommand: whatever aadcred passes, security -i reads back the
// same args, or aadcred refuses to send it.
func FuzzSecurityCommand(f *testing.F) {
	f.Add("label", `"quoted" \ 'single'`)
	f.Add("", "\t")
	f.Fuzz(func(t *testing.T, a, b string) {
		line, err := securityCommand(a, b)
		if err != nil {
			return
		}
		if got := splitSecurityLine(line); !slices.Equal(got, []string{a, b}) {
			t.Errorf("security would read %q as %q, want %q", line, got, []string{a, b})
		}
	})
}
