package tests

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeacr"
	"github.com/aadcred/aadcred/tests/harness"
)

// TestSkopeoInspectsAndCopiesThroughTheHelper drives a second registry client, skopeo (the
// containers tools' library, which podman and buildah share), through the helper that
// `docker-credential-aad configure` wired into the containers' own auth.json.
func TestSkopeoInspectsAndCopiesThroughTheHelper(t *testing.T) {
	harness.RequireTool(t, "skopeo")
	w := newACRWorld(t, fakeacr.Options{}, "")
	host := w.ACR.Host()
	ref := host + "/samples/hello:v1"
	digest := pushRandomImage(t, w, ref)

	authFile := filepath.Join(w.Home, ".config", "containers", "auth.json")
	if got := credHelpers(t, authFile)[host]; got != "aad" {
		t.Fatalf("configure did not wire %s in the containers' auth.json (skopeo is installed): credHelpers[%s] = %q", authFile, host, got)
	}
	// Only the containers' file may serve skopeo: docker's configuration goes.
	if err := os.RemoveAll(w.Get("DOCKER_CONFIG")); err != nil {
		t.Fatal(err)
	}
	tokensBefore := w.ACR.TokenRequests()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var inspected struct{ Digest string }
	out := runSkopeo(ctx, t, w.World, "inspect", "docker://"+ref)
	if err := json.Unmarshal([]byte(out), &inspected); err != nil || inspected.Digest != digest.String() {
		t.Errorf("skopeo inspect: digest %q, want %s (%v)\n%s", inspected.Digest, digest, err, out)
	}
	if w.ACR.TokenRequests() == tokensBefore {
		t.Fatal("skopeo did not ask the registry for a token: the helper's credentials were not used")
	}

	// Copy out to a directory, and back into the registry under another name (a push).
	dir := filepath.Join(t.TempDir(), "image")
	runSkopeo(ctx, t, w.World, "copy", "--insecure-policy", "docker://"+ref, "dir:"+dir)
	copied := host + "/samples/copy:v2"
	runSkopeo(ctx, t, w.World, "copy", "--insecure-policy", "dir:"+dir, "docker://"+copied)
	if got := pullDigest(t, w, copied); got != digest {
		t.Errorf("the image skopeo pushed has digest %s, want %s", got, digest)
	}
	if n := w.ACR.ExchangeCount(); n != 1 {
		t.Errorf("%d exchanges, want 1: every skopeo call should reuse the cached ACR token", n)
	}

	// Unwired again, skopeo gets nowhere: the registry needs the helper's credentials.
	if r := w.Run("", "docker-credential-aad", "configure", "--remove", host); r.Code != 0 {
		t.Fatalf("configure --remove: %s", r.Stderr)
	}
	if _, ok := credHelpers(t, authFile)[host]; ok {
		t.Errorf("configure --remove left %s in %s", host, authFile)
	}
	if err := w.Command(ctx, "skopeo", "inspect", "docker://"+ref).Run(); err == nil {
		t.Error("skopeo inspected the image without the helper: the registry does not check credentials, and this test proves nothing")
	}
}

// runSkopeo runs skopeo in the world and returns its stdout; it fails the test when skopeo does.
func runSkopeo(ctx context.Context, t *testing.T, w *harness.World, args ...string) string {
	t.Helper()
	var stdout, stderr strings.Builder
	cmd := w.Command(ctx, "skopeo", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("skopeo %s: %v\nstdout %s\nstderr %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}
