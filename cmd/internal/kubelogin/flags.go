package kubelogin

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/cmd/internal/columns"
	"github.com/aadcred/aadcred/core"
)

// Flag names, spelt as kubelogin spells them.
const (
	FlagLogin                      = "login"
	FlagServerID                   = "server-id"
	FlagClientID                   = "client-id"
	FlagClientSecret               = "client-secret"
	FlagClientCertificate          = "client-certificate"
	FlagClientCertificatePassword  = "client-certificate-password"
	FlagTenantID                   = "tenant-id"
	FlagEnvironment                = "environment"
	FlagAuthorityHost              = "authority-host"
	FlagFederatedTokenFile         = "federated-token-file"
	FlagUsername                   = "username"
	FlagPassword                   = "password"
	FlagIdentityResourceID         = "identity-resource-id"
	FlagCacheDir                   = "cache-dir"
	FlagTokenCacheDir              = "token-cache-dir" // kubelogin's older name of --cache-dir
	FlagTimeout                    = "timeout"
	FlagLegacy                     = "legacy"
	FlagRedirectURL                = "redirect-url"
	FlagLoginHint                  = "login-hint"
	FlagUseAzureRMEnvVars          = "use-azurerm-env-vars"
	FlagDisableEnvironmentOverride = "disable-environment-override"
	FlagDisableInstanceDiscovery   = "disable-instance-discovery"
	FlagPoPEnabled                 = "pop-enabled"
	FlagPoPClaims                  = "pop-claims"
	FlagSubscription               = "subscription"
	FlagServiceConnectionID        = "azure-pipelines-service-connection-id"

	// kubelogin's global (klog) flags, and aadcred's own that every command takes.
	FlagVerbosity   = "v"
	FlagLogToStderr = "logtostderr"
	FlagDebug       = "debug"
	FlagProfile     = "profile"
)

// DebugVerbosity is the klog level (-v) from which kubelogin logs what it does; kubectl-aad then
// logs as with --debug.
const DebugVerbosity = 4

// flagAliases are kubelogin's short and older flag names, by the main name they stand for.
var flagAliases = []struct{ alias, name string }{
	{"l", FlagLogin}, {"t", FlagTenantID}, {"tenant", FlagTenantID}, {"e", FlagEnvironment},
	{FlagTokenCacheDir, FlagCacheDir}, {"s", FlagSubscription},
}

