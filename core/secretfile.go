package core

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxSecretFile bounds what is read as one token: JWTs and refresh tokens are a few KiB.
const maxSecretFile = 64 << 10

// ReadSecretFile reads a token that a command is handed in a file, never on its command line
// (where other users of the machine can see it): the incoming assertion of the onbehalfof method,
// or the refresh token of the refreshtoken method. path "-" reads stdin. what names the token in
// errors; the token itself never appears in one.
func ReadSecretFile(what, path string, stdin io.Reader) (string, error) {
	var r io.Reader
	from := "file " + path
	if path == "-" {
		if stdin == nil {
			return "", fmt.Errorf("reading the %s from stdin: there is no stdin", what)
		}
		r, from = stdin, "on stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("reading the %s file: %w", what, err)
		}
		defer f.Close()
		r = f
	}
	return readToken(what, from, r)
}

// readToken reads one token from r, which from describes ("file <path>", "on stdin"):
// surrounding white space is dropped, and anything that is not one non-empty, unbroken string is
// refused.
func readToken(what, from string, r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("reading the %s %s: %w", what, from, err)
	}
	if len(data) > maxSecretFile {
		return "", fmt.Errorf("the %s %s is longer than %d KiB: it is not one token", what, from, maxSecretFile>>10)
	}
	token := string(bytes.TrimSpace(data))
	switch {
	case token == "":
		return "", fmt.Errorf("the %s %s is empty", what, from)
	case strings.ContainsAny(token, " \t\r\n\x00"):
		return "", errors.New("the " + what + " " + from + " is not one token: it holds white space")
	}
	return token, nil
}
