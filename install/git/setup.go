package git

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Scope is the configuration file that Configure and Remove change.
type Scope string

// The scopes of git config.
const (
	System Scope = "system" // every user of the machine
	Global Scope = "global" // the user: ~/.gitconfig
	Local  Scope = "local"  // the repository in Setup.Dir
)

// Setup says where to wire the helper, and which git to do it with.
type Setup struct {
	Scope Scope
	// Helper is the absolute path of git-credential-aad.
	Helper string
	// URLs are the credential contexts to configure, as git's credential.<url> settings take
	// them: https://dev.azure.com, https://*.visualstudio.com, and the hosts the user added.
	URLs []string

	// GitPath is the git to run; empty means git from PATH.
	GitPath string
	// Dir is where git runs: the repository, for Local. Env is its environment; nil means this
	// process's.
	Dir string
	Env []string

	// DryRun works out the changes and reports them, but writes nothing.
	DryRun bool

	// copy is the file that git config changes instead of the scope's, while inCopy runs.
	copy string
}

// Change is what Configure or Remove changed, or would change in a dry run, for one URL.
type Change struct {
	URL string
	// Helper says the URL's helper entries changed: Configure set this helper, after an empty
	// entry that drops the helpers set earlier for the URL; Remove took both away.
	Helper bool
	// UseHTTPPath says useHttpPath changed, to UseHTTPPathNow: "true" (Configure), the value it
	// had before Configure, or "" for unset (Remove).
	UseHTTPPath    bool
	UseHTTPPathNow string
}

// changeFor is the change of url in changes, added at the end when there is none yet.
func changeFor(changes *[]Change, url string) *Change {
	for i := range *changes {
		if (*changes)[i].URL == url {
			return &(*changes)[i]
		}
	}
	*changes = append(*changes, Change{URL: url})
	return &(*changes)[len(*changes)-1]
}

// previousUseHTTPPath records, beside a useHttpPath that Configure set, the value it replaced
// ("" when there was none), so that Remove can put it back. git ignores keys it does not know.
const previousUseHTTPPath = "aadcredPreviousUseHttpPath"

// Configure wires the helper for every URL and returns what it changed; nothing when everything
// was already in place.
func (s *Setup) Configure(ctx context.Context) ([]Change, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if !isAbsolute(s.Helper) {
		return nil, fmt.Errorf("the helper must be given by absolute path, not %q", s.Helper)
	}
	return s.inCopy(ctx, func() ([]Change, error) {
		var changes []Change
		for _, url := range s.URLs {
			c, err := s.configureURL(ctx, url)
			if c != (Change{URL: url}) {
				changes = append(changes, c)
			}
			if err != nil {
				return changes, fmt.Errorf("configuring git for %s: %w", url, err)
			}
		}
		return changes, nil
	})
}

func (s *Setup) configureURL(ctx context.Context, url string) (Change, error) {
	changes := Change{URL: url}
	key := "credential." + url + ".helper"
	values, err := s.values(ctx, key)
	if err != nil {
		return changes, err
	}
	want := HelperValue(s.Helper)
	if n := len(values); n < 2 || values[n-2] != "" || values[n-1] != want {
		// The empty entry drops the helpers that earlier settings gave this URL (a storage
		// helper would otherwise answer first, with tokens that may have expired).
		kept := withoutHelper(values)
		if len(kept) == len(values) {
			err = s.add(ctx, key, "", want)
		} else {
			err = s.replaceAll(ctx, key, append(kept, "", want)) // an old path of the helper goes
		}
		if err != nil {
			return changes, err
		}
		changes.Helper = true
	}

	useKey := "credential." + url + ".useHttpPath"
	current, err := s.scoped(ctx, "--type=bool", "--get", useKey)
	switch {
	case err == nil && strings.TrimSpace(string(current)) == "true":
		return changes, nil
	case err != nil && !errors.Is(err, errUnset):
		return changes, err
	}
	previous := ""
	if err == nil {
		raw, err := s.values(ctx, useKey)
		if err != nil {
			return changes, err
		}
		if len(raw) > 0 {
			previous = raw[len(raw)-1]
		}
	}
	if err := s.write(ctx, "credential."+url+"."+previousUseHTTPPath, previous); err != nil {
		return changes, err
	}
	if err := s.write(ctx, useKey, "true"); err != nil {
		return changes, err
	}
	changes.UseHTTPPath, changes.UseHTTPPathNow = true, "true"
	return changes, nil
}

// Remove undoes what Configure did in the setup's file, for whatever URLs it finds there (the
// list may have changed since), and returns what it changed.
func (s *Setup) Remove(ctx context.Context) ([]Change, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	return s.inCopy(ctx, func() ([]Change, error) { return s.remove(ctx) })
}

