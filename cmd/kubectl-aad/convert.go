package main

import (
	"fmt"
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
		Description: "Runs " + convertBinary + ", installed beside kubectl-aad, with the same arguments; " +
			"see `kubectl-aad convert-kubeconfig --help`.",
		SkipFlagParsing: true,
		Action: func(c *urfave.Context) error {
			path, err := cli.FindProgram(convertBinary)
			if err != nil {
				return fmt.Errorf("convert-kubeconfig needs %w", err)
			}
			return cli.RunProgram(c.Context, s.Env, path, slices.Concat(defaults, c.Args().Slice())...)
		},
	}
}
