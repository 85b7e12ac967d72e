package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/keystore"
)

// Store is where the cache keeps tokens and accounts between processes; *keystore.Store is one.
// Access tokens and account labels live in the AccessTokens tier, which is read without the OS
// keyring; refresh tokens live in the encrypted Secrets tier.
type Store interface {
	Read(ctx context.Context, tier keystore.Tier, name string) ([]byte, error)
	Write(ctx context.Context, tier keystore.Tier, name string, data []byte) error
	Delete(tier keystore.Tier, name string) error
	// Discard deletes an entry only if it still holds seen: a damaged entry is removed without
	// destroying a good one another process has just written in its place.
	Discard(tier keystore.Tier, name string, seen []byte) error
	// Prune deletes the entries starting with prefix not written for olderThan.
	Prune(tier keystore.Tier, prefix string, olderThan time.Duration) (int, error)
	List(tier keystore.Tier) ([]string, error)
	Lock(ctx context.Context, name string, waiting func(holderPID int)) (unlock func() error, err error)
	// Quarantined lists the sealed entries that could not be opened, kept aside for a while;
	// ClearQuarantine removes them.
	Quarantined() ([]keystore.Quarantined, error)
	ClearQuarantine() error
}

// tokenEntry is a cached access token as stored.
type tokenEntry struct {
	Key         cacheKey  `json:"key"`
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type"`
	ExpiresOn   time.Time `json:"expires_on"`
	// RefreshAt is when a caller should stop serving the token and get a new one: a random
	// 5 to 15 minutes before ExpiresOn, so that a fleet does not refresh in the same second.
	RefreshAt time.Time `json:"refresh_at"`
	TenantID  string    `json:"tenant_id,omitempty"`
	ObjectID  string    `json:"object_id,omitempty"`
	UPN       string    `json:"upn,omitempty"`
	Audience  string    `json:"audience,omitempty"`
	// Account names the account entry a user token belongs to.
	Account string `json:"account,omitempty"`
	// IDToken is the user's ID token from the same answer, kept so that token --id-token is
	// answered from the cache too; IDTokenExpires is its exp.
	IDToken        string    `json:"id_token,omitempty"`
	IDTokenExpires time.Time `json:"id_token_expires,omitzero"`
}

func (e *tokenEntry) token() *Token {
	return &Token{AccessToken: e.AccessToken, TokenType: e.TokenType, ExpiresOn: e.ExpiresOn, IDToken: e.IDToken,
		TenantID: e.TenantID, ObjectID: e.ObjectID, UPN: e.UPN, Audience: e.Audience}
}

// fresh reports whether the entry answers a request without renewal: before its refresh time,
// and usable whatever that time says (an entry written under a skewed clock, or by hand, may put
// it after the expiry); when the ID token is wanted too, with one that has not expired.
func (e *tokenEntry) fresh(now time.Time, wantIDToken bool) bool {
	return now.Before(e.RefreshAt) && e.usable(now) &&
		(!wantIDToken || (e.IDToken != "" && now.Before(e.IDTokenExpires.Add(-ReportMargin))))
}

// usable reports whether the token may still be handed to a tool, which is told it expires
// ReportMargin before it really does.
func (e *tokenEntry) usable(now time.Time) bool { return now.Before(e.ExpiresOn.Add(-ReportMargin)) }

