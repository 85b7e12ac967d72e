package dbuskeyring

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/sessionbus"
)

// fakeBus listens on a Unix socket and treats each connection with serve.
func fakeBus(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return "unix:path=" + path
}

func TestDial(t *testing.T) {
	bus := sessionbus.Start(t)
	silent := fakeBus(t, func(c net.Conn) { time.Sleep(2 * time.Second) })
	chatty := fakeBus(t, func(c net.Conn) {
		c.Read(make([]byte, 64))
		c.Write([]byte("HTTP/1.1 400 Bad Request\r\n"))
	})
	closing := fakeBus(t, func(c net.Conn) {}) // closes at once, before or after our AUTH
	missing := "unix:path=" + filepath.Join(t.TempDir(), "no-such-socket")

	for _, tc := range []struct {
		name, addr, want string
	}{
		{"unset", "", "DBUS_SESSION_BUS_ADDRESS is not set"},
		{"autolaunch", "autolaunch:", "autolaunch"},
		{"malformed", "unix:path=%zz", "malformed"},
		{"unknown transport only", "launchd:env=X", "no transport"},
		{"no socket", missing, "cannot connect to the session bus at " + missing},
		{"silent daemon", silent, "did not answer in time"},
		{"not D-Bus", chatty, "the session bus at " + chatty + " did not let aadcred in"},
		{"closes", closing, "the session bus at " + closing + " did not"},
		{"dbus-daemon", bus.Address, ""},
		{"second address answers", missing + ";" + bus.Address, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			conn, err := Dial(ctx, tc.addr)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Dial(%q): %v", tc.addr, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Dial(%q) = %v, want an error saying %q", tc.addr, err, tc.want)
			}
			if conn != nil {
				if len(conn.Names()) == 0 || !strings.HasPrefix(conn.Names()[0], ":") {
					t.Errorf("connected without a unique name: %v", conn.Names())
				}
				conn.Close()
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("Dial(%q) took %v, more than its context allows", tc.addr, took)
			}
		})
	}
}

func TestDialCancelled(t *testing.T) {
	silent := fakeBus(t, func(c net.Conn) { time.Sleep(2 * time.Second) })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if _, err := Dial(ctx, silent); err == nil || !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("Dial with a cancelled context: %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("a cancelled Dial took %v", took)
	}
}
