package kubelogin

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
)

func parse(t *testing.T, args ...string) Options {
	t.Helper()
	o, _, err := Parse("get-token", "usage", args, io.Discard, nil)
	if err != nil {
		t.Fatalf("Parse(%q): %v", args, err)
	}
	return o
}

func TestParseReadsKubeloginFlags(t *testing.T) {
	o := parse(t, "-l", "spn", "--server-id", "server", "-t", "tenant", "-e", "AzureChinaCloud",
		"--client-id", "client", "--client-certificate", "/c.pfx", "--token-cache-dir", "/cache",
		"--timeout=90s", "--legacy", "--disable-environment-override", "--use-azurerm-env-vars")
	want := Options{Login: ServicePrincipal, ServerID: "server", TenantID: "tenant", Environment: "AzureChinaCloud",
		ClientID: "client", ClientCertificate: "/c.pfx", CacheDir: "/cache", Timeout: 90 * time.Second,
		Legacy: true, DisableEnvironmentOverride: true, UseAzureRMEnvVars: true, LogToStderr: true}
	got := o
	got.Given, got.login = nil, ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse gave\n%+v\nwant\n%+v", got, want)
	}
	for _, name := range []string{FlagLogin, FlagTenantID, FlagEnvironment, FlagCacheDir, FlagTimeout, FlagLegacy} {
		if !o.Given[name] {
			t.Errorf("Given lacks %s (given by its alias or with =): %v", name, o.Given)
		}
	}
	if o.Given[FlagClientSecret] {
		t.Error("Given names a flag that was not given")
	}
}

func TestParseReadsTheNewerFlags(t *testing.T) {
	o := parse(t, "-l", "azurepipelines", "--pop-enabled", "--pop-claims", "u=/subscriptions/s/x", "-s", "sub",
		"--azure-pipelines-service-connection-id", "conn")
	if o.Login != AzurePipelines || !o.PoPEnabled || o.PoPClaims != "u=/subscriptions/s/x" || o.Subscription != "sub" || o.ServiceConnectionID != "conn" {
		t.Errorf("Parse gave %+v", o)
	}
	if !o.Given[FlagSubscription] || !o.Given[FlagPoPEnabled] {
		t.Errorf("Given %v lacks subscription (given as -s) or pop-enabled", o.Given)
	}
	if o := parse(t, "--login", "azd"); o.Login != AzureDeveloperCLI {
		t.Errorf("--login azd: %q", o.Login)
	}
}

// TestParseTakesTheGlobalFlagsAfterTheCommand: kubelogin's klog flags and aadcred's own may
// follow get-token, as they may in kubelogin's command line.
func TestParseTakesTheGlobalFlagsAfterTheCommand(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		debug   bool
		profile string
	}{
		{[]string{"--login", "msi"}, false, ""},
		{[]string{"-v", "4"}, true, ""},
		{[]string{"--v=10", "--logtostderr"}, true, ""},
		{[]string{"-v", "3", "--logtostderr=false"}, false, ""},
		{[]string{"--debug", "--profile", "work"}, true, "work"},
		{[]string{"--profile=home"}, false, "home"},
		{[]string{"-v5", "-lmsi"}, true, ""},
		{[]string{"-v2", "-login=msi"}, false, ""},
	} {
		o := parse(t, tc.args...)
		if o.Debugging() != tc.debug || o.Profile != tc.profile {
			t.Errorf("%q: debugging %v profile %q, want %v %q", tc.args, o.Debugging(), o.Profile, tc.debug, tc.profile)
		}
	}
}

func TestParseDefaultsToDeviceCode(t *testing.T) {
	if o := parse(t); o.Login != DeviceCode || o.Given[FlagLogin] {
		t.Errorf("without --login: %q (given %v), want devicecode, not given", o.Login, o.Given[FlagLogin])
	}
}

func TestParseRefusesWhatItCannotDo(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--pop-enabled", "true", "--pop-claims", "u=x"}, "--pop-enabled, which is a switch: write --pop-enabled, or --pop-enabled=true"},
		{[]string{"--legacy", "false"}, "write --legacy, or --legacy=false"},
		{[]string{"--login", "chained"}, `"chained" is not supported`},
		{[]string{"--login", "DeviceCode"}, `unknown login mode "DeviceCode"`},
		{[]string{"-v", "loud"}, "-v"},
		{[]string{"--no-such-flag"}, "no-such-flag"},
		{[]string{"--timeout", "0s"}, "--timeout must be longer than zero"},
		{[]string{"--timeout", "soon"}, "timeout"},
		{[]string{"get-token"}, `unexpected argument "get-token"`},
		{[]string{"--server-id"}, "server-id"},
	} {
		_, _, err := Parse("get-token", "usage", tc.args, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

func TestParseHelpPrintsTheFlags(t *testing.T) {
	var help strings.Builder
	_, _, err := Parse("get-token", "Usage: get-token", []string{"--help"}, &help, nil)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"Usage: get-token", "-server-id", "-login", "AAD_LOGIN_METHOD"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, help.String())
		}
	}
}

