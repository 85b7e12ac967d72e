package dbuskeyring

import (
	"reflect"
	"testing"
)

func TestParseAddresses(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []busAddress
	}{
		{"unix:path=/run/user/1000/bus", []busAddress{{"unix", map[string]string{"path": "/run/user/1000/bus"}}}},
		{"unix:abstract=/tmp/dbus-XYZ,guid=0123", []busAddress{{"unix", map[string]string{"abstract": "/tmp/dbus-XYZ", "guid": "0123"}}}},
		{"unix:path=/a%20b%2c;tcp:host=127.0.0.1,port=4000", []busAddress{
			{"unix", map[string]string{"path": "/a b,"}},
			{"tcp", map[string]string{"host": "127.0.0.1", "port": "4000"}},
		}},
		{";unix:path=/x;", []busAddress{{"unix", map[string]string{"path": "/x"}}}},
	} {
		got, err := parseAddresses(tc.in)
		if err != nil {
			t.Errorf("parseAddresses(%q): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseAddresses(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", ";", "nocolon", ":path=/x", "unix:path", "unix:=x", "unix:path=%", "unix:path=%4", "unix:path=%zz"} {
		if got, err := parseAddresses(bad); err == nil {
			t.Errorf("parseAddresses(%q) = %v, want an error", bad, got)
		}
	}
}

func TestNetwork(t *testing.T) {
	for _, tc := range []struct {
		in               string
		network, address string
		ok               bool
	}{
		{"unix:path=/run/bus", "unix", "/run/bus", true},
		{"unix:abstract=/tmp/x", "unix", "@/tmp/x", true},
		{"unix:tmpdir=/tmp", "", "", false},
		{"tcp:host=::1,port=5", "tcp", "[::1]:5", true},
		{"tcp:host=h,port=5,family=ipv4", "tcp4", "h:5", true},
		{"tcp:host=h,port=5,family=ipx", "", "", false},
		{"tcp:host=h", "", "", false},
		{"nonce-tcp:host=h,port=1", "", "", false},
		{"launchd:env=X", "", "", false},
	} {
		addrs, err := parseAddresses(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		network, address, ok := addrs[0].network()
		if network != tc.network || address != tc.address || ok != tc.ok {
			t.Errorf("%q: network() = %q, %q, %v; want %q, %q, %v", tc.in, network, address, ok, tc.network, tc.address, tc.ok)
		}
	}
}

// FuzzParseAddresses: DBUS_SESSION_BUS_ADDRESS is read from the environment
// at start-up, before main; nothing in it may panic.
func FuzzParseAddresses(f *testing.F) {
	for _, seed := range []string{
		"unix:path=/run/user/1000/bus", "unix:abstract=/tmp/dbus-1,guid=ab", "tcp:host=localhost,port=1;unix:path=/x",
		"autolaunch:", "unix:path=%2", "a:b=%41%42",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		addrs, err := parseAddresses(s)
		if err != nil {
			return
		}
		if len(addrs) == 0 {
			t.Fatal("no error and no address")
		}
		for _, a := range addrs {
			a.network()
			_ = a.String()
		}
	})
}
