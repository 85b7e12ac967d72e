package keystore

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// helperEnv switches the test binary into a helper process that runs one
// command from its arguments instead of the tests (the exec-helper pattern).
const helperEnv = "KEYSTORE_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(runHelper(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func runHelper(args []string) int {
	if len(args) > 0 && args[0] == "fake-security" {
		return runFakeSecurity(args[1:])
	}
	if err := helperCommand(args); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	return 0
}

func helperCommand(args []string) error {
	ctx := context.Background()
	if len(args) == 0 {
		return fmt.Errorf("no command")
	}
	open := func(dir string) (*Store, error) {
		return Open(Options{Dir: dir, Backend: "file"})
	}
	switch cmd := args[0]; {
	case cmd == "write" && len(args) == 5:
		s, err := open(args[1])
		if err != nil {
			return err
		}
		tier, err := strconv.Atoi(args[2])
		if err != nil {
			return err
		}
		return s.Write(ctx, Tier(tier), args[3], []byte(args[4]))
	case cmd == "hold-lock" && len(args) == 3:
		s, err := open(args[1])
		if err != nil {
			return err
		}
		if _, err := s.Lock(ctx, args[2], nil); err != nil {
			return err
		}
		fmt.Println("locked")
		time.Sleep(time.Minute) // until the test kills us
		return nil
	case cmd == "write-loop" && len(args) == 3:
		s, err := open(args[1])
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(args[2])
		if err != nil {
			return err
		}
		for gen := 0; ; gen++ {
			for i := range n {
				if err := s.Write(ctx, Secrets, fmt.Sprintf("k%d", i), fmt.Appendf(nil, "gen-%d", gen)); err != nil {
					return err
				}
			}
			if gen == 0 {
				fmt.Println("ready")
			}
		}
	case cmd == "dbus-env":
		value, ok := os.LookupEnv("DBUS_SESSION_BUS_ADDRESS")
		fmt.Printf("set=%v value=%q\n", ok, value)
		return nil
	}
	return fmt.Errorf("unknown command %q", args)
}
