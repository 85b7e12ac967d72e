//go:build !aadcred_docs

package cli

import "github.com/urfave/cli/v2"

// docsCommands is empty in the binaries people run; see mancommand.go.
func docsCommands() []*cli.Command { return nil }
