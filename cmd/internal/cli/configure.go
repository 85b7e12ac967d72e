package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// ConfigureFlags are the flags that every tool's configure command takes.
func ConfigureFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "all", Usage: "configure git, docker (the registries given, or found in docker's and the containers tools' configuration) and the current kubeconfig"},
		&cli.BoolFlag{Name: "dry-run", Usage: "print the changes it would make, and write nothing"},
	}
}

// configureStep is one tool's part of configure --all: a program of aadcred and its arguments.
type configureStep struct {
	tool, program string
	args          []string
}

// ConfigureAll configures every tool by running each one's own configure command: git's, docker's
// for the registries given and those found in the configuration files, and the kubeconfig
// converter on the current kubeconfig. Each step writes its files atomically, so an interrupted
// run leaves each file as it was or fully changed. A step that fails does not stop the others;
// the error names the tools left unconfigured.
func (s *Session) ConfigureAll(ctx context.Context, registries []string, dryRun bool) error {
	dry := func(args ...string) []string {
		if dryRun {
			return append([]string{"--dry-run"}, args...)
		}
		return args
	}
	steps := []configureStep{
		{"git", "git-credential-aad", append([]string{"configure"}, dry()...)},
		{"docker", "docker-credential-aad", append([]string{"configure"}, dry(append([]string{"--found"}, registries...)...)...)},
		{"kubectl", "kubectl-aad-convert_kubeconfig", dry()},
	}
	// Everything goes to stderr: stdout may be a tool's protocol stream.
	env := s.Env
	env.Stdout = env.Stderr
	var failed []string
	for i, step := range steps {
		if i > 0 {
			fmt.Fprintln(env.Stderr)
		}
		fmt.Fprintf(env.Stderr, "%s: %s %s\n", step.tool, step.program, strings.Join(step.args, " "))
		path, err := FindProgram(step.program)
		if err == nil {
			err = RunProgram(ctx, env, path, step.args...)
		}
		if err != nil {
			if exit := (ExitError{}); !errors.As(err, &exit) { // else the program said what went wrong
				fmt.Fprintf(env.Stderr, "%s: %v\n", s.Tool.Name, err)
			}
			failed = append(failed, step.tool)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("configure --all: %s not configured (see above)", strings.Join(failed, " and "))
	}
	return nil
}
