package cli

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aadcred/aadcred/cmd/internal/columns"
	"github.com/aadcred/aadcred/core"
)

// The text of status and cache list is laid out for 80 columns: a value that does not fit is
// wrapped under itself, never into the next column, and what a person copies (a path, a command)
// is never broken. The JSON of status --output json holds every field in full.

// dateTime is how status shows a moment: to the minute, in local time.
const dateTime = "2006-01-02 15:04"

// writeText writes the report for a person.
func (r *statusReport) writeText(out io.Writer, now time.Time, tool Tool) error {
	var p page
	for _, f := range [][2]string{
		{"Version:", r.Program + " " + r.Version},
		{"Token store:", r.Store},
		{"Access:", r.Access},
		{"Protection:", r.Protection},
	} {
		p.field("", 14, f[0], f[1])
	}

	p.line("")
	p.line("Signed-in accounts:")
	if len(r.Accounts) == 0 {
		p.line("  none (run " + tool.SignInCommand + ")")
	}
	for _, a := range r.Accounts {
		r.writeAccount(&p, a)
	}

	p.line("")
	writeTokens(&p, r.Tokens, now, tool)

	if len(r.Quarantined) > 0 {
		p.line("")
		p.line("Quarantined (could not be opened; kept 7 days, or until logout --all):")
		for _, q := range r.Quarantined {
			p.line("  " + q.Path)
			p.wrapped("    from "+q.From+", since "+q.Since.Local().Format(dateTime), 6)
		}
	}
	return p.flush(out)
}

// writeAccount is a kept sign-in: a title line that says who and in what state, then one line
// for each of its facts.
func (r *statusReport) writeAccount(p *page, a statusAccount) {
	const indent, label = "    ", 8
	switch a.State {
	case stateUnreadable:
		p.line("  an account that cannot be read")
		p.field(indent, label, "why", a.Reason)
		return
	case stateNeedsSignIn:
		p.line("  " + orUnknown(a.UPN) + ", needs sign-in")
		p.field(indent, label, "why", a.Reason)
		p.line(indent + pad("run", label) + a.SignInCommand) // whole, to be copied
	default:
		p.wrapped("  "+orUnknown(a.UPN)+", signed in "+a.SignedIn.Local().Format(dateTime), 4)
	}
	p.field(indent, label, "tenant", a.TenantID)
	client := a.ClientID
	if strings.EqualFold(client, core.AzureCLIClientID) {
		client += " (Azure CLI)"
	}
	p.field(indent, label, "client", client)
}

// writeTokens is the cached tokens, as status and cache list show them: grouped by the account
// and tenant they are for, each with the ID that cache delete takes (shortened), when it expires
// and what it is for.
func writeTokens(p *page, tokens []statusToken, now time.Time, tool Tool) {
	if len(tokens) == 0 {
		p.line("Cached tokens: none")
		return
	}
	p.line("Cached tokens (`" + tool.Command("cache", "delete", "ID") + "` removes one):")
	ids := make([]string, len(tokens))
	for i, t := range tokens {
		ids[i] = t.ID
	}
	short := shortIDs(ids)
	for _, g := range groupTokens(tokens) {
		for _, h := range g.heading() {
			p.line("  " + h)
		}
		idWidth, expiresWidth := 0, 0
		for _, t := range g.tokens {
			idWidth = max(idWidth, len(short[t.ID]))
			expiresWidth = max(expiresWidth, utf8.RuneCountInString(expiry(t, now)))
		}
		for _, t := range g.tokens {
			row := "    " + pad(short[t.ID], idWidth+2) + pad(expiry(t, now), expiresWidth+2)
			p.wrapped(row+t.what(), utf8.RuneCountInString(row))
		}
	}
}

// tokenGroup is the cached tokens of one account in one tenant, or of a tenant alone (an
// application's tokens, an organisation's note), or of neither.
type tokenGroup struct {
	upn, tenant string
	tokens      []statusToken
}

