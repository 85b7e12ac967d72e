package kubeconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/aadcred/aadcred/install/internal/atomicfile"
)

// Exec API versions a converted user may ask for.
const (
	APIVersionV1      = "client.authentication.k8s.io/v1"
	APIVersionV1beta1 = "client.authentication.k8s.io/v1beta1"
)

const installHint = `kubectl-aad is needed to sign in to this cluster with Microsoft Entra ID.
Install it (with kubectl-aad-convert_kubeconfig) on PATH; see aadcred's README.`

// Conversion reports one converted user.
type Conversion struct {
	User string
	File string // the kubeconfig file that holds it
	From string // kubelogin, the azure auth-provider, or kubectl-aad
	// Command and Login are what the user runs now: Command get-token --login Login.
	Command string
	Login   string
	// Dropped names what the old user held that the new one does not: secrets, and settings
	// that only meant something to kubelogin.
	Dropped []string
}

// Result is what Convert did.
type Result struct {
	Converted []Conversion
	// Skipped are users that looked like kubelogin's but are not, with the reason.
	Skipped []string
	// Unchanged are users that a conversion would leave as they are: converted already.
	Unchanged []string
	// Backups are the copies made of the files before they were changed.
	Backups []string
}

// Convert rewrites the convertible users, after backing up every file it changes. Either every
// user converts or none does: a user missing a setting its new mode needs stops the conversion
// before anything is written.
func Convert(o Options) (*Result, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	access, err := newFileAccess(o.Kubeconfig, o.getenv(clientcmd.RecommendedConfigPathEnvVar), o.home())
	if err != nil {
		return nil, err
	}
	cfg, err := access.GetStartingConfig()
	if err != nil {
		return nil, err
	}
	users, err := candidates(cfg, o.Context)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for _, name := range users {
		user := cfg.AuthInfos[name]
		old, skipped := readOldUser(user, o.Command)
		if skipped != "" {
			res.Skipped = append(res.Skipped, fmt.Sprintf("user %q: %s", name, skipped))
			continue
		}
		if old == nil {
			if o.Context != "" {
				return nil, fmt.Errorf("the user %q of context %q does not sign in with kubelogin, the azure auth-provider or kubectl-aad: nothing to convert", name, o.Context)
			}
			continue
		}
		exec, c, err := o.newExec(old, user.Exec)
		if err != nil {
			return nil, fmt.Errorf("user %q: %w", name, err)
		}
		if alreadyConverted(user, exec) {
			res.Unchanged = append(res.Unchanged, name)
			continue
		}
		c.User, c.File, c.Command = name, user.LocationOfOrigin, exec.Command
		if c.File == "" {
			c.File = access.GetDefaultFilename()
		}
		c.Dropped = append(c.Dropped, droppedFields(user)...)
		*user = clientcmdapi.AuthInfo{LocationOfOrigin: user.LocationOfOrigin, Extensions: user.Extensions, Exec: exec}
		res.Converted = append(res.Converted, c)
	}
	if len(res.Converted) == 0 || o.DryRun {
		return res, nil
	}
	var files []string
	for _, c := range res.Converted {
		if !slices.Contains(files, c.File) {
			files = append(files, c.File)
		}
	}
	for _, f := range files {
		backup, err := backUp(f, o.now())
		if err != nil {
			return nil, err
		}
		res.Backups = append(res.Backups, backup)
	}
	converted := map[string]*clientcmdapi.AuthInfo{}
	for _, c := range res.Converted {
		converted[c.User] = cfg.AuthInfos[c.User]
	}
	for _, f := range files {
		if err := rewriteUsers(f, converted); err != nil {
			return nil, fmt.Errorf("writing the kubeconfig %s (backups: %s): %w", f, strings.Join(res.Backups, ", "), err)
		}
	}
	return res, nil
}

// alreadyConverted reports whether the user holds exactly what converting it would write, so
// that running the conversion again changes nothing and makes no backup.
func alreadyConverted(u *clientcmdapi.AuthInfo, exec *clientcmdapi.ExecConfig) bool {
	old := u.Exec
	return old != nil && u.AuthProvider == nil && u.Token == "" && u.TokenFile == "" && u.Password == "" &&
		old.Command == exec.Command && slices.Equal(old.Args, exec.Args) && old.APIVersion == exec.APIVersion &&
		slices.Equal(old.Env, exec.Env) && old.InstallHint == exec.InstallHint &&
		old.InteractiveMode == exec.InteractiveMode && !old.ProvideClusterInfo
}

// rewriteUsers puts into file the converted users that came from it, and replaces the file
// atomically, so that an interrupted conversion leaves it as it was or fully
// converted (clientcmd.ModifyConfig truncates and rewrites in place). A symbolic link is followed
// and kept.
func rewriteUsers(file string, users map[string]*clientcmdapi.AuthInfo) error {
	target, err := filepath.EvalSymlinks(file)
	if err != nil {
		return err
	}
	fi, err := os.Stat(target)
	if err != nil {
		return err
	}
	cfg, err := clientcmd.LoadFromFile(target)
	if err != nil {
		return err
	}
	for name, u := range users {
		if u.LocationOfOrigin == file {
			cfg.AuthInfos[name] = u
		}
	}
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return err
	}
	return atomicfile.Write(target, data, fi.Mode().Perm())
}

func (o *Options) check() error {
	switch o.APIVersion {
	case "", APIVersionV1, APIVersionV1beta1:
	default:
		return fmt.Errorf("exec API version %q: use %s or %s", o.APIVersion, APIVersionV1, APIVersionV1beta1)
	}
	if o.Login != "" && !slices.Contains(logins, o.Login) {
		return fmt.Errorf("unknown login mode %q (one of %s)", o.Login, strings.Join(logins, ", "))
	}
	return nil
}

// candidates are the users to look at: the context's, or all, in a stable order.
func candidates(cfg *clientcmdapi.Config, context string) ([]string, error) {
	if context != "" {
		ctx, ok := cfg.Contexts[context]
		if !ok {
			return nil, fmt.Errorf("the kubeconfig has no context %q", context)
		}
		if _, ok := cfg.AuthInfos[ctx.AuthInfo]; !ok {
			return nil, fmt.Errorf("context %q names the user %q, which the kubeconfig does not define", context, ctx.AuthInfo)
		}
		return []string{ctx.AuthInfo}, nil
	}
	names := make([]string, 0, len(cfg.AuthInfos))
	for name := range cfg.AuthInfos {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// droppedFields names the credentials a user held beside its sign-in, which the converted user
// does not keep: the auth-provider's cached tokens, static tokens and passwords.
func droppedFields(u *clientcmdapi.AuthInfo) []string {
	var out []string
	if u.AuthProvider != nil {
		out = append(out, "the azure auth-provider's settings and cached tokens")
	}
	if u.Token != "" || u.TokenFile != "" {
		out = append(out, "a static token")
	}
	if u.Password != "" {
		out = append(out, "a password")
	}
	if len(u.ClientCertificateData) > 0 || u.ClientCertificate != "" || len(u.ClientKeyData) > 0 || u.ClientKey != "" {
		out = append(out, "a client certificate")
	}
	return out
}

var errNoServerID = errors.New("no server ID: give --server-id (the AKS server is 6dae42f8-4368-4678-94ff-3960e28e3630)")
