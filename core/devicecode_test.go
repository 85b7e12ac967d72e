package core_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// approveAs makes the fake approve every device code as upn, as a person would on another device.
func (w *world) approveAs(upn string) {
	w.fake.OnDeviceCode(func(info fakeentra.DeviceCodeInfo) {
		if err := w.fake.ApproveDeviceCode(info.UserCode, upn); err != nil {
			w.t.Errorf("approving device code: %v", err)
		}
	})
}

// deviceCodeRequest is a device-code sign-in whose instructions go to prompt.
func (w *world) deviceCodeRequest(target core.Target, prompt io.Writer) core.Request {
	req := w.request(core.DeviceCode, target)
	req.Interaction.Prompt = prompt
	return req
}

func TestDeviceCode(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		w := newWorld(t, fakeentra.Options{}, nil)
		var userCode string
		w.fake.OnDeviceCode(func(info fakeentra.DeviceCodeInfo) {
			userCode = info.UserCode
			if err := w.fake.ApproveDeviceCode(info.UserCode, fakeentra.DefaultUser); err != nil {
				t.Errorf("approving: %v", err)
			}
		})
		prompt := newPromptRecorder()
		req := w.deviceCodeRequest(core.Resource(core.AKSServerID), prompt)
		req.Version = v
		tok := acquire(t, w.client(), req)
		w.checkToken(tok, core.AKSServerID, alice)

		shown := prompt.String()
		if userCode == "" || !strings.Contains(shown, userCode) || !strings.Contains(shown, w.fake.URL()+"/devicelogin") {
			t.Errorf("the prompt %q does not tell the person where to go and which code (%s) to enter", shown, userCode)
		}
		if strings.Contains(w.logs.all(), userCode) {
			t.Errorf("the sign-in instructions went to the log too:\n%s", w.logs.all())
		}
	})
}

// TestDeviceCodePromptStaysOffStdio runs alone, because it borrows the process's standard
// output and error to prove the flow writes nothing there: a credential helper's stdout carries
// its protocol.
func TestDeviceCodePromptStaysOffStdio(t *testing.T) {
	w := newWorld(t, fakeentra.Options{}, nil)
	w.approveAs(fakeentra.DefaultUser)
	stdout, stderr := os.Stdout, os.Stderr
	dir := t.TempDir()
	capture := func(name string) *os.File {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	os.Stdout, os.Stderr = capture("stdout"), capture("stderr")
	prompt := newPromptRecorder()
	_, err := w.client().Acquire(context.Background(), w.deviceCodeRequest(core.Resource(core.AzureDevOpsResource), prompt))
	captured := []*os.File{os.Stdout, os.Stderr}
	os.Stdout, os.Stderr = stdout, stderr
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range captured {
		f.Close()
		data, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > 0 {
			t.Errorf("the flow wrote to %s: %q", filepath.Base(f.Name()), data)
		}
	}
	if !strings.Contains(prompt.String(), "enter the code") {
		t.Errorf("the prompt did not get the instructions: %q", prompt.String())
	}
}

func TestDeviceCodeDeclined(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		w := newWorld(t, fakeentra.Options{}, nil)
		w.fake.OnDeviceCode(func(info fakeentra.DeviceCodeInfo) {
			if err := w.fake.DeclineDeviceCode(info.UserCode); err != nil {
				t.Errorf("declining: %v", err)
			}
		})
		req := w.deviceCodeRequest(core.Resource(core.AzureDevOpsResource), io.Discard)
		req.Version = v
		_, err := w.client().Acquire(context.Background(), req)
		wantError(t, err, "65004")
		if e, ok := asEntraError(err); !ok || !strings.Contains(e.Hint(), "declined") {
			t.Errorf("want an *entra.Error with a hint that the sign-in was declined; got %v", err)
		}
		if n := w.fake.Count(fakeentra.EndpointDeviceCode); n != 1 {
			t.Errorf("%d device codes were asked for, want 1 (no new attempt after a refusal)", n)
		}
	})
}

func TestDeviceCodeExpired(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{DeviceCodeLifetime: 2 * time.Second}, nil)
	start := time.Now()
	_, err := w.client().Acquire(context.Background(), w.deviceCodeRequest(core.Resource(core.AzureDevOpsResource), io.Discard))
	wantError(t, err, "expired")
	if e, ok := asEntraError(err); !ok || !strings.Contains(e.Hint(), "expired") {
		t.Errorf("want an *entra.Error with a hint that the code expired; got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("giving up on a 2 s device code took %s", d)
	}
}

func TestDeviceCodeCancelled(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	prompt := newPromptRecorder()
	done := make(chan error, 1)
	go func() {
		_, err := w.client().Acquire(ctx, w.deviceCodeRequest(core.Resource(core.AzureDevOpsResource), prompt))
		done <- err
	}()
	prompt.waitFor(t, func(s string) bool { return strings.Contains(s, "enter the code") })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled sign-in gave %v, want an error matching context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the sign-in went on after its context was cancelled")
	}
}

