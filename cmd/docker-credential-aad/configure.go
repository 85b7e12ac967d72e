package main

import (
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"

	urfave "github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/docker-credential-aad/internal/acr"
	"github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/core/config"
	"github.com/aadcred/aadcred/install/docker"
)

// configureCommand adds the registries to docker's credHelpers, and to the containers tools'
// (podman, buildah, skopeo), or removes them.
func configureCommand(s *cli.Session) *urfave.Command {
	return &urfave.Command{
		Name:      "configure",
		Usage:     "make docker, podman, buildah and skopeo use this helper for the registries (credHelpers)",
		ArgsUsage: "REGISTRY...",
		Description: "Adds \"<registry>\": \"aad\" to credHelpers in $DOCKER_CONFIG/config.json (else ~/.docker/config.json), " +
			"keeping every other setting, and likewise in the auth.json of podman, buildah and skopeo " +
			"($REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json and ~/.config/containers/auth.json) " +
			"where that file or one of those tools exists. Registries are login servers such as contoso.azurecr.io, " +
			"or hosts listed under docker.registries in the aadcred configuration. --found adds the registries " +
			"those files already name (after an `az acr login`, say). --remove takes them out again.",
		Flags: append([]urfave.Flag{
			&urfave.BoolFlag{Name: "remove", Usage: "stop using this helper for the registries"},
			&urfave.BoolFlag{Name: "found", Usage: "also configure the registries that docker's and the containers tools' files already name"},
		}, cli.ConfigureFlags()...),
		Action: func(c *urfave.Context) error {
			if c.Bool("all") {
				return s.ConfigureAll(c)
			}
			return configure(s, c)
		},
	}
}

func configure(s *cli.Session, c *urfave.Context) error {
	remove, found, dryRun := c.Bool("remove"), c.Bool("found"), c.Bool("dry-run")
	if c.NArg() == 0 && !found {
		return fmt.Errorf("name the registries, e.g. `%s configure contoso.azurecr.io`", s.Tool.Name)
	}
	cfg, err := s.Config()
	if err != nil {
		return err
	}
	allow := acr.Allowlist{Extra: cfg.Docker.Registries}
	var hosts []string
	for _, arg := range c.Args().Slice() {
		host, plainHTTP, err := acr.ParseServerURL(arg)
		if err != nil {
			return fmt.Errorf("registry %q: %w", arg, err)
		}
		switch never := acr.NeverAnswered(host); {
		case remove:
		case plainHTTP:
			return fmt.Errorf("%s is plain http: this helper sends tokens over https only", arg)
		case never != "":
			// Listed or not, the answer is the same: say why, not that it is missing.
			return fmt.Errorf("this helper never sends %s a token: %s", host, never)
		case !allow.Allows(host):
			return fmt.Errorf("%s is not an Azure Container Registry login server (<name>.azurecr.io, .azurecr.cn, .azurecr.us) "+
				"and not under docker.registries in %s, so this helper would never answer it; add it there first", arg, cfg.File)
		}
		hosts = append(hosts, host)
	}
	dockerPath, err := docker.ConfigPath(s.Env.Getenv)
	if err != nil {
		return err
	}
	files := append([]string{dockerPath}, docker.ContainersAuthFiles(s.Env.Getenv, exec.LookPath)...)
	if found {
		hosts, err = withFoundRegistries(hosts, files, cfg, allow)
		if err != nil {
			return err
		}
		if len(hosts) == 0 {
			fmt.Fprintf(s.Env.Stderr, "No registries given, and none found in %s or under docker.registries in %s: nothing to do.\n"+
				"Name them: %s configure contoso.azurecr.io\n", strings.Join(files, ", "), cfg.File, s.Tool.Name)
			return nil
		}
	}
	edit := docker.Configure
	if dryRun {
		edit = docker.Plan
	}
	out := s.Env.Stderr
	for i, path := range files {
		changes, err := edit(path, hosts, remove)
		if err != nil {
			return err
		}
		tools := "docker"
		if i > 0 {
			tools = "podman, buildah, skopeo"
		}
		fmt.Fprintf(out, "%s: %s\n", tools, path)
		printChanges(out, changes, dryRun)
	}
	switch {
	case dryRun:
		fmt.Fprintln(out, "Dry run: nothing was written.")
	case !remove:
		fmt.Fprintf(out, "To remove: %s\n", s.Tool.Command(append([]string{"configure", "--remove"}, hosts...)...))
	}
	return nil
}

// withFoundRegistries adds to hosts the registries this helper answers that the files name
// (login servers that `az acr login` or `docker login` stored, entries of another helper) and
// the exact hosts under docker.registries.
func withFoundRegistries(hosts, files []string, cfg *config.Config, allow acr.Allowlist) ([]string, error) {
	var names []string
	for _, f := range files {
		listed, err := docker.Listed(f)
		if err != nil {
			return nil, err
		}
		names = append(names, listed...)
	}
	for _, p := range cfg.Docker.Registries {
		if s := p.String(); !strings.HasPrefix(s, "*.") {
			names = append(names, s)
		}
	}
	for _, name := range names {
		host, plainHTTP, err := acr.ParseServerURL(name)
		if err != nil || plainHTTP || !allow.Allows(host) || slices.Contains(hosts, host) {
			continue
		}
		hosts = append(hosts, host)
	}
	return hosts, nil
}

// printChanges tells the person what changed in one file, or would change in a dry run, one
// registry a line.
func printChanges(w io.Writer, changes []docker.Change, dryRun bool) {
	for _, ch := range changes {
		var what string
		switch {
		case ch.Action == "kept":
			what = "left alone: it uses docker-credential-" + ch.Previous + ", not this helper"
		case ch.Action == "unchanged":
			what = "unchanged"
		case dryRun && ch.Action == "replaced":
			what = "would use this helper (now docker-credential-" + ch.Previous + ")"
		case dryRun:
			what = "would be " + ch.Action
		case ch.Action == "replaced":
			what = "now uses this helper (was docker-credential-" + ch.Previous + ")"
		default:
			what = ch.Action
		}
		fmt.Fprintf(w, "  %s: %s\n", ch.Registry, what)
	}
}
