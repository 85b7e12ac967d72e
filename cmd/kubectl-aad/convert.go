package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"

	urfave "github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/internal/cli"
)

// convertBinary is the program that carries out convert-kubeconfig. It is a separate binary
// because it links client-go's clientcmd, whose package initialisation would otherwise slow
// down every get-token. Its name is the one kubectl looks for first when a person runs
// `kubectl aad convert-kubeconfig`, so kubectl runs it directly; this command serves those who
// run kubectl-aad by its own name.
const convertBinary = "kubectl-aad-convert_kubeconfig"

// convertCommand runs the converter with the command's arguments after defaults, which the
// arguments given may override.
func convertCommand(s *cli.Session, defaults ...string) *urfave.Command {
	return &urfave.Command{
		Name:  "convert-kubeconfig",
		Usage: "rewrite kubelogin and azure auth-provider users of a kubeconfig to use kubectl-aad",
		Description: "Runs " + convertBinary + ", installed beside kubectl-aad, with the same arguments;\n" +
			"see `kubectl-aad convert-kubeconfig --help`.",
		SkipFlagParsing: true,
		Action: func(c *urfave.Context) error {
			path, err := findConvertBinary()
			if err != nil {
				return err
			}
			return runConverter(c.Context, s.Env, path, slices.Concat(defaults, c.Args().Slice()))
		},
	}
}

// findConvertBinary looks beside this executable first, so that a kubectl-aad finds its own
// release's converter, then on PATH.
func findConvertBinary() (string, error) {
	name := convertBinary
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if self, err := os.Executable(); err == nil {
		candidate := filepath.Join(filepath.Dir(self), name)
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("convert-kubeconfig needs %s, which comes with kubectl-aad: install it beside kubectl-aad or on PATH", name)
	}
	return path, nil
}

// runConverter runs the converter with the session's streams and passes its exit status on.
func runConverter(ctx context.Context, env cli.Env, path string, args []string) error {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = env.Stdin, env.Stdout, env.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return cli.ExitError{Code: exit.ExitCode()}
	}
	if err != nil {
		return fmt.Errorf("running %s: %w", path, err)
	}
	return nil
}
