//go:build aadcred_docs

package cli

import (
	"io"

	"github.com/urfave/cli/v2"
)

// docsCommands is the hidden `man` command, which prints the tool's manual page. It exists only
// in builds with the aadcred_docs tag, which install/gendocs makes at release time: urfave/cli's
// documentation code (and the Markdown renderer it brings) stays out of the binaries people run,
// which are built with urfave_cli_no_docs.
func docsCommands() []*cli.Command {
	return []*cli.Command{{
		Name:   "man",
		Hidden: true,
		Action: func(c *cli.Context) error {
			page, err := c.App.ToManWithSection(1)
			if err != nil {
				return err
			}
			_, err = io.WriteString(c.App.Writer, page)
			return err
		},
	}}
}
