package core

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// TimeoutError is work no person waits on (the cache's lock, a refresh, an application's
// sign-in) that did not finish within Request.Timeout. Err is what was under way when the time
// ran out.
type TimeoutError struct {
	After time.Duration
	Err   error
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no token within %s: %v", humanDuration(e.After), e.Err)
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// silentContext bounds ctx by r.Timeout, the time that work no person waits on may take.
func (r *settled) silentContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, r.Timeout, &TimeoutError{After: r.Timeout})
}

// timedOut returns err, which work under ctx (from silentContext) ended in, as a TimeoutError
// when the reason was that ctx's time ran out, so that the error says which time that was.
func timedOut(ctx context.Context, err error) error {
	var timeout *TimeoutError
	if err == nil || errors.As(err, &timeout) || !errors.As(context.Cause(ctx), &timeout) {
		return err
	}
	return &TimeoutError{After: timeout.After, Err: err}
}
