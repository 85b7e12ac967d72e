package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const spnKubeconfig = `apiVersion: v1
kind: Config
users:
- name: ci
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --login, spn, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, --client-id, c, --tenant-id, t, --client-secret, hunter2]
`

func runConverter(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stderr strings.Builder
	code := run(args, io.Discard, &stderr, func(string) string { return "" })
	return code, stderr.String()
}

func TestConverterConvertsAndReports(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(spnKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := runConverter(t, "--kubeconfig", path, "--timeout", "45s", "--exec-api-version", "v1beta1")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, want := range []string{`Converted user "ci"`, "--login spn", "Left out: --client-secret", "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", "Backup: " + path + ".backup-"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if len([]rune(line)) > 80 && !strings.Contains(line, path) {
			t.Errorf("the report has a line wider than 80 columns: %q", line)
		}
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "hunter2") || !strings.Contains(string(b), "--timeout") || !strings.Contains(string(b), "45s") ||
		!strings.Contains(string(b), "client.authentication.k8s.io/v1beta1") {
		t.Errorf("converted kubeconfig:\n%s", b)
	}
}

func TestConverterRefuses(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--client-secret", "s"}, "--client-secret would write a secret"},
		{[]string{"--password=p"}, "--password would write a secret"},
		{[]string{"--client-certificate-password", "p"}, "--client-certificate-password would write a secret"},
		{[]string{"--exec-api-version", "v1alpha1"}, "v1 or v1beta1"},
		{[]string{"--login", "chained"}, "chained"},
		{[]string{"--login", "interactive", "--pop-enabled"}, "--pop-enabled needs --pop-claims"},
		{[]string{"--bogus"}, "bogus"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		code, out := runConverter(t, tc.args...)
		if code == 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%q: exit %d, want a failure naming %q:\n%s", tc.args, code, tc.want, out)
		}
	}
}

func TestConverterHelp(t *testing.T) {
	code, out := runConverter(t, "--help")
	if code != 0 || !strings.Contains(out, "Usage: kubectl aad convert-kubeconfig") || !strings.Contains(out, "-context") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
}

func TestConverterDryRunWritesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(spnKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := runConverter(t, "--kubeconfig", path, "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, want := range []string{`Would convert user "ci"`, "Dry run: nothing was written."} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if data, _ := os.ReadFile(path); string(data) != spnKubeconfig {
		t.Errorf("the kubeconfig changed:\n%s", data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a dry run left %d files (a backup?)", len(entries))
	}
}

func TestConverterVersion(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run([]string{"--version"}, &stdout, &stderr, func(string) string { return "" }); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got := stdout.String(); !strings.HasPrefix(got, "kubectl-aad-convert_kubeconfig version ") || !strings.HasSuffix(got, "\n") {
		t.Errorf("--version printed %q", got)
	}
}
