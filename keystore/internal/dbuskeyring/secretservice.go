package dbuskeyring

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// ErrNotFound is returned when a keyring holds no item of that name.
var ErrNotFound = errors.New("no such item")

const (
	secretsName      = "org.freedesktop.secrets"
	secretsPath      = dbus.ObjectPath("/org/freedesktop/secrets")
	secretsIface     = "org.freedesktop.Secret.Service"
	collectionIface  = "org.freedesktop.Secret.Collection"
	itemIface        = "org.freedesktop.Secret.Item"
	promptIface      = "org.freedesktop.Secret.Prompt"
	propertiesGet    = "org.freedesktop.DBus.Properties.Get"
	noPrompt         = dbus.ObjectPath("/")
	collectionPrefix = "/org/freedesktop/secrets/collection/"
)

// secret is the Secret struct of the Secret Service API, (oayays).
type secret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

// SecretService is one collection of the Secret Service, opened for reading and
// writing items.
type SecretService struct {
	conn       *dbus.Conn
	session    dbus.ObjectPath
	collection dbus.ObjectPath
}

// OpenSecretService opens a session with the Secret Service on conn and finds
// the collection called name ("login" is the one unlocked when the user logs
// in). A missing collection is an error rather than an empty keyring: making
// one would have the service ask the user for a new password, and a keyring
// whose collection cannot be found now must not be taken for one that was
// emptied.
func OpenSecretService(ctx context.Context, conn *dbus.Conn, name string) (*SecretService, error) {
	service := conn.Object(secretsName, secretsPath)
	var output dbus.Variant
	var session dbus.ObjectPath
	// "plain" sends secrets unencrypted over the bus, which only this user's
	// processes can connect to; it is what libsecret clients use by default
	// on a local bus, and what earlier aadcred releases used.
	err := call(ctx, service, secretsIface+".OpenSession", "plain", dbus.MakeVariant("")).Store(&output, &session)
	if err != nil {
		if isServiceUnknown(err) {
			return nil, errors.New("no Secret Service is running on the session bus (GNOME Keyring, KeePassXC or KDE's ksecretd provide one)")
		}
		return nil, fmt.Errorf("opening a Secret Service session: %w", err)
	}
	var paths []dbus.ObjectPath
	if err := getProperty(ctx, service, secretsIface+".Collections", &paths); err != nil {
		return nil, fmt.Errorf("listing the Secret Service's collections: %w", err)
	}
	for _, p := range paths {
		if unescapePath(string(p)) == collectionPrefix+name {
			return &SecretService{conn: conn, session: session, collection: p}, nil
		}
	}
	return nil, fmt.Errorf("the Secret Service has no %q collection", name)
}

// Get returns the secret of the first item in the collection whose attributes
// include attrs, or ErrNotFound. A locked item is unlocked first, which may
// show the user a prompt.
func (s *SecretService) Get(ctx context.Context, attrs map[string]string) ([]byte, error) {
	items, err := s.search(ctx, attrs)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		// Some services (KeePassXC, for one) hide the items of a locked
		// collection from a search; an item that is only hidden now must
		// not be taken for missing, so the collection is unlocked, which
		// may show the user a prompt, and searched again.
		unlocked, err := s.unlockCollection(ctx)
		if err != nil || !unlocked {
			return nil, cmp.Or(err, ErrNotFound)
		}
		if items, err = s.search(ctx, attrs); err != nil || len(items) == 0 {
			return nil, cmp.Or(err, ErrNotFound)
		}
	}
	item := s.conn.Object(secretsName, items[0])
	var locked bool
	if err := getProperty(ctx, item, itemIface+".Locked", &locked); err != nil {
		return nil, fmt.Errorf("reading the Secret Service item: %w", err)
	}
	if locked {
		if err := s.unlock(ctx, items[0]); err != nil {
			return nil, err
		}
	}
	var sec secret
	if err := call(ctx, item, itemIface+".GetSecret", s.session).Store(&sec); err != nil {
		return nil, explain(err, "reading the Secret Service item")
	}
	return sec.Value, nil
}

// search returns the items of the collection whose attributes include attrs.
func (s *SecretService) search(ctx context.Context, attrs map[string]string) ([]dbus.ObjectPath, error) {
	var items []dbus.ObjectPath
	collection := s.conn.Object(secretsName, s.collection)
	if err := call(ctx, collection, collectionIface+".SearchItems", attrs).Store(&items); err != nil {
		return nil, explain(err, "searching the Secret Service")
	}
	return items, nil
}

// unlockCollection unlocks the collection if it is locked, and reports
// whether it was.
func (s *SecretService) unlockCollection(ctx context.Context) (wasLocked bool, err error) {
	var locked bool
	if err := getProperty(ctx, s.conn.Object(secretsName, s.collection), collectionIface+".Locked", &locked); err != nil {
		return false, fmt.Errorf("reading the Secret Service collection: %w", err)
	}
	if !locked {
		return false, nil
	}
	return true, s.unlock(ctx, s.collection)
}