// addFlags defines kubelogin's get-token flags on fs, which fill o when fs parses; parsed
// finishes o after that. The standard library's flag package reads them (with one dash or two,
// as pflag does): urfave/cli looks every flag up again for each flag given, which costs a
// plugin run on every kubectl call a third of a millisecond for these thirty flags.
func (o *Options) addFlags(fs *flag.FlagSet) {
	str := func(p *string, name, usage string) { fs.StringVar(p, name, *p, usage) }
	o.login = string(DeviceCode)
	str(&o.login, FlagLogin, "login mode: devicecode, interactive, spn, ropc, msi, azurecli, azd, workloadidentity or azurepipelines (env AAD_LOGIN_METHOD)")
	str(&o.ServerID, FlagServerID, "the cluster's Entra server application ID (default: the AKS server, "+core.AKSServerID+")")
	str(&o.ClientID, FlagClientID, "client application ID; for msi, the user-assigned identity's client ID (env AAD_SERVICE_PRINCIPAL_CLIENT_ID, AZURE_CLIENT_ID)")
	str(&o.ClientSecret, FlagClientSecret, "spn client secret; prefer env AAD_SERVICE_PRINCIPAL_CLIENT_SECRET or AZURE_CLIENT_SECRET, since arguments are visible to other users")
	str(&o.ClientCertificate, FlagClientCertificate, "spn client certificate, PEM or PFX (env AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE, AZURE_CLIENT_CERTIFICATE_PATH)")
	str(&o.ClientCertificatePassword, FlagClientCertificatePassword, "password of a PFX certificate; prefer env AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD or AZURE_CLIENT_CERTIFICATE_PASSWORD")
	str(&o.TenantID, FlagTenantID, "tenant ID or domain (env AZURE_TENANT_ID)")
	str(&o.Environment, FlagEnvironment, "cloud: AzurePublicCloud, AzureChinaCloud or AzureUSGovernmentCloud (default: the public cloud)")
	str(&o.AuthorityHost, FlagAuthorityHost, "authority host URL, e.g. https://login.microsoftonline.com/ (env AZURE_AUTHORITY_HOST, which also overrides --environment)")
	str(&o.FederatedTokenFile, FlagFederatedTokenFile, "workload identity's federated token file (env AZURE_FEDERATED_TOKEN_FILE)")
	str(&o.Username, FlagUsername, "ropc user name (env AAD_USER_PRINCIPAL_NAME, AZURE_USERNAME)")
	str(&o.Password, FlagPassword, "ropc password; prefer env AAD_USER_PRINCIPAL_PASSWORD or AZURE_PASSWORD")
	str(&o.IdentityResourceID, FlagIdentityResourceID, "msi: the user-assigned identity's ARM resource ID")
	str(&o.CacheDir, FlagCacheDir, "keep the token store in this directory instead of the one git and docker share (env AADCRED_CACHE_DIR)")
	fs.DurationVar(&o.Timeout, FlagTimeout, 0, "time allowed for work no person waits on: the cache, a refresh, an application's sign-in (env AZURE_CLI_TIMEOUT; default: 30s); a person's sign-in has 15 minutes")
	fs.BoolVar(&o.Legacy, FlagLegacy, false, "ask for a v1 token for spn:<server-id> (clusters with the legacy AAD integration)")
	str(&o.RedirectURL, FlagRedirectURL, "interactive: the loopback redirect URL, e.g. http://localhost:8400, to fix its port")
	str(&o.LoginHint, FlagLoginHint, "interactive: the account (UPN) to sign in as; also selects among kept sign-ins")
	fs.BoolVar(&o.UseAzureRMEnvVars, FlagUseAzureRMEnvVars, false, "read ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_CLIENT_CERTIFICATE_PATH, ARM_CLIENT_CERTIFICATE_PASSWORD and ARM_TENANT_ID instead of the AAD_*/AZURE_* client variables")
	fs.BoolVar(&o.DisableEnvironmentOverride, FlagDisableEnvironmentOverride, false, "do not let environment variables override these flags")
	fs.BoolVar(&o.DisableInstanceDiscovery, FlagDisableInstanceDiscovery, false, "accepted for kubelogin's sake: kubectl-aad never runs instance discovery")
	fs.BoolVar(&o.PoPEnabled, FlagPoPEnabled, false, "a proof-of-possession token (Azure Arc clusters), in the interactive, spn and ropc modes; needs --pop-claims")
	str(&o.PoPClaims, FlagPoPClaims, "the PoP token's claims, key=value,…; u=<ARM ID of the cluster> is required")
	str(&o.Subscription, FlagSubscription, "azurecli: get the token in this subscription's tenant (az --subscription)")
	str(&o.ServiceConnectionID, FlagServiceConnectionID, "azurepipelines: the service connection's ID (env AZURESUBSCRIPTION_SERVICE_CONNECTION_ID)")
	fs.IntVar(&o.Verbosity, FlagVerbosity, 0, "kubelogin's log level: 4 or more logs each step to stderr, as --debug")
	fs.BoolVar(&o.LogToStderr, FlagLogToStderr, true, "accepted for kubelogin's sake: logs always go to stderr")
	fs.BoolVar(&o.Debug, FlagDebug, false, "log each step to stderr, secrets never (env AADCRED_DEBUG)")
	str(&o.Profile, FlagProfile, "use this profile of the configuration file (env AADCRED_PROFILE)")
	for _, a := range flagAliases {
		f := fs.Lookup(a.name)
		fs.Var(f.Value, a.alias, "short for --"+a.name)
	}
}

