package azurecli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The test binary doubles as a fake az: run with AADCRED_FAKE_AZ set, it records its arguments
// and acts out the named behaviour instead of running the tests.
const (
	fakeModeVar = "AADCRED_FAKE_AZ"
	fakeArgsVar = "AADCRED_FAKE_AZ_ARGS" // file the fake writes {"args":[…],"stdin":"…"} to
)

// fakeToken is what the fake az hands out; tests check it never shows up in an error.
const fakeToken = "eyJfake.az-access-token.sig"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeModeVar); mode != "" {
		os.Exit(fakeAz(mode))
	}
	os.Exit(m.Run())
}

func fakeAz(mode string) int {
	stdin, _ := io.ReadAll(os.Stdin)
	record, _ := json.Marshal(map[string]any{"args": os.Args[1:], "stdin": string(stdin)})
	if err := os.WriteFile(os.Getenv(fakeArgsVar), record, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "fake az:", err)
		return 99
	}
	switch mode {
	case "new":
		fmt.Printf(`{"accessToken":%q,"expiresOn":"2026-03-01 13:30:00.000000","expires_on":1772371800,"subscription":"sub-1","tenant":"tenant-1","tokenType":"Bearer"}`+"\n", fakeToken)
	case "old":
		fmt.Printf(`{"accessToken":%q,"expiresOn":"2026-03-01 13:30:00.123456","subscription":"sub-1","tenant":"tenant-1","tokenType":"Bearer"}`+"\n", fakeToken)
	case "not-signed-in":
		fmt.Fprintln(os.Stderr, "ERROR: Please run 'az login' to setup account.")
		return 1
	case "expired":
		fmt.Fprint(os.Stderr, "WARNING: A newer version is available.\nERROR: AADSTS700082: The refresh token has expired due to inactivity.\nInteractive authentication is needed. Please run:\naz login --scope https://management.core.windows.net//.default\n")
		return 1
	case "fail":
		fmt.Fprint(os.Stderr, "WARNING: something first\nERROR: (SubscriptionNotFound) Subscription sub-9 not found.\n")
		fmt.Printf(`{"accessToken":%q}`, fakeToken) // never to be quoted
		return 2
	case "long-error":
		fmt.Fprintln(os.Stderr, "ERROR: "+strings.Repeat("x", 5000)+"\x1b[0m")
		return 1
	case "silent-fail":
		return 3
	case "garbage":
		fmt.Printf("%s is not JSON", fakeToken)
	case "sleep":
		time.Sleep(time.Minute)
	case "azd":
		fmt.Printf(`{"token":%q,"expiresOn":"2026-03-01T13:30:00Z"}`+"\n", fakeToken)
	case "azd-not-signed-in":
		fmt.Fprintln(os.Stderr, "ERROR: not logged in, run `azd auth login` to login")
		return 1
	case "azd-garbage":
		fmt.Printf(`{"token":%q,"expiresOn":"soon"}`, fakeToken)
	default:
		fmt.Fprintln(os.Stderr, "fake az: unknown mode", mode)
		return 98
	}
	return 0
}

// fakeRun is what the fake az saw.
type fakeRun struct {
	Args  []string `json:"args"`
	Stdin string   `json:"stdin"`
}

// fakeRunner returns a Runner that runs the fake az in mode, and a function reading what it saw.
func fakeRunner(t *testing.T, mode string) (*Runner, func() fakeRun) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	record := filepath.Join(t.TempDir(), "run.json")
	r := &Runner{
		Path:    exe,
		Getenv:  func(string) string { return "" },
		Env:     append(os.Environ(), fakeModeVar+"="+mode, fakeArgsVar+"="+record),
		Timeout: 20 * time.Second,
	}
	return r, func() fakeRun {
		t.Helper()
		data, err := os.ReadFile(record)
		if err != nil {
			t.Fatalf("the fake az did not run: %v", err)
		}
		var run fakeRun
		if err := json.Unmarshal(data, &run); err != nil {
			t.Fatal(err)
		}
		return run
	}
}
