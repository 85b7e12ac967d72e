package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aadcred/aadcred/keystore"
)

// keptSignIn is what the Secrets tier keeps of an account under the account's name: its refresh
// token and a copy of its label, inside the encryption, so that a label lost or damaged in the
// AccessTokens tier is rebuilt from it. No sign-in is unreachable while its entry is on disk.
type keptSignIn struct {
	Account      accountEntry `json:"account"`
	RefreshToken string       `json:"refresh_token"`
}

// errNoLabelCopy marks an entry that an older aadcred wrote: the refresh token alone.
var errNoLabelCopy = errors.New("its sealed entry holds no copy of the label (an earlier aadcred wrote it)")

// decodeKeptSignIn reads an account's Secrets entry. An older aadcred's entry holds the bare
// refresh token: it is returned with errNoLabelCopy. Anything that starts like JSON but is not a
// kept sign-in is damaged.
func decodeKeptSignIn(data []byte) (*accountEntry, string, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, "", errors.New("its sealed entry is empty")
	}
	if !strings.ContainsRune(`{["`, rune(trimmed[0])) {
		return nil, string(data), errNoLabelCopy
	}
	var k keptSignIn
	if err := json.Unmarshal(data, &k); err != nil || k.RefreshToken == "" || k.Account.Authority == "" || k.Account.ClientID == "" {
		return nil, "", errors.New("its sealed entry is not a kept sign-in")
	}
	return &k.Account, k.RefreshToken, nil
}

// keepSignIn writes acct's refresh token with the copy of its label.
func (c *Client) keepSignIn(ctx context.Context, acct *accountEntry, refreshToken string) error {
	data, err := json.Marshal(keptSignIn{Account: *acct, RefreshToken: refreshToken})
	if err == nil {
		err = c.Store.Write(ctx, keystore.Secrets, acct.name(), data)
	}
	if err != nil {
		return fmt.Errorf("storing the refresh token: %w", err)
	}
	return nil
}

// keptAccounts is what the store holds of accounts.
type keptAccounts struct {
	// labelled are the accounts whose label was read, or rebuilt from their sealed entry.
	labelled []*accountEntry
	// unreadable are the kept sign-ins of which nothing is known but their name, with why.
	unreadable map[string]string
	// unusable is why the first of them cannot be used now, when it is not lost for good: the
	// store refused it (other users could have written it), or its key cannot be reached.
	unusable error
}

// accounts lists every kept account. A label that is missing or damaged is rebuilt, silently,
// from the copy in the account's sealed entry (which costs the data key, and so happens only on
// the way to a refresh or a sign-in, never on the cached path). A label that other users could
// have written is never used, nor rebuilt over.
func (c *Client) accounts(ctx context.Context) keptAccounts {
	kept := keptAccounts{unreadable: map[string]string{}}
	labels := c.names(keystore.AccessTokens, "a")
	signIns := c.names(keystore.Secrets, "a")
	for _, name := range union(labels, signIns) {
		a, err := c.readAccount(ctx, name)
		if err == nil && a == nil && slices.Contains(signIns, name) {
			a, err = c.rebuildLabel(ctx, name)
		}
		if err != nil {
			kept.unreadable[name] = err.Error()
			var insecure *keystore.InsecureError
			if kept.unusable == nil && (errors.As(err, &insecure) || errors.Is(err, keystore.ErrKeyUnavailable)) {
				kept.unusable = err
			}
			continue
		}
		if a != nil {
			kept.labelled = append(kept.labelled, a)
		}
	}
	return kept
}

// names lists the entries of tier starting with prefix; a store that cannot be listed has none.
func (c *Client) names(tier keystore.Tier, prefix string) []string {
	names, err := c.Store.List(tier)
	if err != nil {
		c.log().Warn(fmt.Sprintf("listing the token store: %v", err))
		return nil
	}
	return slices.DeleteFunc(names, func(n string) bool { return !strings.HasPrefix(n, prefix) })
}

// union returns the names in a or in b, sorted, each once.
func union(a, b []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(slices.Concat(a, b))))
}

// readAccount reads the label called name. A missing or damaged label is nil, with no error:
// the caller rebuilds it. The error is the store's refusal of a label others could have written,
// or another reason it cannot be read now.
func (c *Client) readAccount(ctx context.Context, name string) (*accountEntry, error) {
	data, err := c.Store.Read(ctx, keystore.AccessTokens, name)
	switch {
	case errors.Is(err, keystore.ErrNotFound):
		return nil, nil
	case errors.Is(err, keystore.ErrCorrupt):
		c.log().Debug("an account label was damaged; it is rebuilt from its sign-in", "error", err)
		return nil, nil
	case err != nil:
		return nil, err
	}
	var a accountEntry
	if err := json.Unmarshal(data, &a); err != nil || a.Authority == "" || a.ClientID == "" || a.name() != name {
		c.log().Debug("an account label was damaged; it is rebuilt from its sign-in", "account", name)
		_ = c.Store.Discard(keystore.AccessTokens, name, data)
		return nil, nil
	}
	return &a, nil
}

// rebuildLabel reads the label of the account called name from the copy in its sealed entry and
// writes it back. The error says why it cannot.
func (c *Client) rebuildLabel(ctx context.Context, name string) (*accountEntry, error) {
	data, err := c.Store.Read(ctx, keystore.Secrets, name)
	if errors.Is(err, keystore.ErrKeyUnavailable) {
		return nil, fmt.Errorf("its label is lost, and its sealed entry cannot be read now: %w", err)
	}
	if err != nil {
		return nil, err
	}
	a, _, err := decodeKeptSignIn(data)
	switch {
	case err != nil:
		return nil, fmt.Errorf("its label is lost, and %w", err)
	case a.name() != name:
		return nil, errors.New("its label is lost, and its sealed entry holds another account's")
	}
	if data, err := json.Marshal(a); err == nil {
		if err := c.Store.Write(ctx, keystore.AccessTokens, name, data); err != nil {
			c.log().Debug("could not write back a rebuilt account label", "error", err)
		}
	}
	c.log().Debug("rebuilt an account label from its sealed entry", "account", a.UPN)
	return a, nil
}