// Set creates an item with label, attrs and value in the collection, replacing
// an item with the same attributes. A locked collection is unlocked first,
// which may show the user a prompt.
func (s *SecretService) Set(ctx context.Context, label string, attrs map[string]string, value []byte, contentType string) error {
	if _, err := s.unlockCollection(ctx); err != nil {
		return err
	}
	collection := s.conn.Object(secretsName, s.collection)
	props := map[string]dbus.Variant{
		itemIface + ".Label":      dbus.MakeVariant(label),
		itemIface + ".Attributes": dbus.MakeVariant(attrs),
	}
	sec := secret{Session: s.session, Parameters: []byte{}, Value: value, ContentType: contentType}
	var item, prompt dbus.ObjectPath
	if err := call(ctx, collection, collectionIface+".CreateItem", props, sec, true).Store(&item, &prompt); err != nil {
		return explain(err, "saving in the Secret Service")
	}
	// A dismissed prompt saved nothing, and the caller must not believe the
	// secret kept.
	if err := s.awaitPrompt(ctx, prompt); err != nil {
		return fmt.Errorf("saving in the Secret Service: %w", err)
	}
	return nil
}

// unlock unlocks an item or collection, through the service's prompt if it
// asks for one.
func (s *SecretService) unlock(ctx context.Context, object dbus.ObjectPath) error {
	service := s.conn.Object(secretsName, secretsPath)
	var unlocked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := call(ctx, service, secretsIface+".Unlock", []dbus.ObjectPath{object}).Store(&unlocked, &prompt); err != nil {
		return explain(err, "unlocking the Secret Service collection")
	}
	if len(unlocked) > 0 {
		return nil
	}
	if err := s.awaitPrompt(ctx, prompt); err != nil {
		return fmt.Errorf("the Secret Service collection is locked: %w", err)
	}
	return nil
}

// awaitPrompt shows the service's prompt at path, if there is one, and fails
// unless the user completes it.
func (s *SecretService) awaitPrompt(ctx context.Context, path dbus.ObjectPath) error {
	dismissed, err := s.prompt(ctx, path)
	if err == nil && dismissed {
		err = errors.New("the prompt was dismissed")
	}
	return err
}

// prompt shows the service's prompt at path, if there is one, and waits for
// it to complete. It reports whether the user dismissed it.
func (s *SecretService) prompt(ctx context.Context, path dbus.ObjectPath) (dismissed bool, err error) {
	if path == "" || path == noPrompt {
		return false, nil
	}
	signals := make(chan *dbus.Signal, 4)
	s.conn.Signal(signals)
	defer s.conn.RemoveSignal(signals)
	rule := "type='signal',interface='" + promptIface + "',member='Completed',path='" + string(path) + "'"
	if err := call(ctx, s.conn.BusObject(), "org.freedesktop.DBus.AddMatch", rule).Err; err != nil {
		return false, fmt.Errorf("waiting for the prompt: %w", err)
	}
	p := s.conn.Object(secretsName, path)
	if err := call(ctx, p, promptIface+".Prompt", "").Err; err != nil {
		return false, explain(err, "showing the prompt")
	}
	for {
		select {
		case sig := <-signals:
			if sig.Path != path || sig.Name != promptIface+".Completed" || len(sig.Body) == 0 {
				continue
			}
			dismissed, _ := sig.Body[0].(bool)
			return dismissed, nil
		case <-ctx.Done():
			// Take the prompt off the screen; the caller has given up on it.
			_ = p.Call(promptIface+".Dismiss", dbus.FlagNoReplyExpected).Err
			return false, fmt.Errorf("nobody answered the prompt: %w", ctx.Err())
		}
	}
}

// getProperty reads an object's property into out.
func getProperty(ctx context.Context, obj dbus.BusObject, name string, out any) error {
	i := strings.LastIndexByte(name, '.')
	var v dbus.Variant
	if err := call(ctx, obj, propertiesGet, name[:i], name[i+1:]).Store(&v); err != nil {
		return err
	}
	return dbus.Store([]any{v.Value()}, out)
}

// callTimeout bounds a call that waits on no person: a service that takes
// longer is stalled. A prompt, which waits on one, is bounded by the
// caller's context alone.
const callTimeout = 10 * time.Second

// call calls method on obj and waits for the reply, at most callTimeout
// within ctx.
func call(ctx context.Context, obj dbus.BusObject, method string, args ...any) *dbus.Call {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return obj.CallWithContext(ctx, method, 0, args...)
}

// explain wraps a failed call with what was being done.
func explain(err error, doing string) error { return fmt.Errorf("%s: %w", doing, err) }

// isServiceUnknown reports whether a call failed because nothing on the bus
// owns the name it was sent to (and D-Bus activation could not start it).
func isServiceUnknown(err error) bool {
	var de dbus.Error
	return errors.As(err, &de) && de.Name == "org.freedesktop.DBus.Error.ServiceUnknown"
}

// unescapePath decodes the _XX escapes that Secret Service implementations use
// for characters an object path cannot hold (a collection named "my keys" is
// .../collection/my_20keys). Anything malformed is returned as it is.
func unescapePath(p string) string {
	if !strings.Contains(p, "_") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '_' && i+2 < len(p) {
			if n, err := strconv.ParseUint(p[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 2
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}
