// Package cli is the command line shared by git-credential-aad, docker-credential-aad and
// kubectl-aad: the token, login, logout, status and cache commands, the flags that describe a
// token request, and the rules every binary keeps (stdout carries only the tool's protocol;
// prompts, progress and logs go to stderr; nothing secret is logged; no prompt where no person
// can answer). It holds no token logic: that is package core's.
package cli
