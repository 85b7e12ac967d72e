package kubeconfig

import (
	"fmt"
	"slices"
	"strings"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// logins are the kubelogin modes a converted user may run.
var logins = []string{"devicecode", "interactive", "spn", "ropc", "msi", "azurecli", "workloadidentity"}

// signsInUser reports whether a mode signs a person in, as opposed to an application.
func signsInUser(login string) bool {
	return login == "devicecode" || login == "interactive" || login == "ropc"
}

// newExec builds the converted user's exec stanza from the old user and the options, with the
// arguments each mode needs and nothing secret.
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

	// An old client ID carries over only between modes of the same kind: a service principal's
	// ID means nothing to a person's sign-in, and the reverse. The AKS public client is replaced
	// by kubectl-aad's shared one.
	clientID := o.ClientID
	oldIsUser := old.origin == fromAuthProvider || signsInUser(old.login)
	if clientID == "" && oldIsUser == signsInUser(login) {
		clientID = old.values["client-id"]
		if signsInUser(login) && strings.EqualFold(clientID, aksClientID) {
			clientID = ""
		}
	}
	sameMode := old.origin != fromAuthProvider && old.login == login
	// kept is an old setting that only makes sense in the mode it was written for.
	kept := func(given, name string) string {
		if given != "" || !sameMode {
			return given
		}
		return old.values[name]
	}
	tenant := value(o.TenantID, "tenant-id")
	needTenant := func() error {
		if tenant == "" {
			return fmt.Errorf("the %s login needs a tenant: give --tenant-id", login)
		}
		return nil
	}
	legacy := o.Legacy || old.flags["legacy"]

	switch login {
	case "devicecode", "interactive", "ropc":
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
		}
	case "spn":
		if clientID == "" {
			return nil, c, fmt.Errorf("the spn login needs the service principal's client ID: give --client-id")
		}
		if err := needTenant(); err != nil {
			return nil, c, err
		}
		add("client-id", clientID)
		add("tenant-id", tenant)
		add("environment", value(o.Environment, "environment"))
		add("client-certificate", kept(o.ClientCertificate, "client-certificate"))
	case "msi":
		if id := kept(o.ClientID, "client-id"); id != "" {
			add("client-id", id)
		} else {
			add("identity-resource-id", kept(o.IdentityResourceID, "identity-resource-id"))
		}
	case "azurecli":
		// The Azure CLI signs in to its own tenant; an old tenant could contradict it
		// (Azure/kubelogin#123), so only one given now is written.
		add("tenant-id", o.TenantID)
	case "workloadidentity":
		add("client-id", kept(o.ClientID, "client-id"))
		add("tenant-id", kept(o.TenantID, "tenant-id"))
		add("authority-host", kept(o.AuthorityHost, "authority-host"))
		add("federated-token-file", kept(o.FederatedTokenFile, "federated-token-file"))
	}
	if legacy && login != "msi" && login != "azurecli" {
		args = append(args, "--legacy")
	}
	if o.DisableEnvironmentOverride || (sameMode && old.flags["disable-environment-override"]) {
		args = append(args, "--disable-environment-override")
	}
	args = append(args, o.ExtraArgs...)
	for _, secret := range []string{"client-secret", "password", "client-certificate-password"} {
		if old.values[secret] != "" {
			c.Dropped = append(c.Dropped, "--"+secret)
		}
	}
	if old.values["cache-dir"] != "" {
		c.Dropped = append(c.Dropped, "--cache-dir (kubelogin's cache; kubectl-aad shares aadcred's store)")
	}

	exec := &clientcmdapi.ExecConfig{
		Command:         o.Command,
		Args:            args,
		APIVersion:      o.APIVersion,
		InstallHint:     installHint,
		InteractiveMode: clientcmdapi.IfAvailableExecInteractiveMode,
	}
	if exec.Command == "" {
		exec.Command = "kubectl-aad"
	}
	if exec.APIVersion == "" {
		exec.APIVersion = APIVersionV1
	}
	exec.Env, c.Dropped = keepEnv(oldExec, o.AzureConfigDir, c.Dropped)
	return exec, c, nil
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
