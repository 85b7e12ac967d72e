package cli

import (
	"bytes"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/internal/columns"
)

// urfave/cli writes help through package variables, and writes each line at whatever length its
// flag and command texts have; every binary's help is made to fit 80 columns here, once for the
// process, by wrapping each line under its description.
func init() {
	cli.HelpPrinter = printHelp
}

func printHelp(out io.Writer, template string, data any) {
	switch d := data.(type) {
	case *cli.App:
		quietDefaults(d.Flags)
	case *cli.Command:
		quietDefaults(d.Flags)
	}
	var b bytes.Buffer
	cli.HelpPrinterCustom(&b, template, data, nil)
	io.WriteString(out, columns.Fit(b.String(), columns.Width))
}

// quietDefaults leaves out of the help the "(default: false)" of every switch: a switch is off
// unless given, and saying so on each line only makes the lines longer. It runs when the help is
// printed, not on every run.
func quietDefaults(flags []cli.Flag) {
	for _, f := range flags {
		if named, ok := f.(namedFlag); ok {
			f = named.fullFlag
		}
		if named, ok := f.(namedSliceFlag); ok {
			f = named.fullFlag
		}
		if b, ok := f.(*cli.BoolFlag); ok && !b.Value {
			b.DisableDefaultText = true
		}
	}
}