func TestParseTakesExtraFlags(t *testing.T) {
	var context string
	_, _, err := Parse("convert", "usage", []string{"--context", "prod", "--login", "msi"}, io.Discard, func(fs *flag.FlagSet) {
		fs.StringVar(&context, "context", "", "")
	})
	if err != nil || context != "prod" {
		t.Errorf("extra flag: %q, %v", context, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"--login\x00spn\x00--server-id\x006dae42f8-4368-4678-94ff-3960e28e3630",
		"-l\x00devicecode\x00-t\x00contoso.onmicrosoft.com\x00--legacy",
		"--timeout=1h\x00--redirect-url\x00http://localhost:8400",
		"--pop-enabled\x00--pop-claims\x00u=x",
		"--\x00-\x00---login",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		o, _, err := Parse("get-token", "usage", strings.Split(joined, "\x00"), io.Discard, nil)
		if err != nil {
			return
		}
		// Whatever parsed must be a supported mode and make inputs or a clear error.
		if _, err := ParseLogin(string(o.Login)); err != nil {
			t.Fatalf("Parse accepted login %q: %v", o.Login, err)
		}
		o.Inputs()
	})
}

// TestParseReadsValuesAttachedToShortFlags: pflag, and so kubelogin, reads -lmsi as -l msi and
// -v5 as -v 5; a flag's value that looks like one (a password) is still a value.
func TestParseReadsValuesAttachedToShortFlags(t *testing.T) {
	o := parse(t, "-lropc", "-tcontoso.com", "--password", "-lsecret", "-v5", "-e=AzureChinaCloud")
	if o.Login != ROPC || o.TenantID != "contoso.com" || o.Password != "-lsecret" || o.Verbosity != 5 || o.Environment != "AzureChinaCloud" {
		t.Errorf("got login %q tenant %q password %q verbosity %d environment %q", o.Login, o.TenantID, o.Password, o.Verbosity, o.Environment)
	}
}

// TestShareSignInDropsOnlyTheAKSClientOfAPerson: the AKS public client az writes gives way to the
// shared sign-in in a person's modes; an application's client, or a person's own, stays.
func TestShareSignInDropsOnlyTheAKSClientOfAPerson(t *testing.T) {
	const own = "00000000-0000-4000-8000-00000000000a"
	for _, tc := range []struct {
		login    Login
		clientID string
		shared   bool
	}{
		{DeviceCode, core.AKSClientID, true},
		{Interactive, strings.ToUpper(core.AKSClientID), true},
		{ROPC, core.AKSClientID, true},
		{DeviceCode, own, false},
		{DeviceCode, "", false},
		{ServicePrincipal, core.AKSClientID, false},
		{WorkloadIdentity, core.AKSClientID, false},
	} {
		o := Options{Login: tc.login, ClientID: tc.clientID}
		want := tc.clientID
		if tc.shared {
			want = ""
		}
		if got := o.ShareSignIn(); got != tc.shared || o.ClientID != want {
			t.Errorf("%s with client %q: ShareSignIn() = %v, client %q; want %v, %q", tc.login, tc.clientID, got, o.ClientID, tc.shared, want)
		}
	}
}

func TestCompleteOffersFlagsAndLoginModes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--pop"}, "--pop-claims --pop-enabled"},
		{[]string{"--login", "msi", "--ti"}, "--timeout"},
		{[]string{"-l"}, "devicecode interactive spn ropc msi azurecli azd workloadidentity azurepipelines"},
		{[]string{"--server-id", "x", "--login"}, "devicecode interactive spn ropc msi azurecli azd workloadidentity azurepipelines"},
		{[]string{"--server-id"}, "--server-id"},
		{[]string{"--server-id", "x"}, ""}, // a value: the shell offers files
		{nil, ""},
	} {
		var out strings.Builder
		Complete(&out, tc.args)
		if got := strings.Join(strings.Fields(out.String()), " "); got != tc.want {
			t.Errorf("Complete(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
