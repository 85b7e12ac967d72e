package kubeconfig

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/pop"
)

// logins are the kubelogin modes a converted user may run.
var logins = []string{"devicecode", "interactive", "spn", "ropc", "msi", "azurecli", "azd", "workloadidentity", "azurepipelines"}

// signsInUser reports whether a mode signs a person in, as opposed to an application.
func signsInUser(login string) bool {
	return login == "devicecode" || login == "interactive" || login == "ropc"
}

// The modes in which kubelogin's converter writes --legacy, and those in which it writes the
// proof-of-possession flags (as of v0.2.21); it drops them in the others.
var (
	legacyLogins = []string{"devicecode", "spn", "ropc"}
	popLogins    = []string{"interactive", "spn", "ropc"}
)

// newExec builds the converted user's exec stanza from the old user and the options, with the
// arguments each mode needs and nothing secret. It follows kubelogin's converter, but for what
// kubectl-aad does on purpose: no secret is written, a person's sign-in drops the AKS client for
// the shared one, and a user keeps its own mode and settings unless told otherwise.
func (o *Options) newExec(old *oldUser, oldExec *clientcmdapi.ExecConfig) (*clientcmdapi.ExecConfig, Conversion, error) {
	login := o.Login
	if login == "" {
		login = "devicecode"
		if old.origin != fromAuthProvider && slices.Contains(logins, old.login) {
			login = old.login
		}
	}
	c := Conversion{From: string(old.origin), Login: login}
	// value is the option when given, else what the old user held.
	value := func(given, name string) string {
		if given != "" {
			return given
		}
		return old.values[name]
	}
	sameMode := old.origin != fromAuthProvider && old.login == login
	// kept is an old setting that only makes sense in the mode it was written for.
	kept := func(given, name string) string {
		if given != "" || !sameMode {
			return given
		}
		return old.values[name]
	}
	args := []string{"get-token", "--login", login}
	add := func(flag, v string) {
		if v != "" {
			args = append(args, "--"+flag, v)
		}
	}
	serverID := value(o.ServerID, "server-id")
	if serverID == "" {
		return nil, c, errNoServerID
	}
	add("server-id", serverID)

	clientID, err := o.clientID(old, login)
	if err != nil {
		return nil, c, err
	}
	tenant := value(o.TenantID, "tenant-id")
	needTenant := func() error {
		if tenant == "" {
			return fmt.Errorf("the %s login needs a tenant: give --tenant-id", login)
		}
		return nil
	}

	switch login {
	case "devicecode", "interactive", "ropc", "spn":
		if err := needTenant(); err != nil {
			return nil, c, err
		}
		add("client-id", clientID)
		add("tenant-id", tenant)
		add("environment", value(o.Environment, "environment"))
		switch login {
		case "interactive":
			add("redirect-url", kept(o.RedirectURL, "redirect-url"))
			add("login-hint", kept(o.LoginHint, "login-hint"))
		case "ropc":
			add("username", kept(o.Username, "username"))
		case "spn":
			add("client-certificate", kept(o.ClientCertificate, "client-certificate"))
		}
	case "msi":
		if id := kept(o.ClientID, "client-id"); id != "" {
			add("client-id", id)
		} else {
			add("identity-resource-id", kept(o.IdentityResourceID, "identity-resource-id"))
		}
	case "azurecli", "azd":
		// These CLIs sign in to their own tenant; an old tenant could contradict it
		// (Azure/kubelogin#123), so only one given now is written.
		add("tenant-id", o.TenantID)
	case "workloadidentity":
		add("client-id", kept(o.ClientID, "client-id"))
		add("tenant-id", kept(o.TenantID, "tenant-id"))
		add("authority-host", kept(o.AuthorityHost, "authority-host"))
		add("federated-token-file", kept(o.FederatedTokenFile, "federated-token-file"))
	case "azurepipelines":
		// An Azure Pipelines task sets all three in the environment (AZURESUBSCRIPTION_*).
		// kubelogin's converter carries the tenant over, as here; it writes no client ID even
		// when given one, where kubectl-aad writes the one given (or the old user's own).
		add("client-id", kept(o.ClientID, "client-id"))
		add("tenant-id", tenant)
		add("azure-pipelines-service-connection-id", kept(o.ServiceConnectionID, "azure-pipelines-service-connection-id"))
	}
	if (o.Legacy || old.flags["legacy"]) && slices.Contains(legacyLogins, login) {
		args = append(args, "--legacy")
	}
	popArgs, popDropped, err := o.pop(old, login)
	if err != nil {
		return nil, c, err
	}
	args = append(args, popArgs...)
	if popDropped != "" {
		c.Dropped = append(c.Dropped, popDropped)
	}
	if o.DisableEnvironmentOverride || (sameMode && old.flags["disable-environment-override"]) {
		args = append(args, "--disable-environment-override")
	}
	args = append(args, o.passedThrough(old)...)
	for _, secret := range []string{"client-secret", "password", "client-certificate-password"} {
		if old.values[secret] != "" {
			c.Dropped = append(c.Dropped, "--"+secret)
		}
	}
	if !old.ours && old.values["cache-dir"] != "" && o.CacheDir == "" {
		c.Dropped = append(c.Dropped, "--cache-dir (kubelogin's cache; kubectl-aad shares aadcred's store)")
	}
	exec := o.execConfig(old, oldExec, args)
	exec.Env, c.Dropped = keepEnv(oldExec, o.AzureConfigDir, c.Dropped)
	return exec, c, nil
}

