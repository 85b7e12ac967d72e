// Command fakeazure runs the fake Azure services used by aadcred's end-to-end tests, and prints
// on stdout the environment a client needs, as lines a shell can eval:
//
//	eval "$(go run ./tests/cmd/fakeazure --state-dir /tmp/fake)"
//
// It runs until SIGINT or SIGTERM.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fakeazure:", err)
		os.Exit(1)
	}
}

// run starts every fake, prints their environment to stdout and serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	fakes, err := startFakes(cfg, stderr)
	if err != nil {
		return err
	}
	defer fakes.close()
	if err := writeEnv(stdout, fakes.env()); err != nil {
		return fmt.Errorf("writing environment: %w", err)
	}
	// A comment to a shell's eval, and to a program reading the lines the sign that all are out.
	if _, err := fmt.Fprintln(stdout, "# ready"); err != nil {
		return fmt.Errorf("writing environment: %w", err)
	}
	<-ctx.Done()
	return nil
}
