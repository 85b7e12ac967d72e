package dbusguard

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
)

// probe reports whether the first address of addrs that accepts a connection
// belongs to a D-Bus daemon that answers, all within ctx's deadline. It picks the
// address the way godbus does (first one that connects), so its verdict is about
// the bus that godbus would use.
func probe(ctx context.Context, addrs []busAddress) error {
	var lastErr error
	for _, a := range addrs {
		network, address, ok := a.network()
		if !ok {
			continue
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, address)
		if err != nil {
			lastErr = fmt.Errorf("cannot connect to the session bus at %s: %w", a, err)
			continue
		}
		err = handshake(ctx, conn, a.transport == "nonce-tcp")
		conn.Close()
		if err != nil {
			return fmt.Errorf("the session bus at %s %w", a, err)
		}
		return nil
	}
	if lastErr == nil {
		lastErr = errors.New("no transport in DBUS_SESSION_BUS_ADDRESS that aadcred can use")
	}
	return lastErr
}

// handshake starts D-Bus authentication and waits for the daemon's first reply.
// An AUTH command without a mechanism is answered by every conforming daemon
// (normally with REJECTED and its list of mechanisms) and commits to nothing.
func handshake(ctx context.Context, conn net.Conn, nonceTCP bool) error {
	if nonceTCP {
		// nonce-tcp daemons expect a nonce from a file before any command; that
		// the connection was accepted is as far as a probe can go.
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			return fmt.Errorf("cannot be probed: %w", err)
		}
	}
	if _, err := conn.Write([]byte("\x00AUTH\r\n")); err != nil {
		return fmt.Errorf("did not accept data: %w", err)
	}
	// ReadSlice bounds the reply to the buffer, so a peer that streams bytes
	// without a newline cannot make us allocate.
	line, err := bufio.NewReaderSize(conn, 256).ReadSlice('\n')
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return errors.New("did not answer in time")
		}
		return fmt.Errorf("did not answer: %w", err)
	}
	for _, reply := range []string{"REJECTED", "OK", "ERROR", "DATA"} {
		if bytes.HasPrefix(line, []byte(reply)) {
			return nil
		}
	}
	return errors.New("answered with something other than D-Bus")
}