// clientID is the client the converted user names. A person's sign-in keeps a client of the
// kubeconfig owner's choosing from an old user sign-in, and drops the AKS public client for
// kubectl-aad's shared one, whose one sign-in serves git and docker too. A service principal
// keeps the old user's client, whatever its kind, as kubelogin's converter does: its secret and
// often its ID come from the environment at run time, where AAD_SERVICE_PRINCIPAL_CLIENT_ID
// overrides it.
func (o *Options) clientID(old *oldUser, login string) (string, error) {
	if o.ClientID != "" {
		return o.ClientID, nil
	}
	oldClient := old.values["client-id"]
	switch {
	case login == "spn":
		if oldClient == "" {
			return "", errors.New("the spn login needs the service principal's client ID: give --client-id")
		}
		return oldClient, nil
	case !signsInUser(login):
		return "", nil // the modes' own rules decide
	case old.origin != fromAuthProvider && !signsInUser(old.login):
		return "", nil // an application's ID means nothing to a person's sign-in
	case strings.EqualFold(oldClient, core.AKSClientID):
		return "", nil
	}
	return oldClient, nil
}

// pop returns the proof-of-possession flags of the converted user: in the modes kubelogin's
// converter writes them in, given or kept from the old user, and only together, as kubelogin
// requires; in the other modes, a note of the old user's that were left out.
func (o *Options) pop(old *oldUser, login string) (args []string, dropped string, err error) {
	enabled := o.PoPEnabled || old.flags["pop-enabled"]
	claims := o.PoPClaims
	if claims == "" {
		claims = old.values["pop-claims"]
	}
	if !slices.Contains(popLogins, login) {
		if enabled || claims != "" {
			dropped = "--pop-enabled and --pop-claims (only interactive, spn and ropc users get proof-of-possession tokens)"
		}
		return nil, dropped, nil
	}
	switch {
	case enabled && claims == "":
		return nil, "", errors.New("--pop-claims is required when specifying --pop-enabled: give --pop-claims u=<ARM ID of the cluster>, or drop --pop-enabled")
	case !enabled && claims != "":
		return nil, "", errors.New("--pop-enabled is required when specifying --pop-claims: give both for a proof-of-possession token, or neither")
	case enabled:
		if _, err := pop.ParseClaims(claims); err != nil {
			return nil, "", err
		}
		return []string{"--pop-enabled", "--pop-claims", claims}, "", nil
	}
	return nil, "", nil
}

