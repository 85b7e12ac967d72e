package fakeentra

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
)

// The pages are plain HTML forms so that both a headless browser and a Go http.Client that
// posts the form can drive them. Element names follow Entra's sign-in page (login, passwd).
var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.}}</title></head><body>{{end}}

{{define "signin"}}{{template "head" "Sign in to your account"}}
<h1>Sign in</h1>
{{if .Message}}<p id="error" role="alert">{{.Message}}</p>{{end}}
<form id="signin" method="post" action="/{{.Tenant}}/login">
<input type="hidden" name="ctx" value="{{.Ctx}}">
<label>Email <input type="email" id="login" name="login" value="{{.LoginHint}}" autocomplete="username" required></label>
<label>Password <input type="password" id="passwd" name="passwd" autocomplete="current-password" required></label>
<button type="submit" id="submit">Sign in</button>
</form></body></html>{{end}}

{{define "formpost"}}{{template "head" "Working..."}}
<form method="post" name="hiddenform" action="{{.Action}}">
{{range $k, $vs := .Values}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">
{{end}}{{end}}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript>
</form>
<script>document.forms.hiddenform.submit();</script>
</body></html>{{end}}

{{define "error"}}{{template "head" "Sign in error"}}
<h1>Sorry, but we're having trouble signing you in.</h1>
<p id="error">{{.}}</p>
</body></html>{{end}}

{{define "devicelogin"}}{{template "head" "Enter code"}}
<h1>Enter code</h1>
{{if .Message}}<p id="error" role="alert">{{.Message}}</p>{{end}}
<form id="devicelogin" method="post" action="/devicelogin">
<label>Code <input type="text" id="otc" name="otc" value="{{.UserCode}}" required></label>
<label>Email <input type="email" id="login" name="login" autocomplete="username" required></label>
<label>Password <input type="password" id="passwd" name="passwd" autocomplete="current-password" required></label>
<button type="submit" name="decision" value="approve" id="submit">Sign in</button>
<button type="submit" name="decision" value="decline" id="decline">Cancel</button>
</form></body></html>{{end}}

{{define "devicedone"}}{{template "head" "Done"}}
<h1 id="done">{{.}}</h1>
<p>You may now close this window.</p>
</body></html>{{end}}
`))

// renderPage writes one of the templates.
func (s *Server) renderPage(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		s.logf("fakeentra: rendering %s page: %v", name, err)
	}
}

func (s *Server) signInPage(w http.ResponseWriter, status int, tenant, ctx, loginHint, message string) {
	s.renderPage(w, status, "signin", struct{ Tenant, Ctx, LoginHint, Message string }{tenant, ctx, loginHint, message})
}

func (s *Server) formPostPage(w http.ResponseWriter, action string, values url.Values) {
	s.renderPage(w, http.StatusOK, "formpost", struct {
		Action string
		Values url.Values
	}{action, values})
}

// errorPage shows an error that cannot be sent to the redirect URI.
func (s *Server) errorPage(w http.ResponseWriter, status int, err error) {
	text := err.Error()
	var oe *oauthError
	if errors.As(err, &oe) {
		text = oe.e.Error + ": AADSTS" + strconv.Itoa(oe.e.Code) + ": " + oe.e.Description
	}
	s.renderPage(w, status, "error", text)
}
