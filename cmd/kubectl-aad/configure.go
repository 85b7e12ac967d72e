package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	urfave "github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/cmd/internal/columns"
	"github.com/aadcred/aadcred/install/kubeloginlink"
)

// configureCommand sets kubectl-aad up to answer as kubelogin: a kubelogin link beside it; with
// --all it configures git, docker and the current kubeconfig.
func configureCommand(s *cli.Session) *urfave.Command {
	return &urfave.Command{
		Name:      "configure",
		Usage:     "answer as kubelogin (--as-kubelogin), or configure git, docker and kubectl (--all)",
		ArgsUsage: "[--all [REGISTRY...]]",
		Description: "--as-kubelogin puts a link called kubelogin beside kubectl-aad, so that kubeconfigs written by " +
			"`az aks get-credentials` work unchanged: kubectl then runs kubectl-aad for every " +
			"user whose command is kubelogin, with kubelogin's flags and variables. When another kubelogin comes " +
			"first on PATH nothing is changed unless --force is given; a kubelogin that is not this link is never " +
			"replaced or removed. --remove takes the link away.\n\n" +
			"--all configures git, docker and the current kubeconfig (convert-kubeconfig) instead.",
		Flags: append([]urfave.Flag{
			&urfave.BoolFlag{Name: "as-kubelogin", Usage: "put a kubelogin link beside kubectl-aad"},
			&urfave.BoolFlag{Name: "force", Usage: "make the link even though another kubelogin comes first on PATH"},
			&urfave.BoolFlag{Name: "remove", Usage: "remove the kubelogin link"},
		}, cli.ConfigureFlags()...),
		Action: func(c *urfave.Context) error {
			if c.Bool("all") {
				return s.ConfigureAll(c)
			}
			if !c.Bool("as-kubelogin") {
				return errors.New("say what to configure: `kubectl aad configure --as-kubelogin` makes kubeconfigs that run kubelogin run kubectl-aad; " +
					"`kubectl aad configure --all` configures git, docker and the current kubeconfig")
			}
			if c.Bool("dry-run") {
				return errors.New("--dry-run goes with --all; --as-kubelogin changes one link, and says what it changed")
			}
			self, err := selfPath()
			if err != nil {
				return err
			}
			link := kubeloginlink.Link{Target: self, PATH: s.Env.Getenv("PATH")}
			var r kubeloginlink.Report
			if c.Bool("remove") {
				r, err = link.Remove()
			} else {
				r, err = link.Install(c.Bool("force"))
			}
			if err != nil {
				return err
			}
			say := func(format string, args ...any) { columns.Println(s.Env.Stderr, 2, fmt.Sprintf(format, args...)) }
			switch {
			case r.Changed && c.Bool("remove"):
				say("Removed %s: kubeconfigs that run kubelogin no longer run kubectl-aad.", r.Path)
			case r.Changed:
				say("Linked %s to %s: kubeconfigs that run kubelogin now run kubectl-aad.", r.Path, self)
			case !c.Bool("remove"):
				say("%s already runs kubectl-aad.", r.Path)
			}
			for _, note := range r.Notes {
				say("Note: %s.", note)
			}
			return nil
		},
	}
}

// selfPath is this executable's path, links resolved: what a kubelogin link must lead to.
func selfPath() (string, error) {
	self, err := os.Executable()
	if err == nil {
		self, err = filepath.EvalSymlinks(self)
	}
	if err != nil {
		return "", fmt.Errorf("finding kubectl-aad's own executable: %w", err)
	}
	return self, nil
}
