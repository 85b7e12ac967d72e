package cli

import (
	"cmp"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/aadcred/aadcred/cmd/internal/version"
	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/config"
	"github.com/aadcred/aadcred/keystore"
)

// Session is one run of a tool: its environment, configuration, log and token client, each set
// up on first use so that a command pays only for what it needs.
type Session struct {
	Tool Tool
	Env  Env

	debug   bool
	profile string
	// screen is stderr, which can hold a status line (Env.Stderr writes through it).
	screen *screen
	// signingIn is set once a sign-in waits for a person, and announced once it has been said
	// who signed in.
	signingIn, announced bool
	log                  *slog.Logger
	cfg                  *config.Config
	store                *keystore.Store
	client               *core.Client

	// command is the help name of the command run ("kubectl-aad cache delete"), for the usage
	// line under a mistake its action finds.
	command string
}

// Log is the session's logger: warnings always, debug lines with --debug, all on stderr.
func (s *Session) Log() *slog.Logger {
	if s.log == nil {
		s.log = newLogger(s.Env.Stderr, s.Tool.Name, s.debug)
	}
	return s.log
}

// Config is the shared configuration file (AADCRED_CONFIG, else the user's config directory).
func (s *Session) Config() (*config.Config, error) {
	if s.cfg != nil {
		return s.cfg, nil
	}
	path, err := config.Path(s.Env.Getenv)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	// A profile that is not there is an error wherever the file is read, not a silent fall
	// back to the top-level settings.
	if _, err := cfg.Profile(s.profile); err != nil {
		return nil, err
	}
	s.cfg = cfg
	return cfg, nil
}

// Settings are the configuration file's sign-in settings for the selected profile.
func (s *Session) Settings() (config.Settings, error) {
	cfg, err := s.Config()
	if err != nil {
		return config.Settings{}, err
	}
	return cfg.Profile(s.profile)
}

// Store opens the token store: AADCRED_CACHE_DIR, else the configuration's keystore.dir, else
// the user's cache directory.
func (s *Session) Store() (*keystore.Store, error) {
	if s.store != nil {
		return s.store, nil
	}
	cfg, err := s.Config()
	if err != nil {
		return nil, err
	}
	dir := cmp.Or(s.Env.Getenv("AADCRED_CACHE_DIR"), cfg.Keystore.Dir)
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("finding the cache directory (set AADCRED_CACHE_DIR): %w", err)
		}
		dir = filepath.Join(base, "aadcred")
	}
	store, err := keystore.Open(keystore.Options{
		Dir:                 dir,
		Backend:             cmp.Or(s.Env.Getenv("AADCRED_KEYRING_BACKEND"), cfg.Keystore.Backend),
		Passphrase:          s.Env.Getenv("AADCRED_KEYRING_PASSPHRASE"),
		EncryptAccessTokens: cfg.Keystore.EncryptAccessTokens,
	})
	if err != nil {
		return nil, err
	}
	s.store = store
	return store, nil
}

// UserAgent is what the tool's requests call it: the release and the tool.
func (s *Session) UserAgent() string {
	return fmt.Sprintf("aadcred/%s (%s)", version.String(), s.Tool.Name)
}

// Client is the token client, with the token store as its cache.
func (s *Session) Client() (*core.Client, error) {
	if s.client != nil {
		return s.client, nil
	}
	store, err := s.Store()
	if err != nil {
		return nil, err
	}
	s.client = &core.Client{
		UserAgent: s.UserAgent(),
		Log:       s.Log(),
		Getenv:    s.Env.Getenv,
		Store:     store,
	}
	return s.client, nil
}
