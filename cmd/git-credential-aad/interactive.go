package main

import (
	"context"
	"os/exec"
	"strings"
	"time"
)

// gitConfigTimeout bounds the one git process the helper may start: git answers a configuration
// lookup in milliseconds, and a person is waiting.
const gitConfigTimeout = 2 * time.Second

// gitCredentialInteractive reads git's credential.interactive (honoured by git 2.47 and later;
// stored by any git) as git reads booleans, and takes Git Credential Manager's "never" as false
// too. Unset, unreadable or anything else, it allows asking, as git does. The child inherits the
// environment, so `git -c credential.interactive=false` reaches it through GIT_CONFIG_PARAMETERS.
func gitCredentialInteractive(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, gitConfigTimeout)
	defer cancel()
	// The raw value: --type=bool would refuse "never" and so let it mean "ask".
	cmd := exec.CommandContext(ctx, "git", "config", "--get", "credential.interactive")
	// Stdin stays nil (the null device): git's request on our stdin is not the child's to read.
	// Output captures stdout, which is git's protocol stream in this process, and stderr.
	cmd.WaitDelay = 100 * time.Millisecond
	out, err := cmd.Output()
	if err != nil {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(string(out))) {
	case "false", "no", "off", "0", "never":
		return false
	}
	return true
}
