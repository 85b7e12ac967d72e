package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/internal/version"
	"github.com/aadcred/aadcred/core/entra"
)

// Tool is one of the three binaries: its name, how a person signs in through it, and the
// commands it adds to the shared ones.
type Tool struct {
	Name  string // the binary, e.g. git-credential-aad
	Usage string
	// SignInCommand is how a person runs login through the tool, named whenever a sign-in is
	// needed and no one can be asked (e.g. "git credential-aad login").
	SignInCommand string
	// Commands returns the tool's own commands (protocol actions, configure).
	Commands func(s *Session) []*cli.Command
	// IgnoreUnknownCommands makes an unknown command succeed silently, as git's credential
	// protocol asks of a helper handed an action newer than itself.
	IgnoreUnknownCommands bool
}

// Command is how a person runs one of the tool's commands, the way SignInCommand runs login:
// "kubectl aad cache list", not the binary's name, for a tool that is run through another.
func (t Tool) Command(args ...string) string {
	base, ok := strings.CutSuffix(t.SignInCommand, " login")
	if !ok {
		base = t.Name
	}
	return strings.Join(append([]string{base}, args...), " ")
}

// Main runs the tool as this process and exits with its status.
func Main(t Tool) { MainArgs(t, os.Args) }

// MainArgs is Main with the command line given, for a tool that rewrites its own (kubectl-aad
// answering as kubelogin reads kubelogin's global flags first).
func MainArgs(t Tool, args []string) {
	ctx, stop := signalContext(context.Background())
	code := t.Run(ctx, args, SystemEnv())
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT, as shells report a command stopped with Ctrl-C
)

// Run runs the tool with args (args[0] is the program name) and returns the exit status. Errors
// are written to env.Stderr as one line, with a hint line when there is one.
func (t Tool) Run(ctx context.Context, args []string, env Env) int {
	width := env.TerminalWidth
	if width == nil {
		width = func() int { return 0 }
	}
	scr := newScreen(env.Stderr, env.Terminal, width)
	env.Stderr = scr
	// The variables of the common flags are read here, so that a flag given anywhere on the
	// command line overrides them.
	s := &Session{Tool: t, Env: env, screen: scr, debug: truthy(env.Getenv("AADCRED_DEBUG")), profile: env.Getenv("AADCRED_PROFILE")}
	app := &cli.App{
		Name:                      t.Name,
		Usage:                     t.Usage,
		Version:                   version.String(),
		Reader:                    env.Stdin,
		Writer:                    env.Stdout,
		ErrWriter:                 env.Stderr,
		DisableSliceFlagSeparator: true,
		Suggest:                   true,
		EnableBashCompletion:      true, // the protocol of the completion scripts (completion.go)
		Flags:                     s.commonFlags(),
		Before:                    s.readCommonFlags,
		ExitErrHandler:            func(*cli.Context, error) {}, // errors are reported below, once
		OnUsageError:              s.onUsageError,
	}
	// An unknown command is a mistake to say, but for a tool whose protocol asks it to ignore
	// actions newer than itself, unless a person typed it (stdin is their terminal: git runs
	// a helper with a pipe).
	var notFound error
	app.CommandNotFound = func(c *cli.Context, name string) {
		if !t.IgnoreUnknownCommands || env.StdinTerminal != nil && env.StdinTerminal() {
			notFound = unknownCommand(c, name, t)
		}
	}
	app.Commands = append(app.Commands, sharedCommands(s)...)
	if t.Commands != nil {
		app.Commands = append(app.Commands, t.Commands(s)...)
	}
	for _, c := range app.Commands {
		s.addCommonFlags(c)
	}
	err := app.RunContext(ctx, args)
	if err == nil {
		err = notFound
	}
	return s.report(ctx, err)
}

// commonFlags are accepted before and after any command name: `token --debug` works as well as
// `--debug token`.
func (s *Session) commonFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "debug", Usage: "log each step to stderr, secrets never (env AADCRED_DEBUG)", DisableDefaultText: true},
		&cli.StringFlag{Name: "profile", Usage: "use this profile of the configuration file (env AADCRED_PROFILE)"},
	}
}

func (s *Session) readCommonFlags(c *cli.Context) error {
	if c.Command != nil {
		s.command = c.Command.HelpName // the last to run is the one named on the command line
	}
	s.debug = s.debug || c.Bool("debug")
	if p := c.String("profile"); p != "" {
		s.profile = p
	}
	return nil
}

// addCommonFlags gives cmd and its subcommands the common flags, and makes a usage mistake an
// error on stderr rather than a help text on stdout, which may be a tool's protocol stream.
func (s *Session) addCommonFlags(cmd *cli.Command) {
	if !cmd.SkipFlagParsing {
		cmd.Flags = quickNames(append(cmd.Flags, s.commonFlags()...))
		cmd.Before = s.readCommonFlags
	}
	cmd.OnUsageError = s.onUsageError
	for _, sub := range cmd.Subcommands {
		s.addCommonFlags(sub)
	}
}

// ExitError ends a command with a status and no further message (the command has already said
// what it had to).
type ExitError struct{ Code int }

func (e ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// report prints err for a person and turns it into an exit status. A run stopped by Ctrl-C or
// SIGTERM says so in one line, whatever the error it stopped in.
func (s *Session) report(ctx context.Context, err error) int {
	if err == nil {
		return exitOK
	}
	if what, status, ok := stopped(ctx, err); ok {
		if s.signingIn {
			what = "sign-in " + what
		}
		fmt.Fprintf(s.Env.Stderr, "%s: %s\n", s.Tool.Name, what)
		return status
	}
	var exit ExitError
	if errors.As(err, &exit) {
		return exit.Code
	}
	fmt.Fprintf(s.Env.Stderr, "%s: %s\n", s.Tool.Name, entra.RedactJWTs(err.Error()))
	var e *entra.Error
	if errors.As(err, &e) {
		if hint := e.Hint(); hint != "" {
			fmt.Fprintf(s.Env.Stderr, "hint: %s\n", hint)
		}
	}
	var usage usageError
	if errors.As(err, &usage) {
		if usage.help == "" { // the command's own check of its arguments
			usage.help = s.Tool.Command(append(commandPath(s.command), "--help")...)
		}
		fmt.Fprintln(s.Env.Stderr, UsageLine(usage))
		return exitUsage
	}
	return exitError
}
