package fakerepos

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// AzureDevOpsResource is the audience of the tokens Azure Repos accepts.
const AzureDevOpsResource = "499b84ac-1321-427f-aa17-267ca6975798"

// PersonalAccounts is the tenant to give AddOrg for an organisation backed by personal
// Microsoft accounts.
const PersonalAccounts = "00000000-0000-0000-0000-000000000000"

// Token describes a token the fake accepted, without the token.
type Token struct {
	ID       string // the uti claim
	TenantID string
	UPN      string
	AppID    string
	Expiry   time.Time
}

// Server is a running fake Azure Repos. Its methods are safe for concurrent use.
type Server struct {
	entra    *fakeentra.Server
	verifier *fakeentra.Verifier
	now      func() time.Time
	git      string // the git program
	root     string // GIT_PROJECT_ROOT
	home     string // HOME of the git processes the fake runs
	backend  http.Handler
	srv      *http.Server
	host     string

	mu       sync.Mutex
	orgs     map[string]string // lower-case name → tenant
	accepted []Token
	revoked  map[string]bool // by token ID
	probes   int
	rejected int

	cleanup func() // removes a directory Start made
}

// Options configure a Server.
type Options struct {
	// Now is the clock that decides whether a token has expired; nil means time.Now.
	Now func() time.Time
	// Dir holds the repositories; a temporary directory, removed by Close, when empty.
	Dir string
	// Logf receives what git http-backend writes to its stderr; nil discards it.
	Logf func(format string, args ...any)
}

// Start starts a fake Azure Repos in front of entra, on loopback. It needs git: the fake is the
// real git http-backend.
func Start(entra *fakeentra.Server, opts Options) (*Server, error) {
	gitPath, err := exec.LookPath("git")
	if err != nil {
		return nil, fmt.Errorf("fakerepos needs git: %w", err)
	}
	dir, removeDir := opts.Dir, false
	if dir == "" {
		if dir, err = os.MkdirTemp("", "fakerepos-"); err != nil {
			return nil, err
		}
		removeDir = true
	}
	s := &Server{
		entra:    entra,
		verifier: entra.Verifier(),
		now:      opts.Now,
		git:      gitPath,
		root:     filepath.Join(dir, "repos"),
		home:     filepath.Join(dir, "home"),
		orgs:     map[string]string{},
		revoked:  map[string]bool{},
	}
	if removeDir {
		s.cleanup = func() { os.RemoveAll(dir) }
	}
	if s.now == nil {
		s.now = time.Now
	}
	for _, d := range []string{s.root, s.home} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			s.Close()
			return nil, err
		}
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	s.backend = &cgi.Handler{
		Path:       gitPath,
		Args:       []string{"http-backend"},
		Env:        append(s.gitEnv(), "GIT_PROJECT_ROOT="+s.root, "GIT_HTTP_EXPORT_ALL=1"),
		InheritEnv: []string{"PATH"},
		Stderr:     logWriter(logf),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("fakerepos: listening on loopback: %w", err)
	}
	s.host = ln.Addr().String()
	s.srv = &http.Server{Handler: s, TLSConfig: entra.ServerTLSConfig(), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.ServeTLS(ln, "", "")
	return s, nil
}

// NewTest starts a fake Azure Repos for t, in front of entra, and stops it when t ends. It fails
// t if git is missing.
func NewTest(t testing.TB, entra *fakeentra.Server, opts Options) *Server {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	s, err := Start(entra, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and removes the repositories it made.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
	if s.cleanup != nil {
		s.cleanup()
	}
}

// logWriter sends the backend's complaints to logf, a line at a time.
type logWriter func(format string, args ...any)

func (w logWriter) Write(p []byte) (int, error) {
	w("git http-backend: %s", strings.TrimSpace(string(p)))
	return len(p), nil
}

// gitEnv is the environment of every git the fake runs: nothing from the machine's or the
// user's configuration.
func (s *Server) gitEnv() []string {
	return []string{
		"HOME=" + s.home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull,
		"GIT_AUTHOR_NAME=fakerepos", "GIT_AUTHOR_EMAIL=fakerepos@example.invalid",
		"GIT_COMMITTER_NAME=fakerepos", "GIT_COMMITTER_EMAIL=fakerepos@example.invalid",
	}
}

// URL is the server's base URL, https://127.0.0.1:<port>.
func (s *Server) URL() string { return "https://" + s.host }

// Host is 127.0.0.1:<port>, as git sends it to a credential helper.
func (s *Server) Host() string { return s.host }

// AddOrg registers an organisation and the tenant it signs in with (PersonalAccounts for one
// backed by personal Microsoft accounts, which accepts a token of any tenant).
func (s *Server) AddOrg(name, tenant string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs[strings.ToLower(name)] = tenant
}

// CreateRepo creates a repository holding one commit on main and returns its clone URL.
func (s *Server) CreateRepo(org, project, repo string) (string, error) {
	bare := filepath.Join(s.root, org, project, "_git", repo)
	work, err := os.MkdirTemp(s.home, "seed-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	steps := [][]string{
		{"init", "-q", "--bare", "--initial-branch=main", bare},
		{"--git-dir", bare, "config", "http.receivepack", "true"},
		{"init", "-q", "--initial-branch=main", work},
	}
	for _, args := range steps {
		if err := s.run(args...); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(work, "README.md"), []byte("# "+repo+"\n"), 0o600); err != nil {
		return "", err
	}
	for _, args := range [][]string{
		{"-C", work, "add", "README.md"},
		{"-C", work, "commit", "-q", "-m", "Initial commit"},
		{"-C", work, "push", "-q", bare, "main"},
	} {
		if err := s.run(args...); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%s/%s/%s/_git/%s", s.URL(), org, project, repo), nil
}

// Head returns the commit that branch of the repository points at.
func (s *Server) Head(org, project, repo, branch string) (string, error) {
	cmd := exec.Command(s.git, "--git-dir", filepath.Join(s.root, org, project, "_git", repo), "rev-parse", "--verify", "refs/heads/"+branch)
	cmd.Env = s.gitEnv()
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git rev-parse %s: %w", branch, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func (s *Server) run(args ...string) error {
	cmd := exec.Command(s.git, args...)
	cmd.Env = s.gitEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// RevokeAccepted makes the fake refuse every token it has accepted so far, as Azure DevOps does
// after a password change or a session revocation, and returns how many that was.
func (s *Server) RevokeAccepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.accepted {
		s.revoked[t.ID] = true
	}
	return len(s.accepted)
}

// Accepted returns the distinct tokens the fake accepted, in the order it first saw them.
func (s *Server) Accepted() []Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.accepted)
}

// Probes returns how many unauthenticated HEAD requests for an organisation (a tenant probe)
// the fake answered.
func (s *Server) Probes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.probes
}

// Rejected returns how many requests came with credentials that the fake refused.
func (s *Server) Rejected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

// errRevoked is the reason for refusing a token revoked with RevokeAccepted.
var errRevoked = errors.New("token has been revoked")
