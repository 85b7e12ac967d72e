package azurecli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// profileFile is where az keeps its accounts and marks the current subscription.
const profileFile = "azureProfile.json"

// Account returns a fingerprint of the account az is signed in with: its cloud, tenant, current
// subscription and user, hashed. It is "" when az is not signed in. It reads one small file and
// runs nothing, so a caller can put it in the cache key of az's tokens on every call; `az login`,
// `az logout`, `az account set` and `az cloud set` all change it.
func (r *Runner) Account() (string, error) {
	return r.fingerprint(azProgram(), "AZURE_CONFIG_DIR", ".azure", profileFile, fingerprintProfile)
}

// fingerprint reads the program's file that says who is signed in, in its configuration
// directory (dirVar, else dirName in the home directory), and hashes what decides its tokens.
// A missing file means no one is signed in: "".
func (r *Runner) fingerprint(p program, dirVar, dirName, file string, hash func([]byte) (string, error)) (string, error) {
	dir, err := r.configDir(p, dirVar, dirName)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, file)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the configuration of %s: %w", p.short(), err)
	}
	fp, err := hash(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	if err != nil {
		return "", fmt.Errorf("reading the configuration of %s, %s: %w", p.short(), path, err)
	}
	return fp, nil
}

// hashFields hashes strings so that no two lists of them give the same fingerprint.
func hashFields(parts ...string) string {
	h := sha256.New()
	for _, part := range parts {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// fingerprintProfile hashes the fields of the default subscription that decide which token az
// hands out.
// az on Windows writes the file with a byte-order mark, which fingerprint drops.
func fingerprintProfile(data []byte) (string, error) {
	if len(data) == 0 {
		return "", nil
	}
	var profile struct {
		Subscriptions []struct {
			ID          string `json:"id"`
			TenantID    string `json:"tenantId"`
			Environment string `json:"environmentName"`
			IsDefault   bool   `json:"isDefault"`
			User        struct {
				Name string `json:"name"`
				Type string `json:"type"`
			} `json:"user"`
		} `json:"subscriptions"`
	}
	if err := json.Unmarshal(data, &profile); err != nil {
		return "", errors.New("not the JSON az writes")
	}
	for _, s := range profile.Subscriptions {
		if s.IsDefault {
			return hashFields(s.Environment, s.TenantID, s.ID, s.User.Type, s.User.Name), nil
		}
	}
	return "", nil
}

// configDir is the program's configuration directory: $dirVar, else dirName in the home directory
// (~/.azure for az).
func (r *Runner) configDir(p program, dirVar, dirName string) (string, error) {
	if dir := r.azVar(dirVar); dir != "" {
		return dir, nil
	}
	home := "HOME"
	if runtime.GOOS == "windows" {
		home = "USERPROFILE"
	}
	if dir := r.azVar(home); dir != "" {
		return filepath.Join(dir, dirName), nil
	}
	return "", fmt.Errorf("cannot find the configuration of %s: neither %s nor %s is set", p.short(), dirVar, home)
}

// azVar reads a variable of the environment az runs in.
func (r *Runner) azVar(name string) string {
	if r.Env == nil {
		return r.getenv(name)
	}
	value := ""
	for _, kv := range r.Env {
		k, v, ok := strings.Cut(kv, "=")
		if ok && (k == name || runtime.GOOS == "windows" && strings.EqualFold(k, name)) {
			value = v // the last one wins, as for exec
		}
	}
	return value
}
