package dbuskeyring

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/godbus/dbus/v5"
)

// Dial connects to the session bus at address (the value of
// DBUS_SESSION_BUS_ADDRESS), authenticates and says hello, all within ctx and
// callTimeout. It tries the addresses of the list in order, as godbus does,
// and uses the first that accepts a connection.
func Dial(ctx context.Context, address string) (*dbus.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	switch address {
	case "":
		return nil, errors.New("DBUS_SESSION_BUS_ADDRESS is not set")
	case "autolaunch:":
		return nil, errors.New("DBUS_SESSION_BUS_ADDRESS asks for autolaunch, which would start a new D-Bus daemon")
	}
	addrs, err := parseAddresses(address)
	if err != nil {
		return nil, fmt.Errorf("DBUS_SESSION_BUS_ADDRESS is malformed: %w", err)
	}
	var lastErr error
	for _, a := range addrs {
		network, addr, ok := a.network()
		if !ok {
			continue
		}
		var d net.Dialer
		nc, err := d.DialContext(ctx, network, addr)
		if err != nil {
			lastErr = fmt.Errorf("cannot connect to the session bus at %s: %w", a, err)
			continue
		}
		conn, err := handshake(ctx, nc)
		if err != nil {
			return nil, fmt.Errorf("the session bus at %s %w", a, err)
		}
		return conn, nil
	}
	if lastErr == nil {
		lastErr = errors.New("no transport in DBUS_SESSION_BUS_ADDRESS that aadcred can use")
	}
	return nil, lastErr
}

// handshake authenticates on nc and says hello to the bus. godbus's Auth and
// Hello take no context, so ctx's deadline is put on the socket, and a
// cancellation makes the socket time out at once.
func handshake(ctx context.Context, nc net.Conn) (*dbus.Conn, error) {
	if deadline, ok := ctx.Deadline(); ok {
		if err := nc.SetDeadline(deadline); err != nil {
			nc.Close()
			return nil, fmt.Errorf("cannot be used: %w", err)
		}
	}
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	conn, err := dbus.NewConn(nc)
	if err == nil {
		err = conn.Auth(nil)
		if err == nil {
			err = conn.Hello()
		}
	}
	if err != nil {
		nc.Close()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || ctx.Err() != nil {
			return nil, errors.New("did not answer in time")
		}
		return nil, fmt.Errorf("did not let aadcred in: %w", err)
	}
	if !stop() {
		// ctx ended just as the handshake finished: the deadline is set.
		conn.Close()
		return nil, errors.New("did not answer in time")
	}
	if err := nc.SetDeadline(time.Time{}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("cannot be used: %w", err)
	}
	return conn, nil
}
