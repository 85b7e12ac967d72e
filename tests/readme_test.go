package tests

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/tests/harness"
)

//go:generate go test -run ^TestReadmeReliabilityTable$ -args -update-readme

var updateREADME = flag.Bool("update-readme", false, "rewrite the README's reliability tables from the tests")

// The README's reliability tables sit between these lines.
const (
	tablesBegin = "<!-- reliability tables: made from the tests by `go generate ./tests`; do not edit -->"
	tablesEnd   = "<!-- end of the reliability tables -->"
)

// TestReadmeReliabilityTable fails when the README's reliability tables are not the ones the
// fault matrix and the allowlist tests make: a case added, renamed or changed without the README.
func TestReadmeReliabilityTable(t *testing.T) {
	root, err := harness.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "README.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	begin, end := strings.Index(readme, tablesBegin), strings.Index(readme, tablesEnd)
	if begin < 0 || end < begin {
		t.Fatalf("README.md has no reliability tables between %q and %q", tablesBegin, tablesEnd)
	}
	want := tablesBegin + "\n" + reliabilityTables() + tablesEnd
	if got := readme[begin : end+len(tablesEnd)]; got == want {
		return
	}
	if !*updateREADME {
		t.Fatal("README.md's reliability tables differ from the tests: run `go generate ./tests`")
	}
	readme = readme[:begin] + want + readme[end+len(tablesEnd):]
	if err := os.WriteFile(path, []byte(readme), 0o644); err != nil {
		t.Fatal(err)
	}
}

// reliabilityTables renders the fault matrix and the host allowlists as Markdown.
func reliabilityTables() string {
	var b strings.Builder
	for _, m := range matrixTests() {
		fmt.Fprintf(&b, "\n**%s**\n\n| test | what a person sees | what the store keeps |\n|---|---|---|\n", m.title)
		for _, c := range m.cases {
			test := "`" + testName(m.test, c.name) + "`"
			if c.skipped != "" {
				test += " (skipped " + c.skipped + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", test, c.sees, c.keeps)
		}
	}
	b.WriteString("\n**Lookalike hosts** (each gets no token and causes no request)\n\n| test |\n|---|\n")
	for _, c := range gitLookalikes("127.0.0.1:443", "8443") {
		fmt.Fprintf(&b, "| `%s` |\n", testName("TestHostAllowlistGit", c.name))
	}
	for _, c := range dockerServerLookalikes("127.0.0.1:443", "8443") {
		fmt.Fprintf(&b, "| `%s` |\n", testName("TestHostAllowlistDockerServer", c.name))
	}
	for _, c := range dockerRealmLookalikes() {
		fmt.Fprintf(&b, "| `%s` |\n", testName("TestHostAllowlistDockerRealm", c.name))
	}
	b.WriteString("\n")
	return b.String()
}

// testName is how go test names a subtest: spaces become underscores.
func testName(test, subtest string) string {
	return test + "/" + strings.ReplaceAll(subtest, " ", "_")
}
