package gitcred

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits on what Read accepts. git documents 65535 bytes as the longest line it sends; the
// total bounds what a misbehaving parent can make the helper hold in memory.
const (
	MaxLineLength = 64 << 10
	MaxInput      = 1 << 20
)

// Request is a credential description git sends to a helper.
type Request struct {
	Protocol string
	Host     string // with ":port" when the URL had one
	Path     string // only with credential.useHttpPath, for http(s)
	Username string
	// Password is the secret git already has: on erase, the one the server rejected.
	Password string
	// AuthType and Credential are the pre-encoded credential of git 2.46 and later, sent back on
	// store and erase to a helper that produced one.
	AuthType   string
	Credential string
	// WWWAuth holds the WWW-Authenticate headers of the response that asked for credentials, in
	// order (git 2.41 and later).
	WWWAuth []string
	// Capabilities are what this git understands in an answer (git 2.46 and later).
	Capabilities []string
}

// HasCapability reports whether git said it understands capability name.
func (r *Request) HasCapability(name string) bool {
	for _, c := range r.Capabilities {
		if c == name {
			return true
		}
	}
	return false
}

// Read reads one credential description: lines up to a blank line or the end of input.
//
// Errors name the line and the key, never a value: values may be secrets.
func Read(r io.Reader) (*Request, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxInput+1))
	req := &Request{}
	total := 0
	for n := 1; ; n++ {
		line, err := readLine(br)
		total += len(line) + 1
		if total > MaxInput {
			return nil, fmt.Errorf("credential input is longer than %d bytes", MaxInput)
		}
		switch {
		case errors.Is(err, errLineTooLong):
			return nil, fmt.Errorf("credential line %d: %w", n, err)
		case err != nil && !errors.Is(err, io.EOF):
			return nil, fmt.Errorf("reading credential input: %w", err)
		}
		if len(line) == 0 {
			// A blank line ends the description; so does the end of input.
			return req, nil
		}
		if perr := req.set(line); perr != nil {
			return nil, fmt.Errorf("credential line %d: %w", n, perr)
		}
		if errors.Is(err, io.EOF) {
			return req, nil
		}
	}
}

var errLineTooLong = fmt.Errorf("line is longer than %d bytes", MaxLineLength)

// readLine returns the next line without its LF and without one CR before it. At the end of the
// input it returns the unterminated rest (possibly empty) with io.EOF.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > MaxLineLength+2 { // the line, a CR and the LF
			return nil, errLineTooLong
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > MaxLineLength {
			return nil, errLineTooLong
		}
		return line, err
	}
}

// set applies one key=value line.
func (r *Request) set(line []byte) error {
	key, value, ok := strings.Cut(string(line), "=")
	if !ok {
		return errors.New("no '=' between key and value")
	}
	if strings.ContainsAny(key, "\r\x00") {
		return errors.New("the key contains a carriage return or a NUL byte")
	}
	if strings.ContainsAny(value, "\r\x00") {
		// A CR here is how injection into git's reading of our answer, or a server's of git's
		// request, has been done; there is no honest reason for one.
		return fmt.Errorf("the value of %s contains a carriage return or a NUL byte", describeKey(key))
	}
	switch key {
	case "protocol":
		r.Protocol = value
	case "host":
		r.Host = value
	case "path":
		r.Path = value
	case "username":
		r.Username = value
	case "password":
		r.Password = value
	case "authtype":
		r.AuthType = value
	case "credential":
		r.Credential = value
	case "wwwauth[]":
		r.WWWAuth = appendListItem(r.WWWAuth, value)
	case "capability[]":
		r.Capabilities = appendListItem(r.Capabilities, value)
	}
	// Other keys are for other helpers or newer versions of git.
	return nil
}

// appendListItem adds value to a key[] list; an empty value clears the list, as in git.
func appendListItem(list []string, value string) []string {
	if value == "" {
		return nil
	}
	return append(list, value)
}

// describeKey names a key in an error: quoted, and shortened when it is long.
func describeKey(key string) string {
	const limit = 40
	if len(key) > limit {
		return fmt.Sprintf("%q…", key[:limit])
	}
	return fmt.Sprintf("%q", key)
}