// cached answers r through the cache. The hot path reads one file: no lock, no network, no
// keyring. On a miss it takes the key's cross-process lock and looks again, so that of N
// processes started together one gets the token and the others reuse it.
func (c *Client) cached(ctx context.Context, r *settled) (*Token, error) {
	key := c.keyFor(r)
	// A claims challenge says that a resource refused the token it was shown, most likely the
	// cached one: it is renewed with the claims, and the cached token is not served instead.
	challenged := r.Claims != ""
	if !challenged {
		if e := c.lookup(ctx, key); e != nil && e.fresh(c.now(), r.IDToken) {
			return e.token(), nil
		}
	}

	unlock, err := c.lock(ctx, r, key.name("t"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	var stale *tokenEntry
	if !challenged {
		stale = c.lookup(ctx, key)
		if stale != nil && stale.fresh(c.now(), r.IDToken) {
			return stale.token(), nil
		}
	}

	tok, account, err := c.renew(ctx, r, key)
	if err != nil {
		if stale != nil && stale.usable(c.now()) && !r.IDToken && entra.Transient(err) {
			c.log().Debug("refreshing failed for a passing reason; serving the cached token, which is still valid",
				"expires_on", stale.ExpiresOn, "error", err)
			return stale.token(), nil
		}
		return nil, err
	}
	c.keepToken(ctx, r, key, tok, account)
	return tok, nil
}

// lookup reads the entry that holds the token for key. A user's token is kept once, whichever
// way they signed in: a request that names the account (an account hint, the password method's
// user name) is answered by the entry of requests that name nobody when it holds that account's
// token, and by its own entry otherwise. The hot path of a request naming nobody reads one file.
func (c *Client) lookup(ctx context.Context, key cacheKey) *tokenEntry {
	if key.Kind != userKind || key.Identity == "" {
		return c.readToken(ctx, key.name("t"))
	}
	unnamed := key
	unnamed.Identity = ""
	if e := c.readToken(ctx, unnamed.name("t")); e != nil && strings.EqualFold(e.UPN, key.Identity) {
		return e
	}
	return c.readToken(ctx, key.name("t"))
}

// keepToken caches a token just obtained for r. A user's token goes to the entry of requests that
// name nobody when its account is the one such a request would use, and any entry of its own is
// dropped, so that the same token is never cached twice.
func (c *Client) keepToken(ctx context.Context, r *settled, key cacheKey, tok *Token, account string) {
	if key.Kind == userKind && key.Identity != "" && account != "" {
		anyone := &settled{Request: r.Request, authority: r.authority, endpoint: r.endpoint}
		anyone.Account, anyone.Credential.Username = "", ""
		if d, _ := c.findAccount(ctx, anyone); d != nil && d.name() == account {
			_ = c.Store.Delete(keystore.AccessTokens, key.name("t"))
			key.Identity = ""
		}
	}
	c.writeToken(ctx, key.name("t"), key, tok, account)
}

// renew gets a fresh token for key: users through their kept refresh token (or a new sign-in),
// applications by running their method again.
func (c *Client) renew(ctx context.Context, r *settled, key cacheKey) (*Token, string, error) {
	if key.Kind != userKind {
		tok, err := c.obtain(ctx, r)
		return tok, "", err
	}
	return c.renewUser(ctx, r)
}

// lock takes a cross-process lock, telling the person on the prompt stream when another process
// holds it. The wait is bounded: long when that process may be waiting for a person to sign in.
func (c *Client) lock(ctx context.Context, r *settled, name string) (func(), error) {
	bound := time.Minute
	if r.Interaction.Allowed {
		bound += r.Interaction.Timeout
	}
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	unlock, err := c.Store.Lock(ctx, name, func(pid int) {
		fmt.Fprintf(r.Interaction.Prompt, "Waiting for another aadcred process (pid %d) that is getting the same token…\n", pid)
	})
	switch {
	case errors.Is(err, keystore.ErrUnwritable):
		// Nothing can be kept, so there is nothing for parallel callers to share: each gets
		// its own token.
		c.warnNotKept("", err)
		return func() {}, nil
	case errors.Is(err, context.DeadlineExceeded):
		// Said plainly: the lock file's path and "context deadline exceeded" help no one.
		return nil, errors.New("another aadcred process is still getting this token")
	case err != nil:
		return nil, fmt.Errorf("waiting for another aadcred process to finish getting this token: %w", err)
	}
	return func() {
		if err := unlock(); err != nil {
			c.log().Debug("releasing the cache lock", "error", err)
		}
	}, nil
}

// readToken returns the entry called name, or nil. A damaged entry is reported once, removed and
// treated as missing, so that it is simply obtained again.
func (c *Client) readToken(ctx context.Context, name string) *tokenEntry {
	data, err := c.Store.Read(ctx, keystore.AccessTokens, name)
	if err != nil {
		if !errors.Is(err, keystore.ErrNotFound) {
			c.log().Warn(fmt.Sprintf("cached token unreadable, getting a new one: %v", err))
		}
		return nil
	}
	var e tokenEntry
	if err := json.Unmarshal(data, &e); err != nil || e.AccessToken == "" || e.ExpiresOn.IsZero() {
		c.log().Warn("a cached token was damaged; it has been removed and a new one will be obtained")
		_ = c.Store.Discard(keystore.AccessTokens, name, data)
		return nil
	}
	return &e
}

// writeToken caches tok. Failing to cache is reported but does not fail the call: the token is
// good, only the next call will have to get its own.
func (c *Client) writeToken(ctx context.Context, name string, key cacheKey, tok *Token, account string) {
	now := c.now()
	e := tokenEntry{
		Key: key, AccessToken: tok.AccessToken, TokenType: tok.TokenType, ExpiresOn: tok.ExpiresOn,
		RefreshAt: tok.ExpiresOn.Add(-refreshMargin(tok.ExpiresOn.Sub(now))),
		TenantID:  tok.TenantID, ObjectID: tok.ObjectID, UPN: tok.UPN, Audience: tok.Audience, Account: account,
	}
	if claims, err := entra.DecodeClaims(tok.IDToken); err == nil && !claims.Expiry.IsZero() {
		e.IDToken, e.IDTokenExpires = tok.IDToken, claims.Expiry
	}
	data, err := json.Marshal(e)
	if err == nil {
		err = c.Store.Write(ctx, keystore.AccessTokens, name, data)
	}
	if err != nil {
		c.warnNotKept("could not cache the token (the next call will get a new one)", err)
	}
	// Writing is the cold path: tidy up here, never where a cached token is read. Access tokens
	// live an hour or so, so one not rewritten for a day is long dead (on-behalf-of and
	// refresh-token requests key by their assertion and would otherwise accumulate).
	if n, err := c.Store.Prune(keystore.AccessTokens, "t", 24*time.Hour); err != nil {
		c.log().Debug("pruning expired tokens", "error", err)
	} else if n > 0 {
		c.log().Debug("pruned expired tokens", "count", n)
	}
}

// warnNotKept says that what was obtained could not be kept, and why.
func (c *Client) warnNotKept(what string, err error) { WarnNotKept(c.log(), what, err) }

// WarnNotKept logs that what was obtained could not be kept, and why. A store that cannot be
// written is one condition, whatever was being written, and is said in the store's own words,
// which are the same every time, so that a logger that says each warning once says it once.
// Packages that keep entries of their own beside core's use it too.
func WarnNotKept(log *slog.Logger, what string, err error) {
	var unwritable *keystore.UnwritableError
	if errors.As(err, &unwritable) {
		log.Warn(unwritable.Error())
		return
	}
	log.Warn(fmt.Sprintf("%s: %v", what, err))
}

// refreshMargin is how long before expiry a token is renewed: random between 5 and 15 minutes,
// and never more than half the token's lifetime, so that short-lived tokens are still served.
func refreshMargin(lifetime time.Duration) time.Duration {
	m := 5*time.Minute + rand.N(10*time.Minute)
	return max(min(m, lifetime/2), 0)
}
