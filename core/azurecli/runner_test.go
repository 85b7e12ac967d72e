package azurecli

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTokenPassesArgumentsThrough(t *testing.T) {
	tests := []struct {
		name     string
		tenant   string
		resource string
		scopes   []string
		want     []string
	}{
		{"resource", "", "https://management.core.windows.net/", nil,
			[]string{"account", "get-access-token", "--output", "json", "--resource", "https://management.core.windows.net/"}},
		{"resource in a tenant", "contoso.onmicrosoft.com", "6dae42f8-4368-4678-94ff-3960e28e3630", nil,
			[]string{"account", "get-access-token", "--output", "json", "--tenant", "contoso.onmicrosoft.com", "--resource", "6dae42f8-4368-4678-94ff-3960e28e3630"}},
		{"scopes", "72f988bf-86f1-41af-91ab-2d7cd011db47", "", []string{"499b84ac-1321-427f-aa17-267ca6975798/.default", "offline_access"},
			[]string{"account", "get-access-token", "--output", "json", "--tenant", "72f988bf-86f1-41af-91ab-2d7cd011db47", "--scope", "499b84ac-1321-427f-aa17-267ca6975798/.default", "offline_access"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, saw := fakeRunner(t, "new")
			tok, err := r.Token(context.Background(), Query{Tenant: tt.tenant, Resource: tt.resource, Scopes: tt.scopes})
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			run := saw()
			if !slices.Equal(run.Args, tt.want) {
				t.Errorf("az ran with %q, want %q", run.Args, tt.want)
			}
			if run.Stdin != "" {
				t.Errorf("az read %q from stdin, want nothing", run.Stdin)
			}
			want := Token{AccessToken: fakeToken, TokenType: "Bearer", Tenant: "tenant-1", Subscription: "sub-1", ExpiresOn: time.Unix(1772371800, 0)}
			if *tok != want {
				t.Errorf("Token = %+v, want %+v", *tok, want)
			}
		})
	}
}

func TestTokenOlderAzReportsLocalTime(t *testing.T) {
	r, _ := fakeRunner(t, "old")
	tok, err := r.Token(context.Background(), Query{Resource: "https://management.core.windows.net/"})
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	want := time.Date(2026, 3, 1, 13, 30, 0, 123456000, time.Local)
	if !tok.ExpiresOn.Equal(want) {
		t.Errorf("ExpiresOn = %v, want %v (expiresOn read in local time)", tok.ExpiresOn, want)
	}
}

func TestTokenRejectsBadArgumentsWithoutRunningAz(t *testing.T) {
	tests := []struct {
		name             string
		tenant, resource string
		scopes           []string
		wantErr          string
	}{
		{"nothing asked", "", "", nil, "a resource or at least one scope is needed"},
		{"both", "", "https://x/", []string{"https://x/.default"}, "not both"},
		{"option-like resource", "", "--debug", nil, "starts with '-'"},
		{"option-like scope", "", "", []string{"https://x/.default", "-o"}, "starts with '-'"},
		{"space in resource", "", "https://x/ --debug", nil, "cannot be passed"},
		{"cmd.exe metacharacter", "", "", []string{"https://x/.default&calc"}, "cannot be passed"},
		{"empty scope", "", "", []string{""}, "empty scope"},
		{"bad tenant", "../evil", "https://x/", nil, "not a tenant ID or domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := fakeRunner(t, "new")
			record := strings.TrimPrefix(r.Env[len(r.Env)-1], fakeArgsVar+"=")
			_, err := r.Token(context.Background(), Query{Tenant: tt.tenant, Resource: tt.resource, Scopes: tt.scopes})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Token error = %v, want one containing %q", err, tt.wantErr)
			}
			if _, statErr := os.Stat(record); statErr == nil {
				t.Error("az was run for rejected input")
			}
		})
	}
}

func TestTokenFailures(t *testing.T) {
	tests := []struct {
		mode    string
		tenant  string
		is      error
		wantErr string
	}{
		{"not-signed-in", "", ErrNotSignedIn, "the Azure CLI is not signed in: run `az login` (az: Please run 'az login' to setup account.)"},
		{"not-signed-in", "contoso.com", ErrNotSignedIn, "run `az login --tenant contoso.com`"},
		{"expired", "", ErrNotSignedIn, "run `az login` (az: AADSTS700082: The refresh token has expired due to inactivity.)"},
		{"fail", "", nil, "the Azure CLI (az account get-access-token) failed: (SubscriptionNotFound) Subscription sub-9 not found."},
		{"silent-fail", "", nil, "exited with status 3 and no message"},
		{"garbage", "", nil, "reading the Azure CLI's answer: the Azure CLI's output is not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			r, _ := fakeRunner(t, tt.mode)
			tok, err := r.Token(context.Background(), Query{Tenant: tt.tenant, Resource: "https://management.core.windows.net/"})
			if err == nil || tok != nil {
				t.Fatalf("Token = %v, %v; want an error", tok, err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error does not wrap %v", tt.is)
			}
			if strings.Contains(err.Error(), fakeToken) {
				t.Error("error contains az's token")
			}
		})
	}
}

