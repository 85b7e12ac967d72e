//go:build !unix

package tests

import "errors"

// mkfifo makes a named pipe, which only Unix has; the end-to-end tests run on Linux.
func mkfifo(string) error { return errors.New("named pipes are Unix's") }
