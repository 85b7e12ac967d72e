package keystore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// Lock takes the cross-process lock called name, waiting as long as ctx allows.
// If another process holds it for longer than a second, Lock calls waiting
// once with that process's id (0 when it cannot be told), so the caller can
// say what it is waiting for; waiting may be nil.
//
// A process that dies, even by SIGKILL, releases its locks: the kernel drops
// them with its open files. Lock files are never deleted, because deleting
// one while a process waits on it would let two holders in.
//
// A store that cannot be written still locks with the lock files it has; a lock whose file
// cannot be made fails with the store's UnwritableError, and a caller goes on without it.
//
// Unlock releases the lock; calling it more than once is harmless.
func (s *Store) Lock(ctx context.Context, name string, waiting func(holderPID int)) (unlock func() error, err error) {
	if err := validateName(name); err != nil {
		return nil, err
	}
	return s.lock(ctx, name, waiting)
}

func (s *Store) lock(ctx context.Context, name string, waiting func(holderPID int)) (func() error, error) {
	path := filepath.Join(s.dir, "locks", name+".lock")
	fl := flock.New(path, flock.SetPermissions(0o600))
	start := time.Now()
	notified := waiting == nil
	timer := time.NewTimer(s.lockPoll)
	defer timer.Stop()
	for {
		locked, err := fl.TryLock()
		if err != nil {
			if u := s.asUnwritable(err); u != nil {
				return nil, u
			}
			if s.unwritable != nil {
				return nil, s.unwritable
			}
			return nil, fmt.Errorf("taking lock %s: %w", path, err)
		}
		if locked {
			writeHolderPID(path, os.Getpid())
			var once sync.Once
			var unlockErr error
			return func() error {
				once.Do(func() {
					if err := fl.Unlock(); err != nil {
						unlockErr = fmt.Errorf("releasing lock %s: %w", path, err)
					}
				})
				return unlockErr
			}, nil
		}
		if !notified && time.Since(start) >= s.lockNotice {
			notified = true
			waiting(readHolderPID(path))
		}
		timer.Reset(s.lockPoll)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for lock %s: %w", path, ctx.Err())
		case <-timer.C:
		}
	}
}

// The holder's pid is written after the first byte of the lock file: on
// Windows the lock itself covers byte 0 and makes it unreadable to others.
const pidOffset = 1

// writeHolderPID records who holds the lock, for the messages of processes
// waiting on it. It is best effort: the lock is held either way.
func writeHolderPID(path string, pid int) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer f.Close()
	record := strconv.Itoa(pid) + "\n"
	if _, err := f.WriteAt([]byte(record), pidOffset); err == nil {
		_ = f.Truncate(int64(pidOffset + len(record)))
	}
}

// readHolderPID returns the pid written by the lock's holder, or 0.
func readHolderPID(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	buf := make([]byte, 24)
	n, _ := f.ReadAt(buf, pidOffset)
	digits := buf[:n]
	for i, c := range digits {
		if c < '0' || c > '9' {
			digits = digits[:i]
			break
		}
	}
	pid, err := strconv.Atoi(string(digits))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
