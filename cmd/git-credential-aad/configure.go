package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/git-credential-aad/internal/azrepos"
	aadcli "github.com/aadcred/aadcred/cmd/internal/cli"
	gitsetup "github.com/aadcred/aadcred/install/git"
)

func configureCommand(s *aadcli.Session) *cli.Command {
	return &cli.Command{
		Name:  "configure",
		Usage: "make git use this helper for Azure Repos",
		Description: "Sets, for https://dev.azure.com, https://*.visualstudio.com and the hosts in the configuration's " +
			"git.hosts: an empty credential helper (which drops helpers set earlier for those URLs only), this " +
			"helper by absolute path, and useHttpPath. Running it again changes nothing; --remove undoes it.",
		ArgsUsage: "[--all [REGISTRY...]]",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "global", Usage: "change ~/.gitconfig (the default)"},
			&cli.BoolFlag{Name: "system", Usage: "change the system-wide git configuration"},
			&cli.BoolFlag{Name: "local", Usage: "change the configuration of the repository in the current directory"},
			&cli.BoolFlag{Name: "remove", Usage: "undo what configure did"},
		}, aadcli.ConfigureFlags()...),
		Action: func(c *cli.Context) error {
			dryRun := c.Bool("dry-run")
			if c.Bool("all") {
				return s.ConfigureAll(c)
			}
			if c.Args().Present() {
				return fmt.Errorf("configure takes no arguments (registries only with --all); add hosts to git.hosts in the configuration file")
			}
			scope, err := scopeFlag(c)
			if err != nil {
				return err
			}
			cfg, err := s.Config()
			if err != nil {
				return err
			}
			urls := azrepos.BuiltInURLs()
			for _, p := range cfg.Git.Hosts {
				urls = append(urls, "https://"+p.String())
			}
			helperPath, err := ownPath()
			if err != nil {
				return err
			}
			setup := &gitsetup.Setup{Scope: scope, Helper: helperPath, URLs: urls, DryRun: dryRun}
			out := s.Env.Stderr // stdout belongs to git's protocol, even here
			if c.Bool("remove") {
				changes, err := setup.Remove(c.Context)
				if err == nil {
					report := configureReport{file: configFile(c.Context, setup), dryRun: dryRun, changes: changes}
					report.writeRemoved(out)
				}
				return err
			}
			changes, err := setup.Configure(c.Context)
			if err != nil {
				return err
			}
			report := configureReport{file: configFile(c.Context, setup), helper: helperPath, dryRun: dryRun, changes: changes,
				undo: s.Tool.Command(append([]string{"configure", "--remove"}, scopeArgs(scope)...)...)}
			report.writeConfigured(out)
			if dryRun {
				return nil
			}
			warnings, err := setup.Check(c.Context)
			for _, w := range warnings {
				s.Log().Warn(w)
			}
			return err
		},
	}
}

func scopeFlag(c *cli.Context) (gitsetup.Scope, error) {
	var chosen []gitsetup.Scope
	for _, scope := range []gitsetup.Scope{gitsetup.Global, gitsetup.System, gitsetup.Local} {
		if c.Bool(string(scope)) {
			chosen = append(chosen, scope)
		}
	}
	switch len(chosen) {
	case 0:
		return gitsetup.Global, nil
	case 1:
		return chosen[0], nil
	}
	return "", errors.New("give only one of --global, --system and --local")
}

// ownPath is the absolute path git should run this helper by: the one it was started as, found
// on PATH like a shell finds it, so that a stable link (a package manager's bin directory) is
// kept rather than resolved to a versioned file that an upgrade removes.
//
// On Windows the name may lack the .exe that LookPath adds, and may use either slash; a
// candidate that names no file is not used.
func ownPath() (string, error) {
	name := os.Args[0]
	var candidate string
	if strings.ContainsAny(name, "/"+string(filepath.Separator)) {
		candidate, _ = filepath.Abs(name)
	} else if found, err := exec.LookPath(name); err == nil {
		candidate = found
	}
	if fi, err := os.Stat(candidate); err == nil && filepath.IsAbs(candidate) && fi.Mode().IsRegular() {
		return candidate, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding this program's path: %w", err)
	}
	return exe, nil
}
