package main

import (
	"fmt"

	urfave "github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/docker-credential-aad/internal/acr"
	"github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/install/docker"
)

// configureCommand adds the registries to docker's credHelpers, or removes them.
func configureCommand(s *cli.Session) *urfave.Command {
	return &urfave.Command{
		Name:      "configure",
		Usage:     "make docker use this helper for the registries (credHelpers in docker's config.json)",
		ArgsUsage: "REGISTRY...",
		Description: "Adds \"<registry>\": \"aad\" to credHelpers in $DOCKER_CONFIG/config.json (else ~/.docker/config.json),\n" +
			"keeping every other setting. Registries are login servers such as contoso.azurecr.io, or hosts listed\n" +
			"under docker.registries in the aadcred configuration. --remove takes them out again.",
		Flags: []urfave.Flag{
			&urfave.BoolFlag{Name: "remove", Usage: "stop using this helper for the registries"},
		},
		Action: func(c *urfave.Context) error {
			remove := c.Bool("remove")
			if c.NArg() == 0 {
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
				switch {
				case remove:
				case plainHTTP:
					return fmt.Errorf("%s is plain http: this helper sends tokens over https only", arg)
				case acr.NeverAnswered(host) != "":
					// Listed or not, the answer is the same: say why, not that it is missing.
					return fmt.Errorf("this helper never sends %s a token: %s", host, acr.NeverAnswered(host))
				case !allow.Allows(host):
					return fmt.Errorf("%s is not an Azure Container Registry login server (<name>.azurecr.io, .azurecr.cn, .azurecr.us) "+
						"and not under docker.registries in %s, so this helper would never answer it; add it there first", arg, cfg.File)
				}
				hosts = append(hosts, host)
			}
			path, err := docker.ConfigPath(s.Env.Getenv)
			if err != nil {
				return err
			}
			changes, err := docker.Configure(path, hosts, remove)
			if err != nil {
				return err
			}
			for _, ch := range changes {
				switch ch.Action {
				case "replaced":
					fmt.Fprintf(s.Env.Stderr, "%s: now uses docker-credential-aad (was docker-credential-%s)\n", ch.Registry, ch.Previous)
				case "kept":
					fmt.Fprintf(s.Env.Stderr, "%s: left alone: it uses docker-credential-%s, not this helper\n", ch.Registry, ch.Previous)
				default:
					fmt.Fprintf(s.Env.Stderr, "%s: %s\n", ch.Registry, ch.Action)
				}
			}
			fmt.Fprintf(s.Env.Stderr, "Docker configuration: %s\n", path)
			return nil
		},
	}
}