// passedThrough are the get-token flags written as they are: given now, or kept from the old
// user; but a kubelogin user's --cache-dir names kubelogin's cache, which kubectl-aad does not
// use.
func (o *Options) passedThrough(old *oldUser) []string {
	var args []string
	if timeout := cmp.Or(o.Timeout, old.values["timeout"]); timeout != "" {
		args = append(args, "--timeout", timeout)
	}
	if dir := o.CacheDir; dir != "" || old.ours && old.values["cache-dir"] != "" {
		args = append(args, "--cache-dir", cmp.Or(dir, old.values["cache-dir"]))
	}
	if o.UseAzureRMEnvVars || old.flags["use-azurerm-env-vars"] {
		args = append(args, "--use-azurerm-env-vars")
	}
	if o.DisableInstanceDiscovery || old.flags["disable-instance-discovery"] {
		args = append(args, "--disable-instance-discovery")
	}
	return args
}

// execConfig is the converted user's exec stanza around args. A user of ours keeps its own
// command, API version and interactive mode unless the options say otherwise, and every user its
// environment (less secrets) and install hint, except kubelogin's stock hint where the command
// is no longer kubelogin.
func (o *Options) execConfig(old *oldUser, oldExec *clientcmdapi.ExecConfig, args []string) *clientcmdapi.ExecConfig {
	exec := &clientcmdapi.ExecConfig{
		Command:         o.Command,
		Args:            args,
		APIVersion:      o.APIVersion,
		InstallHint:     installHint,
		InteractiveMode: clientcmdapi.IfAvailableExecInteractiveMode,
	}
	if old.ours && oldExec != nil {
		exec.Command = cmp.Or(exec.Command, oldExec.Command)
		exec.APIVersion = cmp.Or(exec.APIVersion, oldExec.APIVersion)
		exec.InteractiveMode = cmp.Or(oldExec.InteractiveMode, exec.InteractiveMode)
	}
	exec.Command = cmp.Or(exec.Command, "kubectl-aad")
	exec.APIVersion = cmp.Or(exec.APIVersion, APIVersionV1)
	if oldExec != nil && oldExec.InstallHint != "" &&
		!(isKubeloginStockHint(oldExec.InstallHint) && !strings.Contains(commandName(exec.Command), "kubelogin")) {
		exec.InstallHint = oldExec.InstallHint
	}
	return exec
}

// isKubeloginStockHint reports whether a hint is the one kubelogin and az write, which tells
// the person to install kubelogin.
func isKubeloginStockHint(hint string) bool {
	return strings.Contains(hint, "kubelogin is not installed")
}

// keepEnv keeps the old exec environment, less anything secret, and sets AZURE_CONFIG_DIR when
// asked to.
func keepEnv(oldExec *clientcmdapi.ExecConfig, azureConfigDir string, dropped []string) ([]clientcmdapi.ExecEnvVar, []string) {
	var env []clientcmdapi.ExecEnvVar
	if oldExec != nil {
		for _, e := range oldExec.Env {
			switch {
			case looksSecret(e.Name):
				dropped = append(dropped, "the environment variable "+e.Name)
			case e.Name == "AZURE_CONFIG_DIR" && azureConfigDir != "":
			default:
				env = append(env, e)
			}
		}
	}
	if azureConfigDir != "" {
		env = append(env, clientcmdapi.ExecEnvVar{Name: "AZURE_CONFIG_DIR", Value: azureConfigDir})
	}
	return env, dropped
}

// looksSecret reports whether an environment variable's name says it holds a secret, rather
// than where one is (a file, a path, a directory, a URL).
func looksSecret(name string) bool {
	n := strings.ToUpper(name)
	for _, where := range []string{"_FILE", "_PATH", "_DIR", "_URL", "_URI"} {
		if strings.HasSuffix(n, where) {
			return false
		}
	}
	for _, word := range []string{"SECRET", "PASSWORD", "PASSPHRASE", "TOKEN", "CREDENTIAL"} {
		if strings.Contains(n, word) {
			return true
		}
	}
	return strings.HasSuffix(n, "KEY")
}