func (s *Setup) remove(ctx context.Context) ([]Change, error) {
	entries, err := s.entries(ctx, `^credential\..+\.(helper|`+strings.ToLower(previousUseHTTPPath)+`)$`)
	if err != nil {
		return nil, err
	}
	helpers := map[string][]string{} // by URL, in file order
	var urls []string
	type marker struct{ url, was string }
	var markers []marker
	for _, e := range entries {
		url, name, ok := splitCredentialKey(e.key)
		if !ok {
			continue
		}
		if name == "helper" {
			if _, seen := helpers[url]; !seen {
				urls = append(urls, url)
			}
			helpers[url] = append(helpers[url], e.value)
		} else {
			markers = append(markers, marker{url, e.value})
		}
	}
	var changes []Change
	for _, url := range urls {
		values := helpers[url]
		kept := withoutHelper(values)
		if len(kept) == len(values) {
			continue
		}
		if err := s.replaceAll(ctx, "credential."+url+".helper", kept); err != nil {
			return changes, fmt.Errorf("removing the helper for %s: %w", url, err)
		}
		changeFor(&changes, url).Helper = true
	}
	for _, m := range markers {
		url, was := m.url, m.was
		useKey := "credential." + url + ".useHttpPath"
		var err error
		if was == "" {
			err = s.write(ctx, "--unset-all", useKey)
		} else {
			err = s.write(ctx, useKey, was)
		}
		if err != nil && !errors.Is(err, errUnset) {
			return changes, fmt.Errorf("restoring useHttpPath for %s: %w", url, err)
		}
		if err := s.write(ctx, "--unset-all", "credential."+url+"."+previousUseHTTPPath); err != nil && !errors.Is(err, errUnset) {
			return changes, err
		}
		c := changeFor(&changes, url)
		c.UseHTTPPath, c.UseHTTPPathNow = true, was
	}
	return changes, nil
}

// Check looks at the configuration git will really use (every file, not only the setup's) and
// warns when, for a URL, git would not run this helper first, or would also run others after
// it: those are not asked while this helper answers, but git hands them its tokens to store, and
// a storage helper may later serve one that has expired (git before 2.40 does not tell it when
// they expire).
//
// It follows git's rule for credential.helper: every value whose URL matches is taken, in the
// order git reads them, and an empty value drops those before it.
func (s *Setup) Check(ctx context.Context) ([]string, error) {
	out, err := s.config(ctx, "--null", "--get-regexp", `^credential\.(.+\.)?helper$`)
	if err != nil && !errors.Is(err, errUnset) {
		return nil, err
	}
	want := HelperValue(s.Helper)
	var warnings []string
	urls := map[string][]string{} // the URLs each warning is about
	for _, url := range s.URLs {
		var helpers []string
		for _, item := range splitNull(out) {
			key, value, _ := strings.Cut(item, "\n")
			if key != "credential.helper" {
				if u, _, ok := splitCredentialKey(key); !ok || !appliesTo(u, url) {
					continue
				}
			}
			if value == "" {
				helpers = nil
			} else {
				helpers = append(helpers, value)
			}
		}
		var w string
		switch {
		case len(helpers) == 0 || helpers[0] != want:
			w = "git does not run git-credential-aad first; a configuration file read later changes the helpers"
		case len(helpers) > 1:
			w = fmt.Sprintf("git also runs %s after git-credential-aad; one that stores credentials may serve expired tokens", quotedList(helpers[1:]))
		default:
			continue
		}
		if urls[w] == nil {
			warnings = append(warnings, w)
		}
		urls[w] = append(urls[w], url)
	}
	// One warning for the URLs that have the same trouble, not one each.
	for i, w := range warnings {
		warnings[i] = fmt.Sprintf("%s: %s (see `git config --show-origin --get-regexp credential`)", strings.Join(urls[w], ", "), w)
	}
	return warnings, nil
}

// quotedList names helpers as git's configuration has them: "store", or "store" and "cache".
func quotedList(helpers []string) string {
	quoted := make([]string, len(helpers))
	for i, h := range helpers {
		quoted[i] = fmt.Sprintf("%q", h)
	}
	if len(quoted) == 1 {
		return "the helper " + quoted[0]
	}
	return "the helpers " + strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
}

// appliesTo reports whether settings for the credential context pattern apply to url, which is
// one of the setup's URLs: the same, or url narrowed to a path (which applies to some of its
// remotes). Other patterns that git might match (a wildcard that covers url, a user name) are not
// recognised: Check may miss them.
func appliesTo(pattern, url string) bool {
	p, u := strings.ToLower(strings.TrimSuffix(pattern, "/")), strings.ToLower(url)
	return p == u || strings.HasPrefix(p, u+"/")
}

func (s *Setup) check(ctx context.Context) error {
	switch s.Scope {
	case System, Global:
		return nil
	case Local:
		// Said once, before anything is read or written, rather than as git's own complaint
		// about the first key.
		if !s.inRepository(ctx) {
			dir := s.Dir
			if dir == "" {
				dir = "the current directory"
			}
			return fmt.Errorf("--local changes a repository's configuration, and %s is not in a git repository: run it inside one, or use --global", dir)
		}
		return nil
	}
	return fmt.Errorf("unknown git configuration scope %q: use system, global or local", s.Scope)
}

// inRepository reports whether Dir is inside a git repository (a work tree or a bare one).
func (s *Setup) inRepository(ctx context.Context) bool {
	gitPath := cmp.Or(s.GitPath, "git")
	cmd := exec.CommandContext(ctx, gitPath, "rev-parse", "--git-dir")
	cmd.Dir, cmd.Env = s.Dir, s.Env
	return cmd.Run() == nil
}

// add appends values to key.
func (s *Setup) add(ctx context.Context, key string, values ...string) error {
	for _, v := range values {
		if err := s.write(ctx, "--add", key, v); err != nil {
			return err
		}
	}
	return nil
}

// splitCredentialKey splits credential.<url>.<name> as git prints it (section and name in lower
// case, the URL as written).
func splitCredentialKey(key string) (url, name string, ok bool) {
	rest, ok := strings.CutPrefix(key, "credential.")
	if !ok {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, '.')
	if i <= 0 {
		return "", "", false
	}
	return rest[:i], rest[i+1:], true
}
