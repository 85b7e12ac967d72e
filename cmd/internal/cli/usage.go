package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// usageError marks a mistake on the command line. help is the command that shows the usage of
// the command mistyped, as a person runs it; empty for the tool's own.
type usageError struct {
	error
	help string
}

func (e usageError) Unwrap() error { return e.error }

// UsageLine is what follows the error line of a mistake on the command line: the command that
// shows the usage. It is "" for any other error.
func UsageLine(err error) string {
	var u usageError
	if !errors.As(err, &u) || u.help == "" {
		return ""
	}
	return "Run '" + u.help + "' for usage."
}

// onUsageError says a mistake in a command's flags in the words of its help.
func (s *Session) onUsageError(c *cli.Context, err error, _ bool) error {
	path := commandPath(c.Command.HelpName)
	var names []string
	for _, f := range c.Command.Flags {
		names = append(names, f.Names()...)
	}
	if c.Command.HelpName == "" {
		for _, f := range c.App.Flags {
			names = append(names, f.Names()...)
		}
	}
	return UsageError(err, names, s.Tool.Command(append(path, "--help")...))
}

// UsageError marks err as a mistake on the command line, whose usage help shows. A mistake that
// Go's flag package found (urfave/cli parses with it too) is said the way the help shows flags,
// with two dashes, naming the flag of names most like one that is not known: "unknown flag
// --tenat. Did you mean --tenant?".
func UsageError(err error, names []string, help string) error {
	msg := err.Error()
	for _, p := range []struct{ prefix, say string }{
		{"flag provided but not defined: ", "unknown flag %s"},
		{"flag needs an argument: ", "%s needs a value"},
	} {
		name, ok := strings.CutPrefix(msg, p.prefix)
		if !ok {
			continue
		}
		name = strings.TrimLeft(name, "-")
		msg = fmt.Sprintf(p.say, dashed(name))
		if p.prefix == "flag provided but not defined: " {
			if suggestion := suggestFlag(names, name); suggestion != "" {
				msg += ". Did you mean " + suggestion + "?"
			}
		}
		return usageError{error: errors.New(msg), help: help}
	}
	if before, after, ok := strings.Cut(msg, " for flag -"); ok && strings.HasPrefix(msg, "invalid value ") {
		name, why, _ := strings.Cut(after, ": ")
		msg = before + " for " + dashed(name)
		if why != "parse error" { // the flag package's word for a value of the wrong kind
			msg += ": " + why
		}
	}
	return usageError{error: errors.New(msg), help: help}
}

// commandPath is the commands of a help name without the program: "cache delete" of
// "kubectl-aad cache delete", nothing of "kubectl-aad" or "".
func commandPath(helpName string) []string {
	if p := strings.Fields(helpName); len(p) > 1 {
		return p[1:]
	}
	return nil
}

// dashed is a flag's name as the help shows it: -x, --name.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// suggestFlag is the flag of names most like name, as urfave/cli finds it, "" for none.
func suggestFlag(names []string, name string) string {
	if cli.SuggestFlag == nil || len(names) == 0 {
		return ""
	}
	flags := make([]cli.Flag, len(names))
	for i, n := range names {
		flags[i] = &cli.BoolFlag{Name: n}
	}
	return cli.SuggestFlag(flags, name, true)
}

// unknownCommand says that name is no command of the one run, with the command most like it.
func unknownCommand(c *cli.Context, name string, t Tool) error {
	commands, path := c.App.Commands, []string{"--help"}
	if c.Command != nil && len(c.Command.Subcommands) > 0 {
		commands = c.Command.Subcommands
		path = append(commandPath(c.Command.HelpName), path...)
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if cli.SuggestCommand != nil {
		if suggestion := cli.SuggestCommand(commands, name); suggestion != "" {
			msg += ". " + suggestion
		}
	}
	return usageError{error: errors.New(msg), help: t.Command(path...)}
}
