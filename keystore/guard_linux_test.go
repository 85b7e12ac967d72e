package keystore

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// runDBusEnvHelper starts a fresh process of the test binary, which links
// github.com/99designs/keyring, with the given session bus variable, and
// returns what it reports once its package inits are done.
func runDBusEnvHelper(t *testing.T, busAddress string, extraEnv ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "dbus-env")
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=")
	})
	if busAddress != "" {
		cmd.Env = append(cmd.Env, "DBUS_SESSION_BUS_ADDRESS="+busAddress)
	}
	cmd.Env = append(append(cmd.Env, helperEnv+"=1"), extraEnv...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the process hung at start-up (killed after %v)", time.Since(start))
	}
	if err != nil {
		t.Fatalf("helper: %v: %s", err, out)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("start-up took %v", took)
	}
	return string(out)
}

func TestKeyringInitNeverLaunchesDBus(t *testing.T) {
	bin := t.TempDir()
	marker := filepath.Join(bin, "launched")
	script := "#!/bin/sh\ntouch " + marker + "\nsleep 2\n"
	if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	out := runDBusEnvHelper(t, "", "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	if _, err := os.Stat(marker); err == nil {
		t.Error("starting the process ran dbus-launch")
	}
	if !strings.Contains(out, `set=false`) || !strings.Contains(out, "DBUS_SESSION_BUS_ADDRESS is not set") {
		t.Errorf("helper reported %q; want the variable unset again and the reason recorded", out)
	}
}

func TestKeyringInitSurvivesADeadBus(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		// Accept and never answer, like a wedged dbus-daemon.
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	addr := "unix:path=" + sock
	out := runDBusEnvHelper(t, addr)
	if !strings.Contains(out, "set=true value=\""+addr+"\"") || !strings.Contains(out, "did not answer in time") {
		t.Errorf("helper reported %q; want the variable restored and the reason recorded", out)
	}
}
