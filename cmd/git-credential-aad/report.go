package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	gitsetup "github.com/aadcred/aadcred/install/git"
)

// configureReport tells the person what configure did, or would do in a dry run: in which file,
// for which URLs, what it means, and how to undo it; short enough to read at a glance.
type configureReport struct {
	file    string // the path, or how git names a file it does not say the path of
	helper  string
	dryRun  bool
	changes []gitsetup.Change
	undo    string // the command that undoes it
}

// configFile is where the setup's changes go: the path, or "git's system configuration" where
// git does not tell the path.
func configFile(ctx context.Context, s *gitsetup.Setup) string {
	if f := s.File(ctx); f != "" {
		return f
	}
	return "git's " + string(s.Scope) + " configuration"
}

// scopeArgs are the flags that choose scope again, for a command to show.
func scopeArgs(scope gitsetup.Scope) []string {
	if scope == gitsetup.Global {
		return nil // the default
	}
	return []string{"--" + string(scope)}
}

func (r configureReport) writeConfigured(w io.Writer) {
	if !r.writeHeading(w, "git is already configured in %s; nothing changed.", "Would configure git in %s", "Configured git in %s") {
		return
	}
	r.writeURLs(w, nil)
	fmt.Fprint(w, "For these URLs git asks git-credential-aad alone (helpers set earlier for them\n"+
		"are no longer asked), and sends the path, which names the organisation.\n")
	fmt.Fprintf(w, "Helper:   %s\n", r.helper)
	if !r.dryRun {
		fmt.Fprintf(w, "To undo:  %s\n", r.undo)
	}
}

func (r configureReport) writeRemoved(w io.Writer) {
	if !r.writeHeading(w, "git-credential-aad is not configured in %s; nothing changed.",
		"Would remove git-credential-aad from %s", "Removed git-credential-aad from %s") {
		return
	}
	r.writeURLs(w, func(c gitsetup.Change) string {
		if c.UseHTTPPath && c.UseHTTPPathNow != "" {
			return " (useHttpPath back to " + c.UseHTTPPathNow + ")"
		}
		return ""
	})
}

// writeHeading says, of the file (%s in each sentence), that nothing changed, or heads the list
// of what changed, or would in a dry run. It reports whether a list follows.
func (r configureReport) writeHeading(w io.Writer, nothing, wouldChange, changed string) bool {
	switch {
	case len(r.changes) == 0:
		fmt.Fprintln(w, fmt.Sprintf(nothing, r.file))
		return false
	case r.dryRun:
		fmt.Fprintln(w, fmt.Sprintf(wouldChange, r.file)+" (dry run: nothing written):")
	default:
		fmt.Fprintln(w, fmt.Sprintf(changed, r.file)+":")
	}
	return true
}

// writeURLs lists the URLs changed, each with what note says of it.
func (r configureReport) writeURLs(w io.Writer, note func(gitsetup.Change) string) {
	var b strings.Builder
	for _, c := range r.changes {
		b.WriteString("  " + c.URL)
		if note != nil {
			b.WriteString(note(c))
		}
		b.WriteByte('\n')
	}
	io.WriteString(w, b.String())
}
