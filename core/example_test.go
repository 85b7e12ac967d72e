package core_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/keystore"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// The examples talk to a fake Entra ID on loopback; a program leaves AuthorityHost empty (or
// names its cloud's) and HTTPClient nil.

func ExampleClient_Acquire() {
	fake := startFake()
	defer fake.Close()
	clientID, secret := fake.NewServicePrincipal("")

	client := &core.Client{HTTPClient: fake.HTTPClient(), Getenv: noEnvironment}
	tok, err := client.Acquire(context.Background(), core.Request{
		AuthorityHost: fake.URL(),
		Tenant:        fakeentra.DefaultTenant,
		ClientID:      clientID,
		Method:        core.ClientSecret,
		Credential:    core.Credential{ClientSecret: secret},
		Target:        core.Resource(core.AzureDevOpsResource),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.TokenType, "token for", tok.Audience, "in tenant", tok.TenantID)
	// Output: Bearer token for 499b84ac-1321-427f-aa17-267ca6975798 in tenant aadc0de0-7e57-4e7a-9c1d-5f0c0de0fa4e
}

// One sign-in, kept in the store, serves every tool afterwards without asking again.
func ExampleClient_SignIn() {
	fake := startFake()
	defer fake.Close()
	fake.AutoApproveDeviceCodes(fakeentra.DefaultUser) // the person approves on their phone

	dir, err := os.MkdirTemp("", "aadcred-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := keystore.Open(keystore.Options{Dir: filepath.Join(dir, "cache"), Backend: "file"})
	if err != nil {
		log.Fatal(err)
	}
	client := &core.Client{HTTPClient: fake.HTTPClient(), Getenv: noEnvironment, Store: store}

	// The login command: a person is asked, here with a device code.
	_, err = client.SignIn(context.Background(), core.Request{
		AuthorityHost: fake.URL(),
		Method:        core.DeviceCode,
		Target:        core.Resource(core.AzureDevOpsResource),
		Interaction:   core.Interaction{Allowed: true, Prompt: io.Discard}, // a terminal in real life
	})
	if err != nil {
		log.Fatal(err)
	}

	// Every later request, for any resource, is answered without a person.
	for _, resource := range []string{core.ContainerRegistryResource, core.AKSServerID} {
		tok, err := client.Acquire(context.Background(), core.Request{
			AuthorityHost: fake.URL(),
			Target:        core.Resource(resource),
			Interaction:   core.Interaction{Allowed: false, SignInCommand: "aadcred login"},
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(tok.Audience, "for", tok.UPN)
	}
	// Output:
	// https://containerregistry.azure.net for alice@contoso.onmicrosoft.com
	// 6dae42f8-4368-4678-94ff-3960e28e3630 for alice@contoso.onmicrosoft.com
}

// A program that shows the device code in its own user interface.
func ExampleClient_StartDeviceCode() {
	fake := startFake()
	defer fake.Close()
	fake.AutoApproveDeviceCodes(fakeentra.DefaultUser)

	client := &core.Client{HTTPClient: fake.HTTPClient(), Getenv: noEnvironment}
	req := core.Request{AuthorityHost: fake.URL(), Target: core.Resource(core.AzureDevOpsResource)}
	flow, err := client.StartDeviceCode(context.Background(), req)
	if err != nil {
		log.Fatal(err)
	}
	// Show flow.Message, or flow.VerificationURI and flow.UserCode, to the person; then wait.
	tok, err := client.PollDeviceCode(context.Background(), flow)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in as", tok.UPN)
	// Output: signed in as alice@contoso.onmicrosoft.com
}

// A web app signs a person in with the authorization-code flow: it sends the browser to the
// sign-in page and redeems the code that comes back to its redirect URI.
func ExampleClient_AuthCodeURL() {
	fake := startFake()
	defer fake.Close()

	client := &core.Client{HTTPClient: fake.HTTPClient(), Getenv: noEnvironment}
	req := core.Request{AuthorityHost: fake.URL(), Target: core.Scope("https://graph.microsoft.com/User.Read")}
	// The Azure CLI's client is registered with http://localhost; a web app names its own.
	flow, err := client.AuthCodeURL(req, "http://localhost:8400")
	if err != nil {
		log.Fatal(err)
	}
	// Keep flow on the server side and redirect the browser to flow.URL. The service sends it
	// back to the redirect URI with a code and the state.
	code, state := browseTo(fake, flow.URL)
	tok, err := client.RedeemCode(context.Background(), req, flow, code, state)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in as", tok.UPN, "with a token for", tok.Audience)
	// Output: signed in as alice@contoso.onmicrosoft.com with a token for https://graph.microsoft.com
}

// startFake starts a fake Entra ID that answers device-code polls every second.
func startFake() *fakeentra.Server {
	key, err := signingKey()
	if err != nil {
		log.Fatal(err)
	}
	fake, err := fakeentra.Start(fakeentra.Options{SigningKey: key, DeviceCodeInterval: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	return fake
}

// noEnvironment keeps the examples from reading the machine's AZURE_* variables.
func noEnvironment(string) string { return "" }

// browseTo plays the person's browser: alice signs in at authorizeURL, and the redirect's code
// and state are read instead of followed.
func browseTo(fake *fakeentra.Server, authorizeURL string) (code, state string) {
	if err := fake.SetBrowserUser(fakeentra.DefaultUser); err != nil {
		log.Fatal(err)
	}
	browser := *fake.HTTPClient()
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := browser.Get(authorizeURL)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		log.Fatalf("the sign-in page answered %s, not a redirect", resp.Status)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		log.Fatal(err)
	}
	return back.Query().Get("code"), back.Query().Get("state")
}
