// Package dbuskeyring reaches the keyrings that live on the D-Bus session bus,
// the freedesktop.org Secret Service (GNOME Keyring, KeePassXC, KDE's ksecretd)
// and KWallet, without connecting to anything until a secret is read or written.
//
// Every call takes a context and gives up when it is done: a session bus that
// accepts connections and never answers, or a keyring prompt nobody answers,
// costs the caller its deadline and no more. What waits on no person (the
// connection, a search, a read) is also bounded by callTimeout of its own. [Dial] never starts a bus
// (no dbus-launch, no autolaunch): it uses the one DBUS_SESSION_BUS_ADDRESS
// names, or fails saying why.
//
// The package speaks D-Bus through github.com/godbus/dbus/v5. (The older godbus
// that github.com/99designs/keyring links takes no context in its handshake,
// and its decoder panics when a connection it was handed closes mid-read.)
package dbuskeyring
