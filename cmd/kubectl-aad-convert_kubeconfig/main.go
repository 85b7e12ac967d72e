// Command kubectl-aad-convert_kubeconfig is `kubectl aad convert-kubeconfig`: it rewrites the
// users of a kubeconfig that sign in with Azure/kubelogin or the old azure auth-provider so that
// they run kubectl-aad. kubectl finds it by this name; kubectl-aad runs it for
// `kubectl-aad convert-kubeconfig`. It is a program of its own because it links client-go,
// whose start-up cost kubectl-aad get-token must not pay.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/cmd/internal/kubelogin"
	"github.com/aadcred/aadcred/cmd/internal/version"
)

// programName is this program's file name, as --version names it.
const programName = "kubectl-aad-convert_kubeconfig"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

const usage = `Usage: kubectl aad convert-kubeconfig [--login MODE] [--context NAME]
         [--kubeconfig FILE] [--dry-run] [get-token flags]

Converts every user that runs kubelogin (or kubectl-aad) get-token or uses the
azure auth-provider, or only --context's user, to run kubectl-aad, keeping each
one's server ID and tenant. Users keep their login mode unless --login is given
(auth-provider users get devicecode); other get-token flags given override what
the kubeconfig holds. Each changed file is first copied to <file>.backup-<time>;
--dry-run says what would change and writes nothing. Secrets are never written:
get-token reads them from the environment (AAD_SERVICE_PRINCIPAL_CLIENT_SECRET,
AZURE_PASSWORD, …) where kubectl runs.
`

// run converts as the command line says and returns the exit status. Everything it says goes to
// stderr, but for --version, which answers on stdout as the other aadcred programs do.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	var c converter
	opts, _, err := kubelogin.Parse("kubectl aad convert-kubeconfig", usage, args, stderr, c.addFlags)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil && c.version {
		fmt.Fprintf(stdout, "%s version %s\n", programName, version.String())
		return 0
	}
	if err == nil {
		err = c.convert(opts, stderr, getenv)
	}
	if err != nil {
		fmt.Fprintf(stderr, "kubectl-aad convert-kubeconfig: %s\n", err)
		if line := cli.UsageLine(err); line != "" {
			fmt.Fprintln(stderr, line)
			return 2
		}
		return 1
	}
	return 0
}
