package core_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// browserDriver stands in for a person at a browser. Its open method is an
// Interaction.OpenBrowser: it loads the sign-in page with the fake's TLS trust, fills in the
// sign-in form when one is shown, and delivers the answer to the loopback listener the way a
// browser does: by following the redirect (response_mode=query) or by submitting the page's
// hidden form (form_post).
type browserDriver struct {
	t        *testing.T
	client   *http.Client
	upn      string
	password string
	// before, when set, runs with the loopback redirect URI before the sign-in starts.
	before func(redirectURI string)

	mu       sync.Mutex
	opened   []string // every URL it was asked to open
	lastPage page     // the page the loopback listener answered with
}

// page is what the browser ended up showing.
type page struct {
	status int
	body   string
}

func newBrowserDriver(t *testing.T, fake *fakeentra.Server, upn, password string) *browserDriver {
	return &browserDriver{t: t, client: fake.HTTPClient(), upn: upn, password: password}
}

func (d *browserDriver) open(ctx context.Context, signInURL string) error {
	d.mu.Lock()
	d.opened = append(d.opened, signInURL)
	d.mu.Unlock()
	if d.before != nil {
		d.before(queryOf(d.t, signInURL).Get("redirect_uri"))
	}
	p, err := d.visit(ctx, http.MethodGet, signInURL, nil)
	if err != nil {
		return err
	}
	if form, ok := parseForm(p.body, "signin"); ok {
		form.values.Set("login", d.upn)
		form.values.Set("passwd", d.password)
		if p, err = d.visit(ctx, http.MethodPost, resolve(signInURL, form.action), form.values); err != nil {
			return err
		}
	}
	if form, ok := parseForm(p.body, "hiddenform"); ok {
		if p, err = d.visit(ctx, http.MethodPost, form.action, form.values); err != nil {
			return err
		}
	}
	d.mu.Lock()
	d.lastPage = p
	d.mu.Unlock()
	return nil
}

// visit loads a page, following redirects as a browser does.
func (d *browserDriver) visit(ctx context.Context, method, target string, form url.Values) (page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return page{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return page{}, fmt.Errorf("browser: %s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return page{}, fmt.Errorf("browser: reading %s: %w", target, err)
	}
	return page{status: resp.StatusCode, body: string(data)}, nil
}

// page is the last page the browser showed. The browser is opened on its own goroutine, so it
// may still be loading the loopback's answer when the sign-in returns: wait a little for it.
func (d *browserDriver) page() page {
	deadline := time.Now().Add(5 * time.Second)
	for {
		d.mu.Lock()
		p := d.lastPage
		d.mu.Unlock()
		if p.status != 0 || time.Now().After(deadline) {
			return p
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (d *browserDriver) urls() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.opened...)
}

// htmlForm is a form found on a page.
type htmlForm struct {
	action string
	values url.Values
}

var (
	formTag     = regexp.MustCompile(`<form ([^>]*)>`)
	attribute   = regexp.MustCompile(`(\w+)="([^"]*)"`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// parseForm finds the form with the given id or name on the fake's pages, which are plain
// templates, and reads its action and hidden inputs.
func parseForm(body, idOrName string) (htmlForm, bool) {
	for _, m := range formTag.FindAllStringSubmatchIndex(body, -1) {
		attrs := map[string]string{}
		for _, a := range attribute.FindAllStringSubmatch(body[m[2]:m[3]], -1) {
			attrs[a[1]] = html.UnescapeString(a[2])
		}
		if attrs["id"] != idOrName && attrs["name"] != idOrName {
			continue
		}
		rest := body[m[1]:]
		if end := strings.Index(rest, "</form>"); end >= 0 {
			rest = rest[:end]
		}
		f := htmlForm{action: attrs["action"], values: url.Values{}}
		for _, in := range hiddenInput.FindAllStringSubmatch(rest, -1) {
			f.values.Add(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
		}
		return f, true
	}
	return htmlForm{}, false
}

// resolve makes a form action absolute against the page it was on.
func resolve(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}
