package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Parse parses the configuration in data. name is the file it came from and
// is used only in errors. Empty data is an empty configuration. Any problem
// is an *Error with File set to name.
func Parse(name string, data []byte) (*Config, error) {
	if len(data) > maxFileSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("the file is larger than %d bytes", maxFileSize)}
	}
	root, err := decodeDocument(name, data)
	if err != nil {
		return nil, err
	}
	c := &Config{File: name}
	if root == nil || root.Tag == tagNull && root.Kind == yaml.ScalarNode {
		return c, nil
	}
	p := parser{file: name}
	if err := p.topLevel(root, c); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeDocument returns the root node of the only YAML document in data, or
// nil when data holds no document at all.
func decodeDocument(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return nil, nil
	case err != nil:
		return nil, syntaxError(name, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(name, err)
	default:
		return nil, &Error{File: name, Line: next.Line, Msg: "the file holds more than one YAML document; keep only one"}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// yamlLine matches the position that go.yaml.in/yaml/v3 puts in the text of
// its syntax errors, the only place it reports one.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

func syntaxError(name string, err error) *Error {
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return &Error{File: name, Line: line, Msg: "invalid YAML: " + msg}
}

// parser walks the YAML tree against the schema, producing errors that name
// the file, line and key.
type parser struct {
	file string
}

func (p *parser) errorf(n *yaml.Node, key, format string, args ...any) *Error {
	return &Error{File: p.file, Line: n.Line, Key: key, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) topLevel(root *yaml.Node, c *Config) error {
	root = resolveAlias(root)
	if root.Kind != yaml.MappingNode {
		return p.errorf(root, "", "the file must be a mapping of keys to values, not %s", describe(root))
	}
	seen, err := p.mapping(root, "", topLevelFields(c))
	if err != nil {
		return err
	}
	if err := p.checkOneAuthority(seen, ""); err != nil {
		return err
	}
	if kv, ok := seen["profile"]; ok {
		if _, defined := c.Profiles[c.DefaultProfile]; !defined {
			return p.errorf(kv.value, "profile", "%s", unknownProfile(c.DefaultProfile, c.Profiles))
		}
	}
	return nil
}

// checkOneAuthority rejects a level that sets both spellings of the
// authority, which would leave one of them silently ignored.
func (p *parser) checkOneAuthority(seen map[string]keyValue, prefix string) error {
	if _, ok := seen["authority_host"]; !ok {
		return nil
	}
	if kv, ok := seen["cloud"]; ok {
		return p.errorf(kv.key, prefix+"cloud", "set authority_host or cloud, not both")
	}
	return nil
}

func topLevelFields(c *Config) []field {
	return append(settingsFields(&c.Defaults),
		field{"redirect_port", intValue(&c.Defaults.RedirectPort, 0, 65535)},
		field{"profile", stringValue(&c.DefaultProfile, checkProfileName)},
		field{"profiles", profilesValue(&c.Profiles)},
		field{"git", section(gitFields(&c.Git))},
		field{"docker", section(dockerFields(&c.Docker))},
		field{"keystore", section(keystoreFields(&c.Keystore))},
	)
}

func settingsFields(s *Settings) []field {
	return []field{
		{"tenant", stringValue(&s.Tenant, checkTenant)},
		{"client_id", stringValue(&s.ClientID, checkClientID)},
		{"method", stringValue(&s.Method, methods.check)},
		{"authority_host", stringValue(&s.AuthorityHost, checkAuthorityHost)},
		{"cloud", stringValue(&s.Cloud, clouds.check)},
		{"login_hint", stringValue(&s.LoginHint, checkLoginHint)},
	}
}

func gitFields(g *Git) []field {
	return []field{
		{"hosts", hostListValue(&g.Hosts)},
	}
}

func dockerFields(d *Docker) []field {
	return []field{
		{"registries", hostListValue(&d.Registries)},
		{"audience", stringValue(&d.Audience, checkAudience)},
		{"identity_token", boolValue(&d.IdentityToken)},
	}
}

func keystoreFields(k *Keystore) []field {
	return []field{
		{"backend", stringValue(&k.Backend, backends.check)},
		{"dir", stringValue(&k.Dir, checkDir)},
		{"encrypt_access_tokens", boolValue(&k.EncryptAccessTokens)},
	}
}

// profilesValue decodes the profiles mapping: profile name -> settings.
func profilesValue(dst *map[string]Settings) decodeFunc {
	return func(p *parser, n *yaml.Node, key string) error {
		if n.Kind != yaml.MappingNode {
			return p.errorf(n, key, "expected a mapping of profile names to settings, found %s", describe(n))
		}
		profiles := make(map[string]Settings, len(n.Content)/2)
		lines := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			nameNode, value := n.Content[i], resolveAlias(n.Content[i+1])
			name, err := p.mappingKey(nameNode, key)
			if err != nil {
				return err
			}
			path := key + "." + name
			if err := checkProfileName(name); err != nil {
				return p.errorf(nameNode, path, "%v", err)
			}
			if first, dup := lines[name]; dup {
				return p.errorf(nameNode, path, "profile defined twice (first on line %d)", first)
			}
			lines[name] = nameNode.Line
			if value.Kind != yaml.MappingNode {
				return p.errorf(value, path, "expected a mapping of settings, found %s", describe(value))
			}
			var s Settings
			seen, err := p.mapping(value, path+".", settingsFields(&s))
			if err != nil {
				return err
			}
			if err := p.checkOneAuthority(seen, path+"."); err != nil {
				return err
			}
			profiles[name] = s
		}
		*dst = profiles
		return nil
	}
}
