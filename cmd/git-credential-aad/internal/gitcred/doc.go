// Package gitcred reads and writes git's credential-helper wire format (git-credential(1)):
// one key=value attribute per line, ended by a blank line or the end of input.
//
// Reading is strict where git's own history shows leniency to be dangerous: a value holding a
// carriage return or a NUL byte is refused (CVE-2024-52006, and GCM's CVE-2024-50338, where a
// lone CR was taken for a line end), as is a line without '='. Unknown keys are ignored, so that
// newer versions of git can add attributes. Writing refuses any value that would break a line.
package gitcred
