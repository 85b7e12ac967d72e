package cli

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestQuickNamesChangeNothingButSpeed runs a command whose flags are wrapped, and one whose are
// not: the same values parse, the same help prints.
func TestQuickNamesChangeNothingButSpeed(t *testing.T) {
	flags := func() []cli.Flag {
		return []cli.Flag{
			&cli.StringFlag{Name: "tenant", Aliases: []string{"t"}, Usage: "tenant"},
			&cli.StringSliceFlag{Name: "scope", Usage: "scope"},
			&cli.BoolFlag{Name: "v1", Usage: "v1"},
			&cli.DurationFlag{Name: "timeout", Usage: "timeout"},
		}
	}
	run := func(fs []cli.Flag, args ...string) (string, string) {
		var got string
		var help bytes.Buffer
		app := &cli.App{Name: "tool", Writer: &help, DisableSliceFlagSeparator: true, Commands: []*cli.Command{{
			Name: "token", Flags: fs,
			Action: func(c *cli.Context) error {
				got = strings.Join([]string{c.String("tenant"), strings.Join(c.StringSlice("scope"), "+"),
					c.Duration("timeout").String(), map[bool]string{true: "v1", false: "v2"}[c.Bool("v1")],
					map[bool]string{true: "set", false: "unset"}[c.IsSet("t")]}, " ")
				return nil
			},
		}}}
		if err := app.RunContext(context.Background(), append([]string{"tool", "token"}, args...)); err != nil {
			t.Fatal(err)
		}
		return got, help.String()
	}
	args := []string{"-t", "contoso", "--scope", "a/.default", "--scope", "b/.default", "--v1", "--timeout", "5s"}
	plain, _ := run(flags(), args...)
	quick, _ := run(quickNames(flags()), args...)
	if plain != quick || quick != "contoso a/.default+b/.default 5s v1 set" {
		t.Errorf("parsed %q with wrapped flags, %q without", quick, plain)
	}
	_, plainHelp := run(flags(), "--help")
	_, quickHelp := run(quickNames(flags()), "--help")
	if plainHelp != quickHelp || !strings.Contains(quickHelp, "[ --scope value ]") {
		t.Errorf("help differs:\n%s\n---\n%s", plainHelp, quickHelp)
	}
	if names := quickNames(flags())[0].Names(); !slices.Equal(names, []string{"tenant", "t"}) {
		t.Errorf("names %v", names)
	}
}
