package fakeentra

import (
	"slices"
	"sync"
)

// Kinds of secret the fake hands out, as Secret.Kind names them.
const (
	SecretAccessToken  = "access token"
	SecretRefreshToken = "refresh token"
	SecretIDToken      = "ID token"
	SecretClientSecret = "client secret"
	SecretDeviceCode   = "device code"
	SecretAuthCode     = "authorization code"
)

// Secret is one secret the fake handed out.
type Secret struct {
	Kind  string // one of the Secret kinds
	Value string
}

// issuedSecrets records every secret the fake hands out, so that a test can look for them
// where none may be: in what the binaries print, log and leave on disk.
type issuedSecrets struct {
	mu   sync.Mutex
	list []Secret
}

func (l *issuedSecrets) add(kind, value string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, Secret{Kind: kind, Value: value})
}

// IssuedSecrets returns every secret handed out so far: access, refresh and ID tokens, client
// secrets, device codes and authorization codes. ResetCounts does not forget them.
func (s *Server) IssuedSecrets() []Secret {
	s.issued.mu.Lock()
	defer s.issued.mu.Unlock()
	return slices.Clone(s.issued.list)
}