// groupTokens groups the tokens, keeping their order within a group: the users' groups first, by
// name, then the tenants', then the rest.
func groupTokens(tokens []statusToken) []*tokenGroup {
	var groups []*tokenGroup
	for _, t := range tokens {
		i := slices.IndexFunc(groups, func(g *tokenGroup) bool {
			return strings.EqualFold(g.upn, t.UPN) && strings.EqualFold(g.tenant, t.TenantID)
		})
		if i < 0 {
			i = len(groups)
			groups = append(groups, &tokenGroup{upn: t.UPN, tenant: t.TenantID})
		}
		groups[i].tokens = append(groups[i].tokens, t)
	}
	rank := func(g *tokenGroup) int {
		switch {
		case g.upn != "":
			return 0
		case g.tenant != "":
			return 1
		}
		return 2
	}
	slices.SortStableFunc(groups, func(a, b *tokenGroup) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(strings.ToLower(a.upn), strings.ToLower(b.upn)),
			cmp.Compare(strings.ToLower(a.tenant), strings.ToLower(b.tenant)))
	})
	return groups
}

// heading names the group in one line, or two where one would not fit.
func (g *tokenGroup) heading() []string {
	switch {
	case g.upn == "" && g.tenant == "":
		return []string{"no account or tenant"}
	case g.upn == "":
		return []string{"tenant " + g.tenant + ", no user"}
	case g.tenant == "":
		return []string{g.upn}
	}
	if one := g.upn + " in tenant " + g.tenant; utf8.RuneCountInString(one) <= columns.Width-2 {
		return []string{one}
	}
	return []string{g.upn, "in tenant " + g.tenant}
}

// what says what a cached token is for, and what kind of entry it is when it is not a user's
// access token.
func (t statusToken) what() string {
	switch {
	case t.Kind == "user":
		return t.Target
	case strings.HasPrefix(t.Target, "("): // "(cannot be read now)"
		return t.Kind + " " + t.Target
	}
	return t.Target + " (" + t.Kind + ")"
}

// expiry says when the token expires, from now.
func expiry(t statusToken, now time.Time) string {
	if t.ExpiresOn.IsZero() {
		return "never" // an organisation note
	}
	return timeUntil(t.ExpiresOn, now)
}

// timeUntil says how long until t, for people, to the minute: "in 59m", "in 2h5m", "in 3d4h".
func timeUntil(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d <= 0:
		return "expired"
	case d < time.Minute:
		return "in <1m"
	}
	d = d.Round(time.Minute)
	days, hours, minutes := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var b strings.Builder
	b.WriteString("in ")
	if days > 0 {
		fmt.Fprintf(&b, "%dd", days)
	}
	if hours > 0 {
		fmt.Fprintf(&b, "%dh", hours)
	}
	if minutes > 0 && days == 0 {
		fmt.Fprintf(&b, "%dm", minutes)
	}
	return b.String()
}

// shortIDs shortens each ID as git shortens commit names: to the fewest characters that no other
// ID starts with, and at least seven past the start that every entry of its kind shares ("t",
// "g", "docker-acr-"). cache delete takes the short ID as well as the whole one.
func shortIDs(ids []string) map[string]string {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		n := min(len(id), kindPrefixLen(id)+7)
		for n < len(id) && slices.ContainsFunc(ids, func(o string) bool { return o != id && strings.HasPrefix(o, id[:n]) }) {
			n++
		}
		out[id] = id[:n]
	}
	return out
}

// kindPrefixLen is the length of the start of an entry's name that says what kind of entry it is:
// a registry token's prefix, or the letters before the hash.
func kindPrefixLen(id string) int {
	if strings.HasPrefix(id, core.RegistryTokenPrefix) {
		return len(core.RegistryTokenPrefix)
	}
	return len(id) - len(strings.TrimLeft(id, "ghijklmnopqrstuvwxyz"))
}

// pad is s followed by spaces to width columns.
func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(width-utf8.RuneCountInString(s), 0))
}

// page collects the lines of a screen of text.
type page struct{ lines []string }

func (p *page) line(s string) { p.lines = append(p.lines, s) }

// wrapped adds s, wrapped at the screen's width with indent spaces before each line after the
// first.
func (p *page) wrapped(s string, indent int) {
	p.lines = append(p.lines, columns.Wrap(s, columns.Width, indent)...)
}

// field adds "label  value" at indent, the value wrapped under itself.
func (p *page) field(indent string, width int, label, value string) {
	p.wrapped(indent+pad(label, width)+value, len(indent)+width)
}

func (p *page) flush(out io.Writer) error {
	_, err := io.WriteString(out, strings.Join(p.lines, "\n")+"\n")
	return err
}
