package core_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/core"
)

func TestReadSecretFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := func(content string) string {
		f, err := os.CreateTemp(dir, "input")
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(content)
		f.Close()
		return f.Name()
	}
	got, err := core.ReadSecretFile("refresh token", file("  0.AVsecret-rt\n"), nil)
	if err != nil || got != "0.AVsecret-rt" {
		t.Errorf("from a file: %q, %v", got, err)
	}
	got, err = core.ReadSecretFile("assertion", "-", strings.NewReader("eyJ.a.b\r\n"))
	if err != nil || got != "eyJ.a.b" {
		t.Errorf("from stdin: %q, %v", got, err)
	}
	for _, c := range []struct {
		path  string
		stdin string
		want  string
	}{
		{file(""), "", "is empty"},
		{file("two\ntokens-secret"), "", "not one token"},
		{file(strings.Repeat("x", 65<<10)), "", "longer than 64 KiB"},
		{filepath.Join(dir, "missing"), "", "no such file"},
		{"-", " \n", "on stdin is empty"},
	} {
		_, err := core.ReadSecretFile("refresh token", c.path, strings.NewReader(c.stdin))
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: %v, want an error saying %q without the content", c.path, err, c.want)
		}
	}
}