func TestTokenCapsAzMessage(t *testing.T) {
	r, _ := fakeRunner(t, "long-error")
	_, err := r.Token(context.Background(), Query{Resource: "https://management.core.windows.net/"})
	if err == nil {
		t.Fatal("Token succeeded")
	}
	if len(err.Error()) > 500 || strings.ContainsRune(err.Error(), '\x1b') {
		t.Errorf("error is %d bytes or holds control characters: %q…", len(err.Error()), err.Error()[:80])
	}
}

func TestTokenTimeout(t *testing.T) {
	r, _ := fakeRunner(t, "sleep")
	r.Timeout = 300 * time.Millisecond
	start := time.Now()
	_, err := r.Token(context.Background(), Query{Resource: "https://management.core.windows.net/"})
	if err == nil || !strings.Contains(err.Error(), "the Azure CLI (az) did not answer within 300ms") {
		t.Errorf("error = %v, want one saying az did not answer within 300ms", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Token returned after %v", d)
	}
}

func TestTokenCallerCancels(t *testing.T) {
	r, _ := fakeRunner(t, "sleep")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := r.Token(ctx, Query{Resource: "https://management.core.windows.net/"})
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "did not answer within") {
		t.Errorf("error = %v, want the caller's deadline, not az's timeout", err)
	}
}

func TestTokenNeverWritesOurStdout(t *testing.T) {
	r, _ := fakeRunner(t, "new")
	read, write, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = write
	_, tokErr := r.Token(context.Background(), Query{Resource: "https://management.core.windows.net/"})
	os.Stdout = saved
	write.Close()
	leaked, _ := io.ReadAll(read)
	if tokErr != nil {
		t.Fatalf("Token: %v", tokErr)
	}
	if len(leaked) != 0 {
		t.Errorf("%d bytes of az's output reached our stdout", len(leaked))
	}
}

func TestTokenFindsAzOnPath(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("az is az.cmd on Windows; the fake is an .exe")
	}
	r, saw := fakeRunner(t, "new")
	dir := t.TempDir()
	if err := os.Symlink(r.Path, filepath.Join(dir, "az")); err != nil {
		t.Skipf("cannot link the fake az: %v", err)
	}
	r.Path = ""
	r.Getenv = func(name string) string {
		if name == "PATH" {
			return strings.Join([]string{t.TempDir(), dir}, string(os.PathListSeparator))
		}
		return ""
	}
	if _, err := r.Token(context.Background(), Query{Resource: "https://management.core.windows.net/"}); err != nil {
		t.Fatalf("Token: %v", err)
	}
	if len(saw().Args) == 0 {
		t.Error("the fake az on PATH did not run")
	}
}

func TestTokenAzMissing(t *testing.T) {
	dir := t.TempDir()
	// An az in the current directory is not found through a relative PATH entry.
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	r := &Runner{Getenv: func(name string) string {
		if name == "PATH" {
			return "." + string(os.PathListSeparator) + t.TempDir()
		}
		return ""
	}}
	_, err := r.Token(context.Background(), Query{Resource: "https://management.core.windows.net/"})
	if !errors.Is(err, ErrNotInstalled) || err.Error() != "the Azure CLI (az) was not found on PATH; install it or choose another method" {
		t.Errorf("error = %v, want the not-installed error", err)
	}

	r = &Runner{Path: filepath.Join(dir, "missing", "az")}
	_, err = r.Token(context.Background(), Query{Resource: "https://management.core.windows.net/"})
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), r.Path) {
		t.Errorf("error = %v, want the not-installed error naming %s", err, r.Path)
	}
}

func TestCappedBuffer(t *testing.T) {
	b := &cappedBuffer{max: 8}
	for _, chunk := range []string{"12345", "6789", "abc"} {
		if n, err := b.Write([]byte(chunk)); n != len(chunk) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", chunk, n, err)
		}
	}
	if got := string(b.Bytes()); got != "12345678" || !b.overflow {
		t.Errorf("kept %q (overflow %v), want the first 8 bytes and overflow", got, b.overflow)
	}
	// io.Copy, which exec uses, must go through Write.
	b = &cappedBuffer{max: 4}
	if _, err := io.Copy(b, strings.NewReader("0123456789")); err != nil {
		t.Fatal(err)
	}
	if got := string(b.Bytes()); got != "0123" {
		t.Errorf("io.Copy kept %q, want %q", got, "0123")
	}
}
