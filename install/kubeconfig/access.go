package kubeconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// fileAccess is clientcmd's view of which kubeconfig files to read and write: the explicit
// file, else KUBECONFIG's list, else ~/.kube/config. clientcmd.PathOptions does the same but
// reads the process's environment itself; this one is told it.
type fileAccess struct {
	explicit   string
	precedence []string
}

var _ clientcmd.ConfigAccess = (*fileAccess)(nil)

func newFileAccess(explicit, kubeconfigEnv, home string) (*fileAccess, error) {
	a := &fileAccess{explicit: explicit}
	if explicit != "" {
		return a, nil
	}
	seen := map[string]bool{}
	for _, f := range filepath.SplitList(kubeconfigEnv) {
		if f != "" && !seen[f] {
			seen[f] = true
			a.precedence = append(a.precedence, f)
		}
	}
	if len(a.precedence) == 0 {
		if home == "" {
			return nil, errors.New("no kubeconfig: KUBECONFIG is not set and the home directory is unknown; give --kubeconfig")
		}
		a.precedence = []string{filepath.Join(home, clientcmd.RecommendedHomeDir, clientcmd.RecommendedFileName)}
	}
	return a, nil
}

func (a *fileAccess) GetLoadingPrecedence() []string {
	if a.explicit != "" {
		return []string{a.explicit}
	}
	return a.precedence
}

// GetStartingConfig loads the files merged, each entry labelled with the file it came from,
// and with relative paths left as written.
func (a *fileAccess) GetStartingConfig() (*clientcmdapi.Config, error) {
	rules := &clientcmd.ClientConfigLoadingRules{
		ExplicitPath:      a.explicit,
		Precedence:        a.precedence,
		DoNotResolvePaths: true,
	}
	cfg, err := rules.Load()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	return cfg, nil
}

// GetDefaultFilename is the file that receives entries that came from no file: the explicit
// one, else the first of KUBECONFIG's files that exists (the last when none does).
func (a *fileAccess) GetDefaultFilename() string {
	files := a.GetLoadingPrecedence()
	for _, f := range files {
		if _, err := os.Stat(f); err == nil {
			return f
		} else if !errors.Is(err, fs.ErrNotExist) {
			return f
		}
	}
	return files[len(files)-1]
}

func (a *fileAccess) IsExplicitFile() bool    { return a.explicit != "" }
func (a *fileAccess) GetExplicitFile() string { return a.explicit }
