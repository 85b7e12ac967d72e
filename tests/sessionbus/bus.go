// Package sessionbus runs a private D-Bus session bus (Debian's dbus-daemon) and,
// on it, a real Secret Service (GNOME Keyring's daemon), for tests that must
// see what aadcred does on a Linux desktop. A counting proxy in front of the bus
// lets a test prove that a command opened no connection to it at all.
package sessionbus

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/aadcred/aadcred/tests/harness"
)

// Bus is a dbus-daemon running for one test.
type Bus struct {
	// Address is the bus's address, as DBUS_SESSION_BUS_ADDRESS takes it.
	Address string
	dir     string
	t       testing.TB
}

// config lets every connection of this user do anything: the bus is the
// test's own, in a private directory.
const config = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// Start starts a session bus that lives as long as the test. Without
// dbus-daemon the test is skipped, or fails in CI.
func Start(t testing.TB) *Bus {
	t.Helper()
	daemon := harness.RequireTool(t, "dbus-daemon")
	dir := t.TempDir()
	socket := filepath.Join(dir, "bus")
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(config, socket)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+conf, "--nofork", "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dbus-daemon: %v", err)
	}
	t.Cleanup(func() { stop(cmd) })
	address, err := readLine(out, 10*time.Second)
	if err != nil {
		t.Fatalf("dbus-daemon did not print its address: %v\n%s", err, stderr.String())
	}
	return &Bus{Address: address, dir: dir, t: t}
}

// readLine reads one line from r, waiting at most timeout.
func readLine(r io.Reader, timeout time.Duration) (string, error) {
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case s := <-line:
		if s == "" {
			return "", errors.New("it exited")
		}
		return s, nil
	case <-time.After(timeout):
		return "", errors.New("timed out")
	}
}

// stop ends a process the test started, and waits for it.
func stop(cmd *exec.Cmd) {
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}

// Conn connects the test itself to the bus.
func (b *Bus) Conn() *dbus.Conn {
	b.t.Helper()
	conn, err := dbus.Dial(b.Address)
	if err == nil {
		if err = conn.Auth(nil); err == nil {
			err = conn.Hello()
		}
	}
	if err != nil {
		b.t.Fatalf("connecting to the test's session bus: %v", err)
	}
	b.t.Cleanup(func() { conn.Close() })
	return conn
}

// WaitForName waits until a client owns name on the bus.
func (b *Bus) WaitForName(name string, timeout time.Duration) error {
	conn := b.Conn()
	deadline := time.Now().Add(timeout)
	for {
		var has bool
		err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has)
		if err == nil && has {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not appear on the bus within %v (last error: %v)", name, timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Counter is a proxy in front of the bus that counts the connections made
// to it.
type Counter struct {
	// Address is the proxy's address, to give the programs under test.
	Address string
	count   atomic.Int64
}

// Connections returns how many connections the proxy has accepted so far.
func (c *Counter) Connections() int { return int(c.count.Load()) }

// Counter starts a counting proxy in front of the bus, for the test's life.
// Every connection is passed through byte for byte, so a program that uses
// the bus works as it would without the proxy.
func (b *Bus) Counter() *Counter {
	b.t.Helper()
	path := filepath.Join(b.dir, fmt.Sprintf("proxy-%d", time.Now().UnixNano()))
	l, err := net.Listen("unix", path)
	if err != nil {
		b.t.Fatal(err)
	}
	target := strings.TrimPrefix(strings.SplitN(b.Address, ",", 2)[0], "unix:path=")
	c := &Counter{Address: "unix:path=" + path}
	var wg sync.WaitGroup
	b.t.Cleanup(func() {
		l.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			c.count.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				relay(client, target)
			}()
		}
	}()
	return c
}

// relay passes bytes both ways between client and the bus until either side
// closes.
func relay(client net.Conn, target string) {
	defer client.Close()
	server, err := net.Dial("unix", target)
	if err != nil {
		return
	}
	defer server.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(server, client); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, server); done <- struct{}{} }()
	<-done
}

// Keyring is GNOME Keyring's daemon serving the Secret Service on a bus, with
// a "login" collection unlocked by a password, as after a desktop login.
type Keyring struct {
	// Env is what a program needs to find the keyring's files: HOME and the
	// XDG directories the daemon was started with.
	Env []string
}

// StartKeyring starts gnome-keyring-daemon on the bus for the test's life.
// Without it the test is skipped, or fails in CI.
func (b *Bus) StartKeyring() *Keyring {
	b.t.Helper()
	daemon := harness.RequireTool(b.t, "gnome-keyring-daemon")
	home := filepath.Join(b.dir, "keyring-home")
	env := []string{
		"HOME=" + home,
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_RUNTIME_DIR=" + filepath.Join(home, "run"),
	}
	for _, kv := range env {
		if err := os.MkdirAll(kv[strings.IndexByte(kv, '=')+1:], 0o700); err != nil {
			b.t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	// --unlock reads the login password from stdin and creates the login
	// collection with it when there is none.
	cmd := exec.CommandContext(ctx, daemon, "--foreground", "--unlock", "--components=secrets")
	cmd.Env = append(env, "DBUS_SESSION_BUS_ADDRESS="+b.Address, "PATH="+os.Getenv("PATH"))
	cmd.Stdin = strings.NewReader("test-login-password")
	var output strings.Builder
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		cancel()
		b.t.Fatalf("starting gnome-keyring-daemon: %v", err)
	}
	b.t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	if err := b.WaitForName("org.freedesktop.secrets", 10*time.Second); err != nil {
		b.t.Fatalf("gnome-keyring-daemon: %v\n%s", err, output.String())
	}
	return &Keyring{Env: env}
}
