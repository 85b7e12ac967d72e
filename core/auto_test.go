package core_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// TestAutoPicks gives Auto more than one way to get a token each time and checks, at the fake,
// which one it took: the application's own credential (federated token, then certificate, then
// secret), then a username and password, then managed identity when the environment names an
// endpoint, then a person in the browser when one can be opened, at a device-code prompt if not.
func TestAutoPicks(t *testing.T) {
	t.Parallel()
	const bogusSecret = "a-secret-the-fake-does-not-know"
	userCred := core.Credential{Username: fakeentra.DefaultUser, Password: fakeentra.DefaultUserPassword}
	appService := func(w *world) {
		w.vars["IDENTITY_ENDPOINT"] = w.fake.AppServiceEndpoint()
		w.vars["IDENTITY_HEADER"] = w.fake.AppServiceHeader()
	}
	for _, c := range []struct {
		name string
		// prepare registers what the request needs and returns it.
		prepare func(t *testing.T, w *world) core.Request
		// took checks that the fake served the chosen method.
		took func(t *testing.T, w *world, tok *core.Token)
	}{
		{"federated token before certificate and secret", func(t *testing.T, w *world) core.Request {
			const subject = "system:serviceaccount:ci:runner"
			clientID := w.fake.NewFederatedApp("", w.fake.KubernetesIssuer(), subject)
			file := filepath.Join(t.TempDir(), "token")
			writeFile(t, file, []byte(w.fake.IssueServiceAccountToken(subject, fakeentra.FederationAudience)))
			return w.appRequest("", clientID, core.Resource(core.AzureDevOpsResource), entra.V2, core.Credential{
				FederatedTokenFile: file, CertificatePath: filepath.Join(t.TempDir(), "no-such.pem"), ClientSecret: bogusSecret,
			})
		}, func(t *testing.T, w *world, tok *core.Token) { wantGrant(t, w, "client_credentials") }},

		{"certificate before secret", func(t *testing.T, w *world) core.Request {
			clientID, certPEM, keyPEM := w.fake.NewCertificateApp("")
			file := filepath.Join(t.TempDir(), "app.pem")
			writeFile(t, file, append(append([]byte{}, certPEM...), keyPEM...))
			return w.appRequest("", clientID, core.Resource(core.AzureDevOpsResource), entra.V2,
				core.Credential{CertificatePath: file, ClientSecret: bogusSecret})
		}, func(t *testing.T, w *world, tok *core.Token) { wantGrant(t, w, "client_credentials") }},

		{"secret before password", func(t *testing.T, w *world) core.Request {
			clientID, secret := w.fake.NewServicePrincipal("")
			cred := userCred
			cred.ClientSecret = secret
			return w.appRequest("", clientID, core.Resource(core.AzureDevOpsResource), entra.V2, cred)
		}, func(t *testing.T, w *world, tok *core.Token) {
			wantGrant(t, w, "client_credentials")
			if tok.UPN != "" {
				t.Errorf("got a token for %s, want an app-only one", tok.UPN)
			}
		}},

		{"password before managed identity", func(t *testing.T, w *world) core.Request {
			appService(w)
			req := w.request("", core.Resource(core.AzureDevOpsResource))
			req.Credential = userCred
			return req
		}, func(t *testing.T, w *world, tok *core.Token) {
			wantGrant(t, w, "password")
			if n := w.fake.Count(fakeentra.EndpointAppService); n != 0 {
				t.Errorf("App Service's endpoint was asked %d times", n)
			}
		}},

		{"managed identity before a person", func(t *testing.T, w *world) core.Request {
			appService(w)
			return w.browserRequest(core.Resource(core.AzureDevOpsResource), func(context.Context, string) error {
				t.Error("a browser was opened although the environment has a managed identity")
				return nil
			})
		}, func(t *testing.T, w *world, tok *core.Token) {
			if n := w.fake.Count(fakeentra.EndpointAppService); n != 1 {
				t.Errorf("App Service's endpoint was asked %d times, want once", n)
			}
		}},

		{"browser when one can be opened", func(t *testing.T, w *world) core.Request {
			browser := newBrowserDriver(t, w.fake, fakeentra.DefaultUser, fakeentra.DefaultUserPassword)
			return w.browserRequest(core.Resource(core.AzureDevOpsResource), browser.open)
		}, func(t *testing.T, w *world, tok *core.Token) {
			wantGrant(t, w, "authorization_code")
			if n := w.fake.Count(fakeentra.EndpointDeviceCode); n != 0 {
				t.Errorf("a device code was asked for although a browser could be opened")
			}
		}},

		{"device code otherwise", func(t *testing.T, w *world) core.Request {
			w.approveAs(fakeentra.DefaultUser)
			return w.request("", core.Resource(core.AzureDevOpsResource))
		}, func(t *testing.T, w *world, tok *core.Token) {
			if n := w.fake.Count(fakeentra.EndpointDeviceCode); n != 1 {
				t.Errorf("%d device codes, want 1", n)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, fakeentra.Options{}, nil)
			req := c.prepare(t, w)
			req.Method = core.Auto
			tok := acquire(t, w.client(), req)
			w.checkToken(tok, core.AzureDevOpsResource, labels{tenantID: fakeentra.DefaultTenant})
			c.took(t, w, tok)
		})
	}
}

func TestAutoWithNobodyToAsk(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	req := w.request(core.Auto, core.Resource(core.AzureDevOpsResource))
	req.Interaction = core.Interaction{Allowed: false, SignInCommand: "kubectl aad login"}
	_, err := w.client().Acquire(context.Background(), req)
	if !errors.Is(err, core.ErrInteractionRequired) {
		t.Fatalf("got %v, want core.ErrInteractionRequired", err)
	}
	wantError(t, err, "`kubectl aad login`")
	if n := len(w.fake.Requests()); n != 0 {
		t.Errorf("the fake saw %d requests", n)
	}
}

// wantGrant checks that the fake issued exactly one token, by the given grant.
func wantGrant(t *testing.T, w *world, grantType string) {
	t.Helper()
	got := grants(w.fake)
	if len(got) != 1 || got[grantType] != 1 {
		t.Errorf("the fake issued tokens by %v, want one by %s", got, grantType)
	}
}
