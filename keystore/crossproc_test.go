package keystore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestConcurrentWritersInManyProcesses(t *testing.T) {
	// No store exists yet, so the writers also race to make the data key;
	// they must agree on one or some of the entries would not decrypt.
	dir := filepath.Join(t.TempDir(), "store")
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			for _, tier := range []Tier{Secrets, AccessTokens} {
				cmd := helper(t, "write", dir, strconv.Itoa(int(tier)), fmt.Sprintf("entry-%d", i), fmt.Sprintf("value-%d", i))
				if out, err := cmd.CombinedOutput(); err != nil {
					errs[i] = fmt.Errorf("helper %d: %v: %s", i, err, out)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s := openStore(t, Options{Dir: dir, Backend: "file"})
	for _, tier := range []Tier{Secrets, AccessTokens} {
		names, err := s.List(tier)
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != n {
			t.Errorf("%v holds %d entries, want %d: %q", tier, len(names), n, names)
		}
		for i := range n {
			mustRead(t, s, tier, fmt.Sprintf("entry-%d", i), fmt.Sprintf("value-%d", i))
		}
	}
}

func TestKilledLockHolderReleasesTheLock(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	s.lockNotice = 50 * time.Millisecond
	holder := startHelper(t, "locked", "hold-lock", s.Dir(), "shared")

	var mu sync.Mutex
	var waitedOn []int
	killed := make(chan time.Time, 1)
	go func() {
		// Kill the holder once the waiter has announced whom it waits for.
		for {
			mu.Lock()
			n := len(waitedOn)
			mu.Unlock()
			if n > 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		holder.Process.Kill() // SIGKILL on Unix: no chance to unlock
		killed <- time.Now()
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	unlock, err := s.Lock(ctx, "shared", func(pid int) {
		mu.Lock()
		defer mu.Unlock()
		waitedOn = append(waitedOn, pid)
	})
	if err != nil {
		t.Fatalf("Lock after the holder was killed: %v", err)
	}
	defer unlock()
	if after := time.Since(<-killed); after > 2*time.Second {
		t.Errorf("took %v after the kill to get the lock", after)
	}
	if len(waitedOn) != 1 || waitedOn[0] != holder.Process.Pid {
		t.Errorf("waiting called with %v, want once with the holder's pid %d", waitedOn, holder.Process.Pid)
	}
}

func TestKillDuringWritesLeavesEveryEntryReadable(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	const n = 4
	for round := range 3 {
		writer := startHelper(t, "ready", "write-loop", s.Dir(), strconv.Itoa(n))
		time.Sleep(time.Duration(20+round*30) * time.Millisecond)
		writer.Process.Kill()
		writer.Wait()

		reader := reopen(t, s, Options{Backend: "file"})
		for i := range n {
			name := fmt.Sprintf("k%d", i)
			got, err := reader.Read(context.Background(), Secrets, name)
			if err != nil {
				t.Fatalf("round %d: Read(%s) after the writer was killed: %v", round, name, err)
			}
			if !strings.HasPrefix(string(got), "gen-") {
				t.Fatalf("round %d: Read(%s) = %q", round, name, got)
			}
		}
		names, err := reader.List(Secrets)
		if err != nil || len(names) != n {
			t.Fatalf("round %d: List = %q, %v; want %d entries and no temporary files", round, names, err, n)
		}
	}
	// A killed writer may leave a temporary file; Clean removes it once stale.
	s.now = func() time.Time { return time.Now().Add(time.Hour) }
	if err := s.Clean(); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(s.tierDir(Secrets))
	if len(left) != 0 {
		t.Errorf("after Clean, secrets/ holds %d files", len(left))
	}
}
