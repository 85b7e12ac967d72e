//go:build !linux

package harness

import "testing"

// ReadOnly needs Linux; the end-to-end tests run on Linux only.
func ReadOnly(t testing.TB, dir string) { t.Skip("read-only stores are tested on Linux") }

// FullDisk needs Linux; the end-to-end tests run on Linux only.
func FullDisk(t testing.TB, dir string) { t.Skip("full disks are tested on Linux") }
