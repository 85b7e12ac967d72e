package docker

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aadcred/aadcred/install/internal/atomicfile"
)

// HelperName is the credHelpers value that makes docker run docker-credential-aad.
const HelperName = "aad"

// Change is what Configure did, or would have done, for one registry.
type Change struct {
	Registry string
	// Action is "added", "removed", "replaced" (another helper was named for it), "unchanged"
	// (already as asked), or "kept" (--remove, but the entry names another helper).
	Action string
	// Previous is the helper the entry named before, for "replaced" and "kept".
	Previous string
}

// Configure makes the docker configuration at path send the registries (exact hosts, as docker
// keys credHelpers) to docker-credential-aad, or, with remove, stops sending them. It preserves
// every other field and the file's mode, writes nothing when nothing changes, and replaces the
// file atomically. A symbolic link at path is followed, so that the file it points to is updated.
//
// The containers tools' auth.json (podman, buildah, skopeo) has the same credHelpers, and
// Configure edits it alike.
func Configure(path string, registries []string, remove bool) ([]Change, error) {
	return edit(path, registries, remove, true)
}

// Plan returns the changes Configure would make, and writes nothing.
func Plan(path string, registries []string, remove bool) ([]Change, error) {
	return edit(path, registries, remove, false)
}

func edit(path string, registries []string, remove, write bool) ([]Change, error) {
	target, data, root, mode, err := load(path)
	if err != nil {
		return nil, err
	}
	helpers, err := credHelpers(root, target)
	if err != nil {
		return nil, err
	}

	changes := make([]Change, 0, len(registries))
	for _, r := range registries {
		c := Change{Registry: r}
		raw, present := helpers.get(r)
		var current string
		if present {
			_ = json.Unmarshal(raw, &current) // credHelpers checked every value is a string
		}
		switch {
		case remove && present && namesThisHelper(current):
			helpers = helpers.remove(r)
			c.Action = "removed"
		case remove && present:
			c.Action, c.Previous = "kept", current
		case remove:
			c.Action = "unchanged"
		case present && namesThisHelper(current):
			c.Action = "unchanged"
		default:
			if present {
				c.Action, c.Previous = "replaced", current
			} else {
				c.Action = "added"
			}
			helpers = helpers.set(r, json.RawMessage(`"`+HelperName+`"`))
		}
		changes = append(changes, c)
	}
	if !changed(changes) || !write {
		return changes, nil
	}

	if len(helpers) == 0 {
		root = root.remove("credHelpers")
	} else {
		// A value inside the file: root.marshal indents it to its place.
		value, err := helpers.marshal(layout{indent: dockerLayout.indent})
		if err != nil {
			return nil, err
		}
		root = root.set("credHelpers", value)
	}
	out, err := root.marshal(layoutOf(data))
	if err != nil {
		return nil, fmt.Errorf("writing docker configuration %s: %w", target, err)
	}
	if err := atomicfile.Write(target, out, mode); err != nil {
		return nil, fmt.Errorf("writing docker configuration %s: %w", target, err)
	}
	return changes, nil
}

func changed(changes []Change) bool {
	for _, c := range changes {
		if c.Action != "unchanged" && c.Action != "kept" {
			return true
		}
	}
	return false
}

// credHelpers returns the credHelpers object of root, empty when there is none.
func credHelpers(root object, path string) (object, error) {
	raw, ok := root.get("credHelpers")
	if !ok || string(raw) == "null" {
		return object{}, nil
	}
	helpers, err := parseObject(raw)
	if err != nil {
		return nil, fmt.Errorf("docker configuration %s: credHelpers is not an object of registry names to helper names", path)
	}
	for _, m := range helpers {
		var name string
		if json.Unmarshal(m.value, &name) != nil {
			return nil, fmt.Errorf("docker configuration %s: credHelpers[%q] is not a helper name", path, m.key)
		}
	}
	return helpers, nil
}

// load reads the configuration at path, following a symbolic link: the file's path, its
// content and object, and its mode. A missing file is an empty object.
func load(path string) (string, []byte, object, fs.FileMode, error) {
	target, err := resolve(path)
	if err != nil {
		return "", nil, nil, 0, err
	}
	data, mode, err := readConfig(target)
	if err != nil {
		return "", nil, nil, 0, err
	}
	root, err := parseObject(data)
	if err != nil {
		return "", nil, nil, 0, fmt.Errorf("configuration %s is not valid JSON (%v); fix or move it, then run this again", target, err)
	}
	return target, data, root, mode, nil
}

// resolve follows a symbolic link at path; a missing file is fine.
func resolve(path string) (string, error) {
	target, err := filepath.EvalSymlinks(path)
	switch {
	case err == nil:
		return target, nil
	case errors.Is(err, fs.ErrNotExist):
		if link, lerr := os.Readlink(path); lerr == nil { // a dangling link: create what it names
			if !filepath.IsAbs(link) {
				link = filepath.Join(filepath.Dir(path), link)
			}
			return link, nil
		}
		return path, nil
	}
	return "", fmt.Errorf("reading docker configuration %s: %w", path, err)
}

// readConfig returns the file's content and mode; a missing file is empty, with the mode docker
// gives a new config.json.
func readConfig(path string) ([]byte, fs.FileMode, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0o600, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("reading docker configuration %s: %w", path, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, 0, fmt.Errorf("reading docker configuration %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("docker configuration %s is not a regular file", path)
	}
	return data, fi.Mode().Perm(), nil
}
