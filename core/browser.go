package core

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/aadcred/aadcred/core/entra"
)

// browser signs a person in with the authorization-code flow: a loopback listener on 127.0.0.1
// receives the redirect, PKCE binds the code to this process, and the state binds the redirect to
// this sign-in. The browser is opened through Interaction.OpenBrowser, or the URL is printed for
// the person to open.
func (c *Client) browser(ctx context.Context, r *settled) (*Token, error) {
	if !r.Interaction.Allowed {
		return nil, r.needPerson()
	}
	ctx, cancel := context.WithTimeout(ctx, r.Interaction.Timeout)
	defer cancel()

	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(r.Interaction.RedirectPort)))
	if err != nil {
		return nil, fmt.Errorf("listening on 127.0.0.1 for the sign-in redirect: %w", err)
	}
	// Entra matches http://localhost registrations on any port; first-party clients such as the
	// Azure CLI's are registered that way, not with 127.0.0.1.
	redirectURI := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	flow, err := c.authCodeURL(r, redirectURI)
	if err != nil {
		ln.Close()
		return nil, err
	}

	answers := make(chan redirectAnswer, 1)
	srv := &http.Server{Handler: redirectHandler(flow.State, answers), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer func() {
		// Let the page that says "signed in" reach the browser before the listener goes.
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if srv.Shutdown(shutdown) != nil {
			srv.Close()
		}
	}()

	c.sendPersonToBrowser(ctx, r.Interaction, flow.URL)
	deadline, _ := ctx.Deadline()
	return c.waitForPerson(ctx, r, deadline, func() (*Token, error) {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("browser sign-in: %w", ctx.Err())
		case a := <-answers:
			if a.err != nil {
				return nil, fmt.Errorf("browser sign-in: %w", a.err)
			}
			return c.redeemCode(ctx, r, flow, a.code, flow.State)
		}
	})
}

// sendPersonToBrowser opens the sign-in page and always tells the person where it is, in case the
// browser did not come up (remote sessions, a browser on another desktop). The opener runs on its
// own: some launchers return only when the browser window closes, and the sign-in must go on
// (and time out) meanwhile.
func (c *Client) sendPersonToBrowser(ctx context.Context, in Interaction, signInURL string) {
	fmt.Fprint(in.Prompt, browserInstructions(in.Purpose, signInURL, in.OpenBrowser != nil))
	if in.OpenBrowser == nil {
		return
	}
	go func() {
		// The browser outlives the sign-in that opened it.
		if err := in.OpenBrowser(context.WithoutCancel(ctx), signInURL); err != nil {
			fmt.Fprintf(in.Prompt, "Could not open a browser (%v); open the address above yourself.\n", err)
		}
	}()
}

// redirectAnswer is what the loopback listener received: a code, or the service's error.
type redirectAnswer struct {
	code string
	err  error
}

// redirectHandler serves the loopback redirect. It accepts the code in the query (response_mode
// query) and in a form body (form_post), ignores requests whose state is not this sign-in's (a
// page elsewhere cannot end the sign-in for us), and reports the first real answer.
func redirectHandler(state string, answers chan<- redirectAnswer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/" {
			http.NotFound(w, req)
			return
		}
		if req.Method != http.MethodGet && req.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		req.Body = http.MaxBytesReader(w, req.Body, 64<<10)
		if err := req.ParseForm(); err != nil {
			http.Error(w, "malformed sign-in answer", http.StatusBadRequest)
			return
		}
		if req.Form.Get("state") != state {
			renderResult(w, http.StatusBadRequest, pageData{Title: "Sign-in not accepted", Detail: "This answer does not belong to the sign-in in progress. Start the sign-in again from your terminal."})
			return
		}
		var a redirectAnswer
		if code := req.Form.Get("error"); code != "" {
			e := entra.RedirectError(code, req.Form.Get("error_description"))
			a.err = e
			renderResult(w, http.StatusForbidden, pageData{Title: "Sign-in failed", Detail: e.Error(), Failed: true})
		} else if a.code = req.Form.Get("code"); a.code == "" {
			a.err = errors.New("the sign-in answer carries neither a code nor an error")
			renderResult(w, http.StatusBadRequest, pageData{Title: "Sign-in failed", Detail: "The answer carried no authorization code.", Failed: true})
		} else {
			renderResult(w, http.StatusOK, pageData{Title: "Signed in", Detail: "You are signed in and can return to your terminal."})
		}
		select {
		case answers <- a:
		default: // an answer was already taken; this one is a reload
		}
	})
}

type pageData struct {
	Title  string
	Detail string
	Failed bool
}

// renderResult writes the page the person sees after the redirect. The service's error text is
// HTML-escaped: it arrives in the redirect's query, where anyone could have put anything.
func renderResult(w http.ResponseWriter, status int, data pageData) {
	color := "#222"
	if data.Failed {
		color = "#a00"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aadcred: %[1]s</title>
<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}
h1{font-size:1.4em;color:%[3]s}</style></head>
<body><h1>%[1]s</h1><p>%[2]s</p><p>You can close this tab.</p></body></html>
`, html.EscapeString(data.Title), html.EscapeString(data.Detail), color)
}
