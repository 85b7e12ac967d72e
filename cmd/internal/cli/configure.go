package cli

import (
	"errors"
	"fmt"
	"slices"
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

// ConfigureAll is configure --all: it configures every tool by running each one's own
// configure command: git's, docker's for the registries given (the arguments) and those found
// in the configuration files, and the kubeconfig converter on the current kubeconfig. --dry-run,
// --debug and --profile go on to them (--profile not to the converter, which would write it into
// the kubeconfig). Each step writes its files atomically, so an interrupted run leaves each file
// as it was or fully changed. A step that fails does not stop the others; the error names the
// tools left unconfigured.
func (s *Session) ConfigureAll(c *cli.Context) error {
	if err := s.onlyAllFlags(c); err != nil {
		return err
	}
	var common, dryRun []string
	if s.debug {
		common = append(common, "--debug")
	}
	if s.profile != "" {
		common = append(common, "--profile", s.profile)
	}
	if c.Bool("dry-run") {
		dryRun = []string{"--dry-run"}
	}
	configure := []string{"configure"}
	steps := []configureStep{
		{"git", "git-credential-aad", slices.Concat(configure, common, dryRun)},
		{"docker", "docker-credential-aad", slices.Concat(configure, common, dryRun, []string{"--found"}, c.Args().Slice())},
		{"kubectl", "kubectl-aad-convert_kubeconfig", dryRun},
	}
	ctx := c.Context
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

// onlyAllFlags refuses the configure command's own flags beside --all, which configures each
// tool its default way: dropping them without a word would, for --remove, do the opposite of
// what was asked.
func (s *Session) onlyAllFlags(c *cli.Context) error {
	taken := map[string]bool{}
	for _, f := range append(ConfigureFlags(), s.commonFlags()...) {
		taken[f.Names()[0]] = true
	}
	for _, f := range c.Command.Flags {
		if name := f.Names()[0]; !taken[name] && c.IsSet(name) {
			return usageError{error: fmt.Errorf("configure --all does not take --%s: run configure without --all for that", name)}
		}
	}
	return nil
}