// parsed finishes the options once fs, on which addFlags defined them, has parsed: it notes
// which flags were given, and refuses a login mode that kubectl-aad does not know, naming it.
func (o *Options) parsed(fs *flag.FlagSet) error {
	o.Given = map[string]bool{}
	fs.Visit(func(f *flag.Flag) {
		name := f.Name
		for _, a := range flagAliases {
			if a.alias == name {
				name = a.name
			}
		}
		o.Given[name] = true
	})
	login, err := ParseLogin(o.login)
	if err != nil {
		return fmt.Errorf("--%s: %w", FlagLogin, err)
	}
	o.Login = login
	if o.Given[FlagTimeout] && o.Timeout <= 0 {
		return fmt.Errorf("--%s must be longer than zero, not %s", FlagTimeout, o.Timeout)
	}
	return nil
}

// Options are kubelogin's settings as given, before or after ApplyEnvironment.
type Options struct {
	Login                     Login
	ServerID                  string
	ClientID                  string
	ClientSecret              string
	ClientCertificate         string
	ClientCertificatePassword string
	TenantID                  string
	Environment               string
	AuthorityHost             string
	FederatedTokenFile        string
	Username                  string
	Password                  string
	IdentityResourceID        string
	CacheDir                  string
	Timeout                   time.Duration
	Legacy                    bool
	RedirectURL               string
	LoginHint                 string
	UseAzureRMEnvVars         bool
	// DisableEnvironmentOverride keeps the flags' values: ApplyEnvironment changes nothing, and
	// Getenv hides the variables kubelogin would have read.
	DisableEnvironmentOverride bool

	// DisableInstanceDiscovery is accepted, and true of kubectl-aad anyway: it never runs
	// instance discovery.
	DisableInstanceDiscovery bool

	// PoPEnabled and PoPClaims ask for a proof-of-possession token; they come together.
	PoPEnabled bool
	PoPClaims  string
	// Subscription is azurecli's --subscription.
	Subscription string
	// ServiceConnectionID is the azurepipelines mode's service connection.
	ServiceConnectionID string

	// Verbosity is kubelogin's -v; LogToStderr its --logtostderr, which changes nothing here.
	Verbosity   int
	LogToStderr bool
	// Debug and Profile are aadcred's --debug and --profile, given after the command.
	Debug   bool
	Profile string

	// Given names the flags that were on the command line (by their main name).
	Given map[string]bool

	login string // --login as given, read by parsed
}

// Parse reads a command line of kubelogin's get-token flags into options, for a FlagSet that
// extra (if not nil) may give more flags first. -h or --help prints usage and the flags to help
// and returns flag.ErrHelp; any other mistake is returned, never printed.
func Parse(name, usage string, args []string, help io.Writer, extra func(*flag.FlagSet)) (Options, *flag.FlagSet, error) {
	fs, o := newFlagSet(name)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(splitAttachedValues(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeHelp(help, usage, fs)
			return Options{}, nil, err
		}
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		return Options{}, nil, cli.UsageError(err, names, name+" --help")
	}
	if fs.NArg() > 0 {
		return Options{}, nil, cli.UsageError(unexpectedArgument(name, args, fs.Arg(0)), nil, name+" --help")
	}
	if err := o.parsed(fs); err != nil {
		return Options{}, nil, err
	}
	return *o, fs, nil
}

// newFlagSet is a FlagSet of the get-token flags, which fill the options it returns when it
// parses. It prints nothing: its callers say what went wrong.
func newFlagSet(name string) (*flag.FlagSet, *Options) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := new(Options)
	o.addFlags(fs)
	return fs, o
}

