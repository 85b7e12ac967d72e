package config

import "fmt"

// Source is where a resolved setting came from. Later sources win:
// a flag beats the environment, which beats the configuration file, which
// beats the built-in default.
type Source int

// The sources of a setting, weakest first.
const (
	SourceNone    Source = iota // set nowhere
	SourceDefault               // built-in default
	SourceFile                  // configuration file
	SourceEnv                   // environment variable
	SourceFlag                  // command-line flag
)

func (s Source) String() string {
	switch s {
	case SourceNone:
		return "not set"
	case SourceDefault:
		return "default"
	case SourceFile:
		return "config file"
	case SourceEnv:
		return "environment"
	case SourceFlag:
		return "flag"
	default:
		return fmt.Sprintf("Source(%d)", int(s))
	}
}

// Value is a resolved setting and where it came from.
type Value struct {
	Name   string // the setting, such as "tenant"
	Value  string // "" when Source is SourceNone
	Source Source
}

// String formats v for --debug and status output, as
// `tenant="contoso.com" (environment)`. It prints the value, so never
// resolve a secret into a Value that may be printed.
func (v Value) String() string {
	if v.Source == SourceNone {
		return v.Name + " not set"
	}
	return fmt.Sprintf("%s=%q (%s)", v.Name, v.Value, v.Source)
}

// Resolve picks the setting called name from the first non-empty of flag,
// env, file and def, in that order, and records which one it was. An empty
// string means "not given at that level": a flag cannot set a setting to
// the empty string.
func Resolve(name, flag, env, file, def string) Value {
	for _, c := range [...]struct {
		value  string
		source Source
	}{
		{flag, SourceFlag},
		{env, SourceEnv},
		{file, SourceFile},
		{def, SourceDefault},
	} {
		if c.value != "" {
			return Value{Name: name, Value: c.value, Source: c.source}
		}
	}
	return Value{Name: name, Source: SourceNone}
}
