package harness

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// RequireKubectl finds the real kubectl, as RequireTool does, and checks that it is at least
// 1.minMinor: client.authentication.k8s.io/v1 and interactiveMode need 1.22, and Debian
// bookworm's kubernetes-client is 1.20. Too old a kubectl is skipped on a developer's machine
// and fails in CI, where the test must prove what it claims.
func RequireKubectl(t testing.TB, minMinor int) string {
	t.Helper()
	path := RequireTool(t, "kubectl")
	out, err := exec.Command(path, "version", "--client", "-o", "json").Output()
	if err != nil {
		t.Fatalf("kubectl version: %v", err)
	}
	minor, err := kubectlMinor(out)
	if err != nil {
		t.Fatalf("kubectl version: %v\n%s", err, out)
	}
	if minor < minMinor {
		missing(t, "kubectl 1."+strconv.Itoa(minor)+" is older than 1."+strconv.Itoa(minMinor)+", which this test needs", "CI must install a newer kubectl")
	}
	return path
}

// kubectlMinor reads the client's minor version from `kubectl version --client -o json`; the
// minor may carry a "+" (vendor builds).
func kubectlMinor(out []byte) (int, error) {
	var v struct {
		ClientVersion struct {
			Minor string `json:"minor"`
		} `json:"clientVersion"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimRight(v.ClientVersion.Minor, "+"))
}
