package core_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// pipelinesRequest is an Azure Pipelines job's request for an AKS token through a service
// connection that federates with a new app.
func (w *world) pipelinesRequest(t *testing.T) (core.Request, string) {
	t.Helper()
	clientID, connection := w.fake.NewAzurePipelinesConnection(fakeentra.DefaultTenant, "aks-deploy")
	uri, accessToken := w.fake.AzurePipelinesJob()
	req := w.request(core.AzurePipelines, core.Scope(fakeentra.AKSServerAppID+"/.default"))
	req.Tenant, req.ClientID = fakeentra.DefaultTenant, clientID
	req.Credential = core.Credential{AzurePipelinesServiceConnectionID: connection,
		AzurePipelinesOIDCRequestURI: uri, AzurePipelinesAccessToken: accessToken}
	return req, clientID
}

func TestAzurePipelines(t *testing.T) {
	t.Parallel()
	clock := fakeentra.NewClock(time.Time{})
	w := newWorld(t, fakeentra.Options{}, clock)
	req, clientID := w.pipelinesRequest(t)
	tok := acquire(t, w.client(), req)
	if claims := w.checkToken(tok, fakeentra.AKSServerAppID, labels{tenantID: fakeentra.DefaultTenant}); claims.AppID != clientID {
		t.Errorf("the token is for %q, want the service connection's app %q", claims.AppID, clientID)
	}
	acquire(t, w.client(), req)
	if n := w.fake.Count(fakeentra.EndpointAzurePipelines); n != 1 {
		t.Errorf("the pipeline was asked %d times for a cached token, want once", n)
	}

	// Every new Entra token needs a new OIDC token: the pipeline's last ten minutes.
	clock.Advance(2 * time.Hour)
	acquire(t, w.client(), req)
	if n := w.fake.Count(fakeentra.EndpointAzurePipelines); n != 2 {
		t.Errorf("the pipeline was asked %d times for two Entra tokens, want twice", n)
	}

	// Auto picks the service connection when the job's variables name one.
	req.Method = core.Auto
	req.NoCache = true
	acquire(t, w.uncachedClient(), req)
	if n := w.fake.Count(fakeentra.EndpointAzurePipelines); n != 3 {
		t.Errorf("auto did not use the service connection")
	}
}

func TestAzurePipelinesFailures(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	good, _ := w.pipelinesRequest(t)
	for _, tc := range []struct {
		name   string
		change func(*core.Credential)
		want   string
	}{
		{"no connection", func(c *core.Credential) { c.AzurePipelinesServiceConnectionID = "" }, "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"},
		{"not in a job", func(c *core.Credential) { c.AzurePipelinesOIDCRequestURI = "" }, "SYSTEM_OIDCREQUESTURI is not set"},
		{"no access token", func(c *core.Credential) { c.AzurePipelinesAccessToken = "" }, "$(System.AccessToken)"},
		{"plain http", func(c *core.Credential) {
			c.AzurePipelinesOIDCRequestURI = strings.Replace(c.AzurePipelinesOIDCRequestURI, "https://127.0.0.1", "http://dev.azure.invalid", 1)
		}, "must use https"},
		{"wrong access token", func(c *core.Credential) { c.AzurePipelinesAccessToken = "expired" }, "TF400813"},
		{"unknown connection", func(c *core.Credential) { c.AzurePipelinesServiceConnectionID = "0000" }, "was not found"},
	} {
		req := good
		tc.change(&req.Credential)
		_, err := w.uncachedClient().Acquire(context.Background(), req)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
		noSecrets(t, err, good.Credential.AzurePipelinesAccessToken)
	}
	if n := w.fake.TokenRequests(); n != 0 {
		t.Errorf("failed pipeline requests reached the token endpoint %d times", n)
	}
}
