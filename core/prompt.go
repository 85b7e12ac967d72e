package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// promptWidth is the width the sign-in instructions are wrapped to: the narrowest terminal anyone
// still uses, and what notebooks and CI logs show without scrolling.
const promptWidth = 80

// deviceCodeInstructions is what a person reads to sign in with a device code, in short lines:
// who asks and for what, where to go, the code on a line of its own, and when it expires.
func deviceCodeInstructions(purpose string, flow *DeviceCodeFlow, now time.Time) string {
	var b strings.Builder
	writeWrapped(&b, purpose)
	b.WriteString("To sign in, open this page in a browser on any device:\n")
	fmt.Fprintf(&b, "    %s\n", flow.VerificationURI)
	b.WriteString("and enter the code:\n")
	fmt.Fprintf(&b, "    %s\n", flow.UserCode)
	fmt.Fprintf(&b, "The code expires in %s, at %s.\n", humanDuration(flow.ExpiresAt.Sub(now)), flow.ExpiresAt.Local().Format("15:04"))
	return b.String()
}

// browserInstructions says that a browser is being opened (or cannot be), with the address to
// open by hand in case none comes up.
func browserInstructions(purpose, signInURL string, opening bool) string {
	var b strings.Builder
	writeWrapped(&b, purpose)
	if opening {
		b.WriteString("Opening a browser to sign in. If none opens, open this address in a browser\non this machine:\n")
	} else {
		b.WriteString("To sign in, open this address in a browser on this machine:\n")
	}
	b.WriteString(signInURL + "\n")
	return b.String()
}

// writeWrapped writes text as lines of at most promptWidth columns, broken between words (a
// word longer than a line, an address, gets a line of its own). Empty text writes nothing.
func writeWrapped(b *strings.Builder, text string) {
	line := 0
	for _, word := range strings.Fields(text) {
		switch {
		case line == 0:
		case line+1+len(word) > promptWidth:
			b.WriteByte('\n')
			line = 0
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	if line > 0 {
		b.WriteByte('\n')
	}
}

// humanDuration says d the way a person would: "15 minutes", "1 minute", "40 seconds".
func humanDuration(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= time.Minute:
		return plural(int(d.Round(time.Minute)/time.Minute), "minute")
	case d < time.Second:
		return d.String()
	}
	return plural(int(max(d.Round(time.Second), 0)/time.Second), "second")
}

// SignInTimeoutError is a sign-in that the person did not finish in the time Interaction.Timeout
// allows.
type SignInTimeoutError struct {
	Method Method
	After  time.Duration
}

func (e *SignInTimeoutError) Error() string {
	what := "the browser sign-in"
	if e.Method == DeviceCode {
		what = "the device code sign-in"
	}
	return fmt.Sprintf("%s was not finished within %s", what, humanDuration(e.After))
}

// waitForPerson runs wait, which ends when the person has signed in, and shows them it is
// waiting while it does (Interaction.Waiting), until deadline at most. It turns the end of the
// time the person was given into a SignInTimeoutError.
func (c *Client) waitForPerson(ctx context.Context, r *settled, deadline time.Time, wait func() (*Token, error)) (*Token, error) {
	done := func(*Token, error) {}
	if r.Interaction.Waiting != nil {
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
		done = r.Interaction.Waiting(deadline)
	}
	tok, err := wait()
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		err = &SignInTimeoutError{Method: r.Method, After: r.Interaction.Timeout}
	}
	done(tok, err)
	return tok, err
}
