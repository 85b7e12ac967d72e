package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// stopSignals are the signals that stop a run: Ctrl-C, and SIGTERM from a supervisor, an IDE or
// `timeout`. Either ends the run through its context, so that a sign-in clears its status line
// and says how it ended.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// stoppedBy is the cause of a run's context when a signal stopped the run.
type stoppedBy struct{ signal os.Signal }

func (e stoppedBy) Error() string { return e.signal.String() + " signal received" }

// signalContext is parent, cancelled with a stoppedBy cause when one of stopSignals arrives.
// Unlike signal.NotifyContext's, the cause names the signal, so that the exit status can.
func signalContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, stopSignals...)
	go func() {
		select {
		case sig := <-signals:
			cancel(stoppedBy{sig})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(signals)
		cancel(nil)
	}
}

// stopped says how a run that ended in err was stopped, if it was: in words ("cancelled",
// "terminated") and as the exit status a shell gives a command the signal stopped (128 plus the
// signal's number: 130 for Ctrl-C, 143 for SIGTERM).
func stopped(ctx context.Context, err error) (what string, status int, ok bool) {
	if ctx.Err() == nil || !errors.Is(err, context.Canceled) {
		return "", 0, false
	}
	var stop stoppedBy
	if errors.As(context.Cause(ctx), &stop) && stop.signal == syscall.SIGTERM {
		return "terminated", 128 + int(syscall.SIGTERM), true
	}
	// Ctrl-C, or a caller's own cancellation.
	return "cancelled", exitInterrupted, true
}
