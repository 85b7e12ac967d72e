package cli

import "github.com/urfave/cli/v2"

// quickNames gives each flag a Names method that does not run a regular expression. urfave/cli
// derives a flag's names with a regexp every time it is asked, and when a command starts it asks,
// for every flag, the names of every flag (its flag actions): a command with twenty flags pays a
// fifth of a millisecond for it on every run, which is more than answering from the cache.
// Everything else about a flag (parsing, help, actions) is the flag's own.
func quickNames(flags []cli.Flag) []cli.Flag {
	out := make([]cli.Flag, len(flags))
	for i, f := range flags {
		out[i] = f
		full, ok := f.(fullFlag)
		if !ok {
			continue
		}
		named := namedFlag{fullFlag: full, names: f.Names()}
		if slice, ok := f.(cli.DocGenerationSliceFlag); ok && slice.IsSliceFlag() {
			out[i] = namedSliceFlag{named}
		} else {
			out[i] = named
		}
	}
	return out
}

// fullFlag is every optional interface urfave/cli's own flag types implement, so that a wrapper
// keeps their help text, categories, requirement and actions.
type fullFlag interface {
	cli.DocGenerationFlag
	cli.CategorizableFlag
	cli.RequiredFlag
	cli.ActionableFlag
}

type namedFlag struct {
	fullFlag
	names []string
}

func (f namedFlag) Names() []string { return f.names }

// namedSliceFlag keeps a repeatable flag's "[ --scope value ]" in help.
type namedSliceFlag struct{ namedFlag }

func (namedSliceFlag) IsSliceFlag() bool { return true }