// splitAttachedValues rewrites each one-letter flag written with its value attached, as pflag
// (and so kubelogin) reads -v5 or -lazurecli, into -v=5 or -l=azurecli, which the standard flag
// package reads. It walks args as fs will, so a flag's value, such as a password that starts
// with -l, is never taken for a flag.
func splitAttachedValues(fs *flag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" || arg == "-" || !strings.HasPrefix(arg, "-") {
			return append(out, args[i:]...)
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if f := fs.Lookup(name); f != nil {
			out = append(out, arg)
			if !hasValue && !isSwitch(f) && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
			continue
		}
		out = append(out, SplitAttachedValue(arg, func(name string) bool { return fs.Lookup(name) != nil }))
	}
	return out
}

// SplitAttachedValue rewrites arg, if it is a one-letter flag with its value attached (-v5, as
// pflag reads it), into the standard flag package's -v=5; isFlag reports whether a name is a
// flag, so that a whole name written with one dash (-login) stays as it is.
func SplitAttachedValue(arg string, isFlag func(name string) bool) string {
	if len(arg) < 3 || arg[0] != '-' || arg[1] == '-' || arg[2] == '=' || isFlag(arg[1:]) || !isFlag(arg[1:2]) {
		return arg
	}
	return arg[:2] + "=" + arg[2:]
}

// isSwitch reports whether f takes no value, as the flag package decides it.
func isSwitch(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// writeHelp writes usage and the flags, each flag's description under its name, as the other
// commands' help is laid out: in 80 columns. A name of several letters is shown with two dashes,
// as it is mostly typed; either works.
func writeHelp(w io.Writer, usage string, fs *flag.FlagSet) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nFlags (with one dash or two):\n", usage)
	fs.VisitAll(func(f *flag.Flag) {
		kind, text := flag.UnquoteUsage(f)
		dashes := "--"
		if len(f.Name) == 1 {
			dashes = "-"
		}
		b.WriteString("  " + dashes + f.Name)
		if kind != "" {
			b.WriteString(" " + kind)
		}
		switch f.DefValue {
		case "", "false", "0", "0s":
		default:
			text += " (default: " + f.DefValue + ")"
		}
		b.WriteString("\n      " + text + "\n")
	})
	io.WriteString(w, columns.Fit(b.String(), columns.Width))
}

// Complete writes, a line each, what may follow args on a get-token command line, for the
// completion scripts, which pass the word being completed only when it starts with a dash: the
// login modes after --login, else the flags (with two dashes, as they are mostly typed) that
// start with the last word, if it is a dash's.
func Complete(w io.Writer, args []string) {
	word := ""
	if n := len(args); n > 0 {
		word = args[n-1]
	}
	switch name := strings.TrimLeft(word, "-"); {
	case name == FlagLogin || name == "l":
		for _, l := range Logins() {
			fmt.Fprintln(w, l)
		}
	case strings.HasPrefix(word, "-"):
		fs, _ := newFlagSet("")
		fs.VisitAll(func(f *flag.Flag) {
			if name := "--" + f.Name; len(f.Name) > 1 && strings.HasPrefix(name, word) {
				fmt.Fprintln(w, name)
			}
		})
	}
}

// Debugging reports whether the options ask for each step to be logged: --debug, or kubelogin's
// -v at DebugVerbosity or more.
func (o Options) Debugging() bool { return o.Debug || o.Verbosity >= DebugVerbosity }

// unexpectedArgument explains a word that is not a flag. After a switch such as --pop-enabled,
// "true" or "false" is one: kubelogin's parser takes it as a stray argument too.
func unexpectedArgument(name string, args []string, arg string) error {
	if arg == "true" || arg == "false" {
		for i, a := range args {
			if a == arg && i > 0 && strings.HasPrefix(args[i-1], "-") && !strings.Contains(args[i-1], "=") {
				flag := strings.TrimLeft(args[i-1], "-")
				return fmt.Errorf("unexpected argument %q after --%s, which is a switch: write --%s, or --%s=%s", arg, flag, flag, flag, arg)
			}
		}
	}
	return fmt.Errorf("unexpected argument %q: %s takes only flags", arg, name)
}
