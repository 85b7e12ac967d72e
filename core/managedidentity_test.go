package core_test

import (
	"context"
	"testing"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/managedidentity"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

func TestManagedIdentityIMDS(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	user := fakeentra.ManagedIdentity{
		ClientID:   "0defa017-0000-4000-8000-0000000000c1",
		ObjectID:   "0defa017-0000-4000-8000-0000000000b1",
		ResourceID: "/subscriptions/00000000-0000-4000-8000-00000000005b/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer",
	}
	if err := w.fake.AddManagedIdentity(user); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		id       managedidentity.ID
		objectID string
	}{
		{"system-assigned", managedidentity.ID{}, fakeentra.SystemIdentityObjectID},
		{"by client ID", managedidentity.ID{ClientID: user.ClientID}, user.ObjectID},
		{"by object ID", managedidentity.ID{ObjectID: user.ObjectID}, user.ObjectID},
		{"by resource ID", managedidentity.ID{ResourceID: user.ResourceID}, user.ObjectID},
	} {
		// Managed identity is a v1 protocol: a scope is sent as the resource before /.default.
		for _, tc := range []struct {
			target   core.Target
			audience string
		}{
			{core.Resource("https://management.azure.com/"), "https://management.azure.com/"},
			{core.Scope("https://management.core.windows.net//.default"), "https://management.core.windows.net/"},
		} {
			target, audience := tc.target, tc.audience
			req := w.request(core.ManagedIdentity, target)
			req.Credential.ManagedIdentity = c.id
			req.NoCache = true
			tok, err := w.uncachedClient().Acquire(context.Background(), req)
			if err != nil {
				t.Errorf("%s, %s: %v", c.name, target, err)
				continue
			}
			claims := w.checkToken(tok, audience, labels{tenantID: fakeentra.DefaultTenant, objectID: c.objectID})
			if claims.IdentityType != "app" {
				t.Errorf("%s: idtyp %q, want app", c.name, claims.IdentityType)
			}
		}
	}
	if n := w.fake.Count(fakeentra.EndpointIMDS); n != 8 {
		t.Errorf("IMDS was asked %d times, want 8", n)
	}

	req := w.request(core.ManagedIdentity, core.Resource("https://management.azure.com/"))
	req.Credential.ManagedIdentity = managedidentity.ID{ClientID: "0defa017-0000-4000-8000-0000000000ff"}
	_, err := w.uncachedClient().Acquire(context.Background(), req)
	wantError(t, err, "Identity not found")
}

func TestManagedIdentityPlatforms(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	for _, c := range []struct {
		source managedidentity.Source
		vars   map[string]string
		kind   string
		want   labels
	}{
		{managedidentity.AppService, map[string]string{
			"IDENTITY_ENDPOINT": w.fake.AppServiceEndpoint(), "IDENTITY_HEADER": w.fake.AppServiceHeader(),
		}, fakeentra.EndpointAppService, labels{objectID: fakeentra.SystemIdentityObjectID}},
		// Cloud Shell's identity is the signed-in person.
		{managedidentity.CloudShell, map[string]string{
			"MSI_ENDPOINT": w.fake.CloudShellEndpoint(),
		}, fakeentra.EndpointCloudShell, alice},
		{managedidentity.AzureArc, map[string]string{
			"IDENTITY_ENDPOINT": w.fake.ArcEndpoint(), "IMDS_ENDPOINT": "http://127.0.0.1:1",
			"AADCRED_ARC_TOKENS_DIR": w.fake.ArcKeyDir(),
		}, fakeentra.EndpointArc, labels{objectID: fakeentra.SystemIdentityObjectID}},
	} {
		t.Run(string(c.source), func(t *testing.T) {
			w.fake.ResetCounts()
			client := w.uncachedClient()
			client.Getenv = func(name string) string {
				if v, ok := c.vars[name]; ok {
					return v
				}
				return w.vars[name]
			}
			req := w.request(core.ManagedIdentity, core.Resource(fakeentra.KeyVaultResource))
			req.NoCache = true
			tok := acquire(t, client, req)
			c.want.tenantID = fakeentra.DefaultTenant
			w.checkToken(tok, fakeentra.KeyVaultResource, c.want)
			if n := w.fake.Count(c.kind); n == 0 {
				t.Errorf("the %s endpoint was never asked", c.kind)
			}
			if n := w.fake.Count(fakeentra.EndpointIMDS); n != 0 {
				t.Errorf("IMDS was asked %d times on %s", n, c.source)
			}
		})
	}
}

// TestManagedIdentityCached caches each identity's token apart: a user-assigned identity is
// never answered with the system identity's token.
func TestManagedIdentityCached(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	user := fakeentra.ManagedIdentity{
		ClientID:   "0defa017-0000-4000-8000-0000000000c2",
		ObjectID:   "0defa017-0000-4000-8000-0000000000b2",
		ResourceID: "/subscriptions/00000000-0000-4000-8000-00000000005b/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/builder",
	}
	if err := w.fake.AddManagedIdentity(user); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		for _, c := range []struct {
			id       managedidentity.ID
			objectID string
		}{
			{managedidentity.ID{}, fakeentra.SystemIdentityObjectID},
			{managedidentity.ID{ClientID: user.ClientID}, user.ObjectID},
			{managedidentity.ID{ResourceID: user.ResourceID}, user.ObjectID},
		} {
			req := w.request(core.ManagedIdentity, core.Resource(core.ContainerRegistryResource))
			req.Credential.ManagedIdentity = c.id
			w.checkToken(acquire(t, w.client(), req), core.ContainerRegistryResource, labels{objectID: c.objectID})
		}
	}
	if n := w.fake.Count(fakeentra.EndpointIMDS); n != 3 {
		t.Errorf("IMDS was asked %d times for 3 identities asked twice, want 3", n)
	}
}
