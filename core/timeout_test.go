package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// lockSignal is a store that says when it has given out a lock.
type lockSignal struct {
	core.Store
	locked chan struct{}
}

func (s *lockSignal) Lock(ctx context.Context, name string, waiting func(int)) (func() error, error) {
	unlock, err := s.Store.Lock(ctx, name, waiting)
	if err == nil {
		close(s.locked)
	}
	return unlock, err
}

// TestSilentTimeout: work no person waits on that runs out of Request.Timeout is a TimeoutError
// that says how long it had and what was under way: a token request with no answer (an
// application's, a user's refresh), or a wait for another process holding the token's lock.
func TestSilentTimeout(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	w.signInAlice(w.client())
	app := w.secretApp(armResource)
	user := w.silent("", core.AKSServerID) // signing in cached a token for Azure DevOps only
	wantTimeout := func(what string, err error, says string) {
		t.Helper()
		var timeout *core.TimeoutError
		if !errors.As(err, &timeout) || timeout.After != 500*time.Millisecond {
			t.Fatalf("%s: %v, want a TimeoutError after 500ms", what, err)
		}
		wantError(t, err, "no token within 500ms: "+says)
	}

	for what, req := range map[string]core.Request{"application": app, "user's refresh": user} {
		if err := w.fake.InjectFault(fakeentra.Fault{Endpoint: fakeentra.EndpointToken, Hang: true, Times: 1}); err != nil {
			t.Fatal(err)
		}
		req.Timeout = 500 * time.Millisecond
		_, err := w.client().Acquire(context.Background(), req)
		wantTimeout(what, err, "cannot reach")
	}

	if err := w.fake.InjectFault(fakeentra.Fault{Endpoint: fakeentra.EndpointToken, Delay: 1500 * time.Millisecond, Times: 1}); err != nil {
		t.Fatal(err)
	}
	holder := w.client()
	locked := make(chan struct{})
	holder.Store = &lockSignal{Store: holder.Store, locked: locked}
	held := make(chan error)
	go func() {
		_, err := holder.Acquire(context.Background(), app)
		held <- err
	}()
	<-locked
	app.Timeout = 500 * time.Millisecond
	_, err := w.client().Acquire(context.Background(), app)
	wantTimeout("a held lock", err, "another aadcred process is still getting this token")
	if err := <-held; err != nil {
		t.Errorf("the process holding the lock: %v", err)
	}
}
