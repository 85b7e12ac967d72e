package harness

import (
	"os"
	"path/filepath"
	"testing"
)

// KubeloginEnv names the Azure/kubelogin binary that the conformance tests drive. .ci/run
// builds it at the version pinned in .ci/kubelogin and sets this variable.
const KubeloginEnv = "AADCRED_TEST_KUBELOGIN"

// RequireKubelogin finds the real Azure/kubelogin: the binary KubeloginEnv names, else
// .ci/bin/kubelogin of this repository. It is never looked up on PATH, where a kubectl-aad
// installed under the name kubelogin would stand in for it. Missing, it fails the test in CI and
// skips it elsewhere.
func RequireKubelogin(t testing.TB) string {
	t.Helper()
	path := os.Getenv(KubeloginEnv)
	if path == "" {
		root, err := ModuleRoot()
		if err != nil {
			t.Fatal(err)
		}
		path = filepath.Join(root, ".ci", "bin", "kubelogin")
	}
	if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0 {
		return path
	}
	missing(t, "Azure/kubelogin is not built at "+path+" (set "+KubeloginEnv+", or build it as .ci/run does from .ci/kubelogin)",
		"CI must run the conformance tests with the real kubelogin")
	return ""
}
