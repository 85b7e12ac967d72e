package main

import (
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	urfave "github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/cmd/internal/kubelogin"
	"github.com/aadcred/aadcred/cmd/internal/version"
	"github.com/aadcred/aadcred/install/kubeloginlink"
)

// Run by the name kubelogin (a link that `kubectl aad configure --as-kubelogin` makes),
// kubectl-aad answers as Azure/kubelogin's command line: get-token, convert-kubeconfig,
// remove-tokens and --version, with kubelogin's global flags.

// runsAsKubelogin reports whether the program was started by the name kubelogin.
func runsAsKubelogin(arg0 string) bool {
	return strings.TrimSuffix(strings.ToLower(filepath.Base(arg0)), ".exe") == kubeloginlink.Name
}

// kubeloginTool is kubectl-aad as kubelogin. Its convert-kubeconfig writes what kubelogin's does,
// a user that runs kubelogin with ExecCredential v1beta1, so that the kubeconfig still suits
// kubelogin and kubectl older than 1.22; the shared commands (login, status, …) stay.
func kubeloginTool() cli.Tool {
	return cli.Tool{
		Name:          kubeloginlink.Name,
		Usage:         "kubectl-aad answering as Azure/kubelogin: Microsoft Entra ID sign-in for kubectl",
		SignInCommand: "kubectl aad login",
		Commands: func(s *cli.Session) []*urfave.Command {
			return append([]*urfave.Command{
				getTokenCommand(s, true),
				convertCommand(s, "--command="+kubeloginlink.Name, "--exec-api-version=v1beta1"),
			}, removeTokensCommands(s)...)
		},
	}
}

// kubeloginArgs reads kubelogin's global flags, which may come before the command (and after
// it, where get-token and convert-kubeconfig read them): klog's -v/--v N, which at
// kubelogin.DebugVerbosity or more becomes --debug, and --logtostderr, which changes nothing,
// are taken out; --version asks for the version. The rest is left for the commands.
func kubeloginArgs(args []string) (out []string, version bool, err error) {
	if len(args) == 0 {
		return args, false, nil
	}
	out = []string{args[0]}
	debug := false
	// passOn: the rest is not for this parser, after get-token or convert-kubeconfig (which read
	// these flags themselves) or after "--".
	passOn := false
	for i := 1; i < len(args); i++ {
		arg := args[i]
		if passOn || !strings.HasPrefix(arg, "-") || arg == "--" {
			passOn = passOn || arg == "--" || arg == "get-token" || arg == "convert-kubeconfig"
			out = append(out, arg)
			continue
		}
		arg = kubelogin.SplitAttachedValue(arg, isKubeloginGlobal)
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		switch name {
		case kubelogin.FlagVerbosity:
			if !hasValue {
				if i+1 >= len(args) {
					return nil, false, fmt.Errorf("%s needs a number, the log level", arg)
				}
				i++
				value = args[i]
			}
			level, err := strconv.Atoi(value)
			if err != nil {
				return nil, false, fmt.Errorf("-v %q: the log level is a number", value)
			}
			debug = debug || level >= kubelogin.DebugVerbosity
		case kubelogin.FlagLogToStderr:
		case "version":
			version = true
		case kubelogin.FlagProfile:
			out = append(out, arg)
			if !hasValue && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		default:
			out = append(out, arg)
		}
	}
	if debug {
		out = append([]string{out[0], "--" + kubelogin.FlagDebug}, out[1:]...)
	}
	return out, version, nil
}

// isKubeloginGlobal reports whether name is one of the global flags kubeloginArgs reads, or one
// the commands take before any other (-h, --debug).
func isKubeloginGlobal(name string) bool {
	switch name {
	case kubelogin.FlagVerbosity, kubelogin.FlagLogToStderr, kubelogin.FlagProfile, kubelogin.FlagDebug, "version", "help", "h":
		return true
	}
	return false
}

// writeKubeloginVersion answers --version in the shape of kubelogin's, naming kubectl-aad's
// release in its git hash line.
func writeKubeloginVersion(w io.Writer) {
	goVersion, buildTime := "unknown", "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
		for _, s := range info.Settings {
			if s.Key == "vcs.time" && s.Value != "" {
				buildTime = s.Value
			}
		}
	}
	fmt.Fprintf(w, "kubelogin version \ngit hash: aadcred-%s (kubectl-aad)\nGo version: %s\nBuild time: %s\nPlatform: %s/%s\n",
		version.String(), goVersion, buildTime, runtime.GOOS, runtime.GOARCH)
}
