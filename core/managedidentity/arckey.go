package managedidentity

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/aadcred/aadcred/core/wwwauth"
)

// maxArcKeySize is the largest key file read; the agent writes a few dozen bytes.
const maxArcKeySize = 4096

// parseBasicRealm finds the realm of a Basic challenge, which the Azure Arc agent uses to name
// its key file: `Basic realm=/var/opt/azcmagent/tokens/<guid>.key`, the path unquoted (a Windows
// path's backslashes are separators, not escapes), which wwwauth.ParseLenient reads as written.
// Anything else about the header is read strictly: the realm decides which of our files is sent,
// so a malformed header is an error, not a guess.
func parseBasicRealm(values []string) (string, error) {
	challenges, err := wwwauth.ParseLenient(values)
	if err != nil {
		return "", err
	}
	for _, c := range challenges {
		if realm := c.Params["realm"]; strings.EqualFold(c.Scheme, "Basic") && realm != "" {
			return realm, nil
		}
	}
	return "", errors.New("no Basic challenge naming a key file (WWW-Authenticate: Basic realm=<path>)")
}

// readArcKey reads the challenge key at path, which the endpoint chose: it is read only from the
// agent's token directory, only as a small regular .key file, so that whoever answers at the
// endpoint cannot make us send some other file of ours.
func readArcKey(path, trustedDir string) (string, error) {
	clean := filepath.Clean(path)
	if !filepath.IsAbs(clean) || !samePath(filepath.Dir(clean), filepath.Clean(trustedDir)) {
		return "", fmt.Errorf("the Azure Arc challenge names key file %q, which is not in the agent's token directory %s", path, trustedDir)
	}
	if !strings.EqualFold(filepath.Ext(clean), ".key") {
		return "", fmt.Errorf("the Azure Arc challenge names %q, which is not a .key file", path)
	}
	// Lstat first: a symbolic link could point out of the trusted directory.
	info, err := os.Lstat(clean)
	if err != nil {
		return "", fmt.Errorf("reading the Azure Arc challenge key: %w (the reader must be in the himds group, or an administrator on Windows)", err)
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("the Azure Arc challenge key %s is not a regular file", clean)
	}
	f, err := os.Open(clean)
	if err != nil {
		return "", fmt.Errorf("reading the Azure Arc challenge key: %w", err)
	}
	defer f.Close()
	key, err := io.ReadAll(io.LimitReader(f, maxArcKeySize+1))
	if err != nil {
		return "", fmt.Errorf("reading the Azure Arc challenge key %s: %w", clean, err)
	}
	if len(key) > maxArcKeySize {
		return "", fmt.Errorf("the Azure Arc challenge key %s is larger than %d bytes", clean, maxArcKeySize)
	}
	if len(key) == 0 {
		return "", fmt.Errorf("the Azure Arc challenge key %s is empty", clean)
	}
	return string(key), nil
}

func samePath(a, b string) bool {
	if runtime.GOOS == "windows" {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// arcTokensDir is where the Azure Arc agent writes challenge keys.
func (c *Client) arcTokensDir() string {
	if c.ArcTokensDir != "" {
		return c.ArcTokensDir
	}
	if dir := c.getenv(envAADCredArcTokenDir); dir != "" {
		return dir
	}
	if runtime.GOOS == "windows" {
		return filepath.Join(c.windowsDir("ProgramData", `C:\ProgramData`), "AzureConnectedMachineAgent", "Tokens")
	}
	return "/var/opt/azcmagent/tokens"
}

// arcAgentPath is the Azure Arc agent's executable, present on every Arc machine.
func (c *Client) arcAgentPath() string {
	if c.ArcAgentPath != "" {
		return c.ArcAgentPath
	}
	if runtime.GOOS == "windows" {
		return filepath.Join(c.windowsDir("ProgramFiles", `C:\Program Files`), "AzureConnectedMachineAgent", "himds.exe")
	}
	return "/opt/azcmagent/bin/himds"
}

func (c *Client) windowsDir(variable, fallback string) string {
	if dir := c.getenv(variable); dir != "" {
		return dir
	}
	return fallback
}
