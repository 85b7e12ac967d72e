package keystore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestLockIsExclusive(t *testing.T) {
	a := openStore(t, Options{Backend: "file"})
	b := reopen(t, a, Options{Backend: "file"})
	unlock, err := a.Lock(context.Background(), "key", nil)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Millisecond)
	defer cancel()
	if _, err := b.Lock(ctx, "key", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock while held: got %v, want DeadlineExceeded", err)
	}
	// Other names are independent.
	unlockOther, err := b.Lock(context.Background(), "other-key", nil)
	if err != nil {
		t.Fatal(err)
	}
	unlockOther()

	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Errorf("second unlock: %v", err)
	}
	unlock2, err := b.Lock(context.Background(), "key", nil)
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	unlock2()
	if _, err := os.Stat(filepath.Join(a.Dir(), "locks", "key.lock")); err != nil {
		t.Errorf("lock file removed after unlock: %v", err)
	}
}

func TestLockHonoursCancellation(t *testing.T) {
	a := openStore(t, Options{Backend: "file"})
	unlock, err := a.Lock(context.Background(), "key", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	start := time.Now()
	if _, err := reopen(t, a, Options{Backend: "file"}).Lock(ctx, "key", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want Canceled", err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Errorf("Lock took %v to notice cancellation", waited)
	}
}

// TestLockWaitingCallbackOnce holds a lock until the waiter says it waits, and for some polls
// after: the waiter says so once, with the holder's pid. The holder lets go only once the waiter
// has said it waits, so that however slowly either side runs, the wait is long enough to be told.
func TestLockWaitingCallbackOnce(t *testing.T) {
	a := openStore(t, Options{Backend: "file"})
	b := reopen(t, a, Options{Backend: "file"})
	b.lockNotice = 30 * time.Millisecond
	unlock, err := a.Lock(context.Background(), "key", nil)
	if err != nil {
		t.Fatal(err)
	}
	told := make(chan struct{})
	go func() {
		<-told
		time.Sleep(10 * b.lockPoll) // more polls, in which a second call would come
		unlock()
	}()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var pids []int
	unlockB, err := b.Lock(ctx, "key", func(pid int) {
		if pids = append(pids, pid); len(pids) == 1 {
			close(told)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	unlockB()
	if len(pids) != 1 || pids[0] != os.Getpid() {
		t.Errorf("waiting called with %v, want once with the holder's pid %d", pids, os.Getpid())
	}

	// No wait, no call.
	pids = nil
	unlockB, err = b.Lock(context.Background(), "key", func(pid int) { pids = append(pids, pid) })
	if err != nil {
		t.Fatal(err)
	}
	unlockB()
	if len(pids) != 0 {
		t.Errorf("waiting called for a free lock: %v", pids)
	}
}

func TestReadHolderPID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	if got := readHolderPID(path); got != 0 {
		t.Errorf("missing file: pid %d, want 0", got)
	}
	for content, want := range map[string]int{
		"":                                 0,
		"\x00":                             0,
		"\x001234\n":                       1234,
		"\x0099\n4\n":                      99, // a longer earlier record not yet truncated
		"\x00garbage":                      0,
		"\x00-5\n":                         0,
		"\x00" + "99999999999999999999999": 0,
	} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := readHolderPID(path); got != want {
			t.Errorf("readHolderPID(%q) = %d, want %d", content, got, want)
		}
	}
}
