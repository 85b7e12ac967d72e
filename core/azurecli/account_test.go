package azurecli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const profileTwoSubscriptions = `{"installationId":"i","subscriptions":[
 {"id":"sub-a","name":"A","state":"Enabled","user":{"name":"ana@contoso.com","type":"user"},"isDefault":false,"tenantId":"tenant-1","environmentName":"AzureCloud"},
 {"id":"sub-b","name":"B","state":"Enabled","user":{"name":"ana@contoso.com","type":"user"},"isDefault":true,"tenantId":"tenant-1","environmentName":"AzureCloud"}]}`

// accountIn writes profile (nil: no file) into a fresh AZURE_CONFIG_DIR and returns Account's answer.
func accountIn(t *testing.T, profile []byte) (string, error) {
	t.Helper()
	dir := t.TempDir()
	if profile != nil {
		if err := os.WriteFile(filepath.Join(dir, "azureProfile.json"), profile, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := &Runner{Getenv: func(name string) string {
		if name == "AZURE_CONFIG_DIR" {
			return dir
		}
		return ""
	}}
	return r.Account()
}

func TestAccount(t *testing.T) {
	signedIn, err := accountIn(t, []byte(profileTwoSubscriptions))
	if err != nil || signedIn == "" {
		t.Fatalf("Account() = %q, %v; want a fingerprint", signedIn, err)
	}
	if strings.Contains(signedIn, "ana") || strings.Contains(signedIn, "sub-b") {
		t.Errorf("fingerprint %q shows the account", signedIn)
	}

	withBOM, err := accountIn(t, append([]byte("\uFEFF"), profileTwoSubscriptions...))
	if err != nil || withBOM != signedIn {
		t.Errorf("Account() with a byte-order mark = %q, %v; want %q", withBOM, err, signedIn)
	}

	replace := func(old, new string) func(string) string {
		return func(p string) string { return strings.ReplaceAll(p, old, new) }
	}
	changes := map[string]func(string) string{
		"az account set": func(p string) string { // the default moves from B to A
			p = strings.Replace(p, `"isDefault":false`, `"isDefault":X`, 1)
			p = strings.Replace(p, `"isDefault":true`, `"isDefault":false`, 1)
			return strings.Replace(p, `"isDefault":X`, `"isDefault":true`, 1)
		},
		"another user":      replace("ana@contoso.com", "bo@contoso.com"),
		"another tenant":    replace("tenant-1", "tenant-2"),
		"another cloud":     replace("AzureCloud", "AzureUSGovernment"),
		"service principal": replace(`"type":"user"`, `"type":"servicePrincipal"`),
	}
	for name, change := range changes {
		got, err := accountIn(t, []byte(change(profileTwoSubscriptions)))
		if err != nil || got == "" || got == signedIn {
			t.Errorf("%s: Account() = %q, %v; want a fingerprint other than %q", name, got, err, signedIn)
		}
	}
}

func TestAccountNotSignedIn(t *testing.T) {
	for name, profile := range map[string][]byte{
		"no profile":               nil,
		"empty file":               {},
		"after az logout":          []byte(`{"installationId":"i","subscriptions":[]}`),
		"BOM and no subscriptions": []byte("\uFEFF{\"subscriptions\":[]}"),
		"no default":               []byte(strings.ReplaceAll(profileTwoSubscriptions, `"isDefault":true`, `"isDefault":false`)),
	} {
		got, err := accountIn(t, profile)
		if got != "" || err != nil {
			t.Errorf("%s: Account() = %q, %v; want \"\", nil", name, got, err)
		}
	}
}

func TestAccountCorruptProfile(t *testing.T) {
	got, err := accountIn(t, []byte(`{"subscriptions":[{"id":`))
	if err == nil || got != "" || !strings.Contains(err.Error(), "azureProfile.json") {
		t.Errorf("Account() = %q, %v; want an error naming the profile", got, err)
	}
}

func TestAccountFindsProfile(t *testing.T) {
	home := t.TempDir()
	if err := os.Mkdir(filepath.Join(home, ".azure"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".azure", "azureProfile.json"), []byte(profileTwoSubscriptions), 0o600); err != nil {
		t.Fatal(err)
	}
	want, _ := accountIn(t, []byte(profileTwoSubscriptions))
	homeVar := "HOME"
	if os.PathSeparator == '\\' {
		homeVar = "USERPROFILE"
	}

	fromHome := &Runner{Getenv: func(name string) string {
		if name == homeVar {
			return home
		}
		return ""
	}}
	if got, err := fromHome.Account(); got != want || err != nil {
		t.Errorf("Account() from ~/.azure = %q, %v; want %q", got, err, want)
	}

	// With Env set, the profile is the one az will run with, not ours.
	fromEnv := &Runner{
		Getenv: func(string) string { return t.TempDir() },
		Env:    []string{"AZURE_CONFIG_DIR=/nowhere", "AZURE_CONFIG_DIR=" + filepath.Join(home, ".azure")},
	}
	if got, err := fromEnv.Account(); got != want || err != nil {
		t.Errorf("Account() from Env's AZURE_CONFIG_DIR = %q, %v; want %q", got, err, want)
	}

	nowhere := &Runner{Getenv: func(string) string { return "" }}
	if _, err := nowhere.Account(); err == nil {
		t.Error("Account() with neither AZURE_CONFIG_DIR nor a home directory succeeded")
	}
}
