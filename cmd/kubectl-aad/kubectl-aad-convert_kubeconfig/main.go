// Command kubectl-aad-convert_kubeconfig is `kubectl aad convert-kubeconfig`: it rewrites the
// users of a kubeconfig that sign in with Azure/kubelogin or the old azure auth-provider so that
// they run kubectl-aad. kubectl finds it by this name; kubectl-aad runs it for
// `kubectl-aad convert-kubeconfig`. It is a program of its own because it links client-go,
// whose start-up cost kubectl-aad get-token must not pay.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/kubectl-aad/internal/kubelogin"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run converts as the command line says and returns the exit status; every message goes to
// stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	app := &cli.App{
		Name:      "kubectl-aad convert-kubeconfig",
		HelpName:  "kubectl aad convert-kubeconfig",
		Usage:     "rewrite kubelogin and azure auth-provider users of a kubeconfig to use kubectl-aad",
		UsageText: "kubectl aad convert-kubeconfig [--login MODE] [--context NAME] [--kubeconfig FILE] [kubelogin get-token flags]",
		Description: "Converts every user that runs kubelogin (or kubectl-aad) get-token or uses the azure auth-provider,\n" +
			"or only --context's user, keeping each one's server ID and tenant. Users keep their login mode unless\n" +
			"--login is given (auth-provider users get devicecode). Flags given override what the\n" +
			"kubeconfig holds. Each changed file is first copied to <file>.backup-<time>. Secrets are never written:\n" +
			"give them to get-token through the environment (AAD_SERVICE_PRINCIPAL_CLIENT_SECRET, AZURE_PASSWORD, …).",
		Writer:          stdout,
		ErrWriter:       stderr,
		HideVersion:     true,
		HideHelpCommand: true,
		Flags:           append(kubelogin.Flags(), convertFlags()...),
		Action:          func(c *cli.Context) error { return convert(c, stderr, getenv) },
		ExitErrHandler:  func(*cli.Context, error) {},
		OnUsageError:    func(_ *cli.Context, err error, _ bool) error { return err },
	}
	if err := app.RunContext(ctx, args); err != nil {
		fmt.Fprintf(stderr, "kubectl-aad convert-kubeconfig: %s\n", err)
		return 1
	}
	return 0
}
