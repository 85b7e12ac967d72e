package config

import (
	"strconv"

	yaml "go.yaml.in/yaml/v3"

	"github.com/aadcred/aadcred/core/hostmatch"
)

// The YAML tags the schema distinguishes.
const (
	tagStr   = "!!str"
	tagInt   = "!!int"
	tagBool  = "!!bool"
	tagFloat = "!!float"
	tagNull  = "!!null"
	tagMerge = "!!merge"
)

// decodeFunc checks the value n of the key at path key and stores it.
type decodeFunc func(p *parser, n *yaml.Node, key string) error

// field is one key a mapping may hold.
type field struct {
	name   string
	decode decodeFunc
}

// keyValue is one entry of a mapping, kept for checks across keys.
type keyValue struct {
	key, value *yaml.Node
}

// mapping decodes the entries of n with fields, and returns the entries it
// saw by key. prefix is the dotted path of n followed by ".", or "" at the top.
// Unknown, duplicate and valueless keys are errors.
func (p *parser) mapping(n *yaml.Node, prefix string, fields []field) (map[string]keyValue, error) {
	seen := make(map[string]keyValue, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		keyNode, value := n.Content[i], resolveAlias(n.Content[i+1])
		name, err := p.mappingKey(keyNode, prefix)
		if err != nil {
			return nil, err
		}
		path := prefix + name
		f, ok := lookupField(fields, name)
		if !ok {
			return nil, p.unknownKey(keyNode, prefix, name, fields)
		}
		if first, dup := seen[name]; dup {
			return nil, p.errorf(keyNode, path, "key set twice (first on line %d)", first.key.Line)
		}
		seen[name] = keyValue{keyNode, value}
		if value.Kind == yaml.ScalarNode && value.Tag == tagNull {
			return nil, p.errorf(keyNode, path, "key has no value; give one or remove the key")
		}
		if err := f.decode(p, value, path); err != nil {
			return nil, err
		}
	}
	return seen, nil
}

func lookupField(fields []field, name string) (field, bool) {
	for _, f := range fields {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

// mappingKey returns the text of a key node, which must be a plain string.
func (p *parser) mappingKey(n *yaml.Node, prefix string) (string, error) {
	n = resolveAlias(n)
	if n.Kind == yaml.ScalarNode && n.Tag == tagMerge {
		return "", p.errorf(n, prefix+n.Value, "YAML merge keys are not supported; repeat the settings instead")
	}
	if n.Kind != yaml.ScalarNode || n.Tag != tagStr {
		return "", &Error{File: p.file, Line: n.Line, Key: trimDot(prefix),
			Msg: "keys must be strings, found " + describe(n)}
	}
	return n.Value, nil
}

func trimDot(prefix string) string {
	if len(prefix) > 0 && prefix[len(prefix)-1] == '.' {
		return prefix[:len(prefix)-1]
	}
	return prefix
}

// section decodes a nested mapping such as git: or docker:.
func section(fields []field) decodeFunc {
	return func(p *parser, n *yaml.Node, key string) error {
		if n.Kind != yaml.MappingNode {
			return p.errorf(n, key, "expected a mapping, found %s", describe(n))
		}
		_, err := p.mapping(n, key+".", fields)
		return err
	}
}

// stringValue decodes a string that check accepts.
func stringValue(dst *string, check func(string) error) decodeFunc {
	return func(p *parser, n *yaml.Node, key string) error {
		if n.Kind != yaml.ScalarNode || n.Tag != tagStr {
			return p.errorf(n, key, "expected a string, found %s", describe(n))
		}
		if err := check(n.Value); err != nil {
			return p.errorf(n, key, "%v", err)
		}
		*dst = n.Value
		return nil
	}
}

// intValue decodes an integer in [lo, hi].
func intValue(dst *int, lo, hi int) decodeFunc {
	return func(p *parser, n *yaml.Node, key string) error {
		outOfRange := p.errorf(n, key, "expected an integer from %d to %d", lo, hi)
		if n.Kind != yaml.ScalarNode || n.Tag != tagInt {
			outOfRange.Msg += ", found " + describe(n)
			return outOfRange
		}
		var v int
		if err := n.Decode(&v); err != nil || v < lo || v > hi {
			outOfRange.Msg += ", found " + strconv.Quote(n.Value)
			return outOfRange
		}
		*dst = v
		return nil
	}
}

// boolValue decodes true or false.
func boolValue(dst *bool) decodeFunc {
	return func(p *parser, n *yaml.Node, key string) error {
		if n.Kind != yaml.ScalarNode || n.Tag != tagBool {
			return p.errorf(n, key, "expected true or false, found %s", describe(n))
		}
		var v bool
		if err := n.Decode(&v); err != nil {
			return p.errorf(n, key, "expected true or false, found %s", quote(n.Value))
		}
		*dst = v
		return nil
	}
}

// hostListValue decodes a list of host patterns; each error names the item.
func hostListValue(dst *hostmatch.List) decodeFunc {
	return func(p *parser, n *yaml.Node, key string) error {
		if n.Kind != yaml.SequenceNode {
			return p.errorf(n, key, "expected a list of host names or *.suffix patterns, found %s", describe(n))
		}
		list := make(hostmatch.List, 0, len(n.Content))
		for i, item := range n.Content {
			item = resolveAlias(item)
			itemKey := key + "[" + strconv.Itoa(i) + "]"
			if item.Kind != yaml.ScalarNode || item.Tag != tagStr {
				return p.errorf(item, itemKey, "expected a host name or *.suffix pattern, found %s", describe(item))
			}
			pattern, err := hostmatch.ParsePattern(item.Value)
			if err != nil {
				return p.errorf(item, itemKey, "%v", err)
			}
			list = append(list, pattern)
		}
		*dst = list
		return nil
	}
}

// resolveAlias returns the node an alias (*name) stands for. The parser
// rejects aliases to unknown anchors, and an anchor is never an alias.
func resolveAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// describe names the kind of value n holds, for "expected X, found Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case tagStr:
			return "a string"
		case tagInt:
			return "an integer"
		case tagFloat:
			return "a number"
		case tagBool:
			return "a boolean"
		case tagNull:
			return "no value"
		default:
			return "a value tagged " + quote(n.Tag)
		}
	default:
		return "an unexpected YAML node"
	}
}