func TestDeviceCodeNeedsPerson(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	for _, method := range []core.Method{core.DeviceCode, core.Browser} {
		req := w.request(method, core.Resource(core.AzureDevOpsResource))
		req.Interaction = core.Interaction{Allowed: false, SignInCommand: "git credential-aad login"}
		for _, client := range []*core.Client{w.client(), w.uncachedClient()} {
			_, err := client.Acquire(context.Background(), req)
			if !errors.Is(err, core.ErrInteractionRequired) {
				t.Errorf("%s without a person: %v, want core.ErrInteractionRequired", method, err)
			}
			wantError(t, err, "git credential-aad login")
		}
	}
	if n := len(w.fake.Requests()); n != 0 {
		t.Errorf("the fake saw %d requests; none is needed to know that nobody can sign in", n)
	}
}

func TestStartAndPollDeviceCode(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		w := newWorld(t, fakeentra.Options{}, nil)
		client := w.client()
		req := w.request("", core.Resource(core.AzureDevOpsResource))
		req.Version = v
		flow, err := client.StartDeviceCode(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if flow.UserCode == "" || flow.VerificationURI != w.fake.URL()+"/devicelogin" || !strings.Contains(flow.Message, flow.UserCode) {
			t.Errorf("flow = %+v", flow)
		}
		if d := time.Until(flow.ExpiresAt); d < 14*time.Minute || d > 15*time.Minute {
			t.Errorf("the code expires in %s, want the fake's 15 minutes", d)
		}
		if err := w.fake.ApproveDeviceCode(flow.UserCode, fakeentra.DefaultUser); err != nil {
			t.Fatal(err)
		}
		tok, err := client.PollDeviceCode(context.Background(), flow)
		if err != nil {
			t.Fatal(err)
		}
		w.checkToken(tok, core.AzureDevOpsResource, alice)

		// The sign-in was kept: another target needs no person.
		other := w.request("", core.Resource(core.ContainerRegistryResource))
		other.Version = v
		other.Interaction = core.Interaction{Allowed: false}
		w.checkToken(acquire(t, w.client(), other), core.ContainerRegistryResource, alice)
		if n := w.fake.Count(fakeentra.EndpointDeviceCode); n != 1 {
			t.Errorf("%d device codes, want 1", n)
		}
	})
}

func TestPollDeviceCodeWithoutFlow(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	for _, flow := range []*core.DeviceCodeFlow{nil, {}, {UserCode: "ABCD1234"}} {
		_, err := w.client().PollDeviceCode(context.Background(), flow)
		wantError(t, err, "no device code sign-in")
	}
}

// TestDeviceCodeInstructions: short lines that say who asks and for what, the page, the code on
// a line of its own and when it expires, none wider than 80 columns; and the person is shown the
// wait until the code expires, which ends with the outcome.
func TestDeviceCodeInstructions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	var userCode string
	w.fake.OnDeviceCode(func(info fakeentra.DeviceCodeInfo) {
		userCode = info.UserCode
		w.fake.ApproveDeviceCode(info.UserCode, fakeentra.DefaultUser)
	})
	prompt := newPromptRecorder()
	req := w.deviceCodeRequest(core.Resource(core.AKSServerID), prompt)
	req.Interaction.Purpose = "kubectl needs a token for cluster aks-prod-dns-0123456789abcdef.hcp.westeurope.azmk8s.io, which the kubeconfig names"
	var deadline time.Time
	var outcome *core.Token
	req.Interaction.Waiting = func(d time.Time) func(*core.Token, error) {
		deadline = d
		return func(tok *core.Token, err error) { outcome = tok }
	}
	tok := acquire(t, w.client(), req)
	lines := strings.Split(strings.TrimSuffix(prompt.String(), "\n"), "\n")
	want := []string{
		"kubectl needs a token for cluster",
		"aks-prod-dns-0123456789abcdef.hcp.westeurope.azmk8s.io, which the kubeconfig",
		"names",
		"To sign in, open this page in a browser on any device:",
		"    " + w.fake.URL() + "/devicelogin",
		"and enter the code:",
		"    " + userCode,
	}
	if len(lines) != len(want)+1 || !slices.Equal(lines[:len(want)], want) {
		t.Fatalf("the instructions are\n%s\nwant them to start\n%s", prompt.String(), strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(lines[len(want)], "The code expires in 15 minutes, at ") {
		t.Errorf("the last line %q does not say when the code expires", lines[len(want)])
	}
	for _, l := range lines {
		if len(l) > 80 {
			t.Errorf("a line is %d columns wide: %q", len(l), l)
		}
	}
	if d := time.Until(deadline); d < 14*time.Minute || d > 15*time.Minute {
		t.Errorf("the wait was shown until %s, want the code's expiry", deadline)
	}
	if outcome != tok {
		t.Error("the wait was not ended with the token")
	}
}

// TestDeviceCodeTimeout: a sign-in nobody finishes in Interaction.Timeout says so.
func TestDeviceCodeTimeout(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	req := w.deviceCodeRequest(core.Resource(core.AzureDevOpsResource), io.Discard)
	req.Interaction.Timeout = 2 * time.Second
	_, err := w.client().Acquire(context.Background(), req)
	var timeout *core.SignInTimeoutError
	if !errors.As(err, &timeout) || err.Error() != "the device code sign-in was not finished within 2 seconds" {
		t.Errorf("got %v, want a SignInTimeoutError", err)
	}
}
