package dbusguard

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

func env(addr string) func(string) string {
	return func(name string) string {
		if name == envName {
			return addr
		}
		return ""
	}
}

func TestCheck(t *testing.T) {
	answering := fakeBus(t, func(c net.Conn) {
		buf := make([]byte, 64)
		if n, _ := c.Read(buf); n > 0 && strings.HasPrefix(string(buf[:n]), "\x00AUTH") {
			c.Write([]byte("REJECTED EXTERNAL ANONYMOUS\r\n"))
		}
	})
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
		{"not D-Bus", chatty, "something other than D-Bus"},
		{"closes", closing, "the session bus at " + closing + " did not"},
		{"answering", answering, ""},
		{"second address answers", missing + ";" + answering, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			got := check(env(tc.addr), 200*time.Millisecond)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("check(%q) = %q, want %q", tc.addr, got, tc.want)
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("check(%q) took %v, more than its budget allows", tc.addr, took)
			}
		})
	}
}
