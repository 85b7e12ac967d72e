package config

import (
	"strconv"
	"strings"
)

// Error is a problem with the configuration file. Its message reads like
//
//	/home/me/.config/aadcred/config.yaml:7: key "git.hosts[1]": "*" is not a host name or *.suffix pattern
//
// Messages never repeat the value of an unknown key, which may be a secret
// written into the file by mistake.
type Error struct {
	File string // path of the configuration file
	Line int    // 1-based line, or 0 when the problem has no single line
	Key  string // dotted path of the key, such as "git.hosts[1]"; may be empty
	Msg  string // what is wrong and, where possible, how to fix it
	Err  error  // underlying error, such as a file system error; may be nil
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":")
			b.WriteString(strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString("key ")
		b.WriteString(strconv.Quote(e.Key))
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error, so that errors.Is(err, fs.ErrPermission)
// works on a file that cannot be read.
func (e *Error) Unwrap() error { return e.Err }
