package config

// Profile returns the settings of the named profile laid over the top-level
// settings. An empty name means the file's default profile, or the top-level
// settings alone when the file names none. A name the file does not define
// is an *Error listing the profiles that exist.
//
// A profile that sets either authority_host or cloud replaces both, since
// they are two spellings of one setting.
func (c *Config) Profile(name string) (Settings, error) {
	if c == nil {
		c = &Config{}
	}
	if name == "" {
		name = c.DefaultProfile
	}
	s := c.Defaults
	if name == "" {
		return s, nil
	}
	p, ok := c.Profiles[name]
	if !ok {
		return Settings{}, &Error{File: c.File, Msg: unknownProfile(name, c.Profiles)}
	}
	overlay(&s.Tenant, p.Tenant)
	overlay(&s.ClientID, p.ClientID)
	overlay(&s.Method, p.Method)
	overlay(&s.LoginHint, p.LoginHint)
	if p.AuthorityHost != "" || p.Cloud != "" {
		s.AuthorityHost, s.Cloud = p.AuthorityHost, p.Cloud
	}
	return s, nil
}

func overlay(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}
