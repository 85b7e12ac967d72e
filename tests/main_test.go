// Package tests holds aadcred's end-to-end tests: the built binaries driven the way git, docker
// and kubectl drive them, against the fakes of Azure's services on loopback.
package tests

import (
	"fmt"
	"os"
	"testing"

	"github.com/aadcred/aadcred/tests/harness"
)

// bin holds the binaries built once for the whole test run.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "aadcred-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := harness.Build(dir, "./tests/cmd/fakeazure"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	bin = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
