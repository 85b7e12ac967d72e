package docker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// member is one key of a JSON object with its value as written.
type member struct {
	key   string
	value json.RawMessage
}

// object is a JSON object that keeps its keys in the order they were read, so that rewriting a
// person's config.json changes only what was meant to change.
type object []member

// parseObject reads a JSON object. Empty input is an empty object, as docker treats an empty
// config.json.
func parseObject(data []byte) (object, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return object{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("it is not a JSON object")
	}
	var obj object
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("expected a key, found %v", tok)
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, fmt.Errorf("value of %q: %w", key, err)
		}
		obj = append(obj, member{key, value})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	return obj, nil
}

// get returns the value of key, and whether it is there.
func (o object) get(key string) (json.RawMessage, bool) {
	for _, m := range o {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

// set replaces the value of key, or appends key.
func (o object) set(key string, value json.RawMessage) object {
	for i, m := range o {
		if m.key == key {
			o[i].value = value
			return o
		}
	}
	return append(o, member{key, value})
}

// remove drops key.
func (o object) remove(key string) object {
	out := o[:0]
	for _, m := range o {
		if m.key != key {
			out = append(out, m)
		}
	}
	return out
}

// layout is how a file writes its JSON: the indentation of one level, and whether the file ends
// with a newline. Rewriting a person's file keeps theirs.
type layout struct {
	indent  string
	newline bool
}

// dockerLayout is how docker writes config.json: tab-indented (it adds no final newline, but a
// file made here gets one, as editors like).
var dockerLayout = layout{indent: "\t", newline: true}

// layoutOf reads the layout of a JSON document: the white space that starts its first indented
// line is one level. A file with no indented line (empty, or all on one line) gets docker's.
func layoutOf(data []byte) layout {
	l := dockerLayout
	if len(bytes.TrimSpace(data)) == 0 {
		return l
	}
	l.newline = bytes.HasSuffix(data, []byte("\n"))
	for _, line := range bytes.Split(data, []byte("\n"))[1:] {
		trimmed := bytes.TrimLeft(line, " \t")
		if n := len(line) - len(trimmed); n > 0 && len(trimmed) > 0 {
			l.indent = string(line[:n])
			break
		}
	}
	return l
}

// marshal writes the object in layout l. Values are indented to their depth, whatever white
// space they were written with.
func (o object) marshal(l layout) ([]byte, error) {
	var b bytes.Buffer
	if len(o) == 0 {
		b.WriteString("{}")
	} else {
		b.WriteString("{\n")
		for i, m := range o {
			key, err := json.Marshal(m.key)
			if err != nil {
				return nil, err
			}
			b.WriteString(l.indent)
			b.Write(key)
			b.WriteString(": ")
			// json.Indent keeps trailing white space, which would leave a blank line.
			if err := json.Indent(&b, bytes.TrimSpace(m.value), l.indent, l.indent); err != nil {
				return nil, fmt.Errorf("value of %q: %w", m.key, err)
			}
			if i < len(o)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteByte('}')
	}
	if l.newline {
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}
