package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestGetTokenLinksNoKubernetesPackages guards the hot path: k8s.io packages register schemes
// and build tables at start-up, a millisecond or more on every kubectl call. client-go belongs in
// kubectl-aad-convert_kubeconfig and the tests, not here.
func TestGetTokenLinksNoKubernetesPackages(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "k8s.io/") || strings.HasPrefix(pkg, "sigs.k8s.io/") {
			t.Errorf("kubectl-aad links %s", pkg)
		}
	}
}
