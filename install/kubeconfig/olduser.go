package kubeconfig

import (
	"path/filepath"
	"slices"
	"strings"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// origin is what kind of sign-in a kubeconfig user had.
type origin string

const (
	fromAuthProvider origin = "the azure auth-provider"
	fromKubelogin    origin = "kubelogin"
	fromKubectlAAD   origin = "kubectl-aad"
)

// oldUser is what a convertible user held: its origin and its sign-in settings.
type oldUser struct {
	origin origin
	// ours marks a user that already runs the command the conversion writes (kubectl-aad, or
	// what Options.Command names): its command and settings are its owner's choice.
	ours   bool
	login  string
	values map[string]string // by kubelogin flag name, without dashes
	flags  map[string]bool   // boolean flags present
}

// execFlagAliases are kubelogin's short flags and older names, by the name they stand for.
var execFlagAliases = map[string]string{
	"l": "login", "t": "tenant-id", "e": "environment", "token-cache-dir": "cache-dir",
}

// booleanExecFlags take no value.
var booleanExecFlags = []string{"legacy", "disable-environment-override", "use-azurerm-env-vars",
	"disable-instance-discovery", "pop-enabled", "logtostderr", "debug"}

// commandName is an exec command's program name: its base name, lower case, without .exe.
func commandName(command string) string {
	return strings.TrimSuffix(strings.ToLower(filepath.Base(command)), ".exe")
}

// readOldUser tells whether a user can be converted and reads its settings; own is the command
// the conversion writes. The second result says why a user that looks like a candidate is not
// one (empty when it is, or is no candidate at all).
func readOldUser(u *clientcmdapi.AuthInfo, own string) (*oldUser, string) {
	switch {
	case u == nil:
		return nil, ""
	case u.AuthProvider != nil && u.AuthProvider.Name == "azure":
		cfg := u.AuthProvider.Config
		old := &oldUser{origin: fromAuthProvider, values: map[string]string{
			"server-id":   cfg["apiserver-id"],
			"client-id":   cfg["client-id"],
			"tenant-id":   cfg["tenant-id"],
			"environment": cfg["environment"],
		}, flags: map[string]bool{}}
		// config-mode "" or "0" is the legacy AAD integration, which wants spn: audiences.
		if mode := cfg["config-mode"]; mode == "" || mode == "0" {
			old.flags["legacy"] = true
		}
		return old, ""
	case u.Exec == nil:
		return nil, ""
	}
	base := commandName(u.Exec.Command)
	var o origin
	switch {
	case base == "kubectl-aad":
		o = fromKubectlAAD
	case strings.Contains(base, "kubelogin"):
		o = fromKubelogin
	default:
		return nil, ""
	}
	args := u.Exec.Args
	if len(args) == 0 || args[0] != "get-token" {
		return nil, "its exec command does not run get-token"
	}
	old := &oldUser{origin: o, values: map[string]string{}, flags: map[string]bool{},
		ours: o == fromKubectlAAD || own != "" && base == commandName(own)}
	for i := 1; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") {
			continue
		}
		if strings.HasPrefix(name, "oidc-") {
			// int128/kubelogin (kubectl oidc-login) shares the name and the get-token command.
			return nil, "it runs int128/kubelogin (OpenID Connect), not Azure/kubelogin"
		}
		if alias, ok := execFlagAliases[name]; ok {
			name = alias
		}
		if slices.Contains(booleanExecFlags, name) {
			old.flags[name] = !hasValue || value == "true"
			continue
		}
		// A flag followed by another flag has no value: taking the flag as the value would
		// carry it into the converted user under another name.
		if !hasValue && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			i++
			value = args[i]
		}
		old.values[name] = value
	}
	old.login = old.values["login"]
	if old.login == "" {
		old.login = "devicecode" // kubelogin's default
	}
	return old, ""
}
