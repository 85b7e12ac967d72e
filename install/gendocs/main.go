// Command gendocs writes the manual pages and shell completion scripts that aadcred's releases
// ship: DIR/man/<program>.1.gz, and DIR/completions/bash/<program>, zsh/_<program>,
// fish/<program>.fish and powershell/<program>.ps1, each named as its shell looks for it, so
// that packages and install.sh copy whole directories. goreleaser runs it before a release
// (goreleaser.yaml), from the module's root:
//
//	go run ./install/gendocs DIR
//
// It builds the programs with the aadcred_docs tag, which adds a hidden man command made with
// urfave/cli's documentation code, and asks them. That code, and the Markdown renderer it
// brings, stay out of the programs people run, which are built with urfave_cli_no_docs.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
)

// programs are the commands with a urfave/cli command line; converter is the kubeconfig
// converter, whose command line is Go's flag package.
var programs = []string{"git-credential-aad", "docker-credential-aad", "kubectl-aad"}

const converter = "kubectl-aad-convert_kubeconfig"

// completions name each shell's script after the program, as the shell looks for it.
var completions = []struct{ shell, file string }{
	{"bash", "%s"},
	{"zsh", "_%s"},
	{"fish", "%s.fish"},
	{"powershell", "%s.ps1"},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./install/gendocs DIR")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1])
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out string) error {
	tmp, err := os.MkdirTemp("", "aadcred-gendocs-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := build(ctx, tmp); err != nil {
		return err
	}
	dirs := []string{"man"}
	for _, c := range completions {
		dirs = append(dirs, filepath.Join("completions", c.shell))
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(filepath.Join(out, dir), 0o755); err != nil {
			return err
		}
	}
	for _, p := range programs {
		bin := filepath.Join(tmp, p)
		page, err := output(ctx, bin, "man")
		if err != nil {
			return err
		}
		if err := writeGzip(filepath.Join(out, "man", p+".1.gz"), page); err != nil {
			return err
		}
		for _, c := range completions {
			script, err := output(ctx, bin, "completion", c.shell)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(out, "completions", c.shell, fmt.Sprintf(c.file, p)), script, 0o644); err != nil {
				return err
			}
		}
	}
	// The converter prints its help on stderr, and exits 0.
	cmd := exec.CommandContext(ctx, filepath.Join(tmp, converter), "--help")
	help, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s --help: %v\n%s", converter, err, help)
	}
	page := helpPage(converter, "kubectl aad convert-kubeconfig: make a kubeconfig's kubelogin users run kubectl-aad", string(help))
	return writeGzip(filepath.Join(out, "man", converter+".1.gz"), page)
}

// build compiles the programs into dir as releases compile them (static, paths trimmed, so that
// the release build reuses the compiled packages), but with the aadcred_docs tag.
func build(ctx context.Context, dir string) error {
	args := []string{"build", "-trimpath", "-tags", "aadcred_docs", "-o", dir + string(filepath.Separator)}
	for _, p := range append(programs, converter) {
		args = append(args, "./cmd/"+p)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// output runs the program and returns its standard output.
func output(ctx context.Context, bin string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// writeGzip writes data compressed, with no name or time in the header, so that the same page
// gives the same file (and checksum) on every release build.
func writeGzip(path string, data []byte) error {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
