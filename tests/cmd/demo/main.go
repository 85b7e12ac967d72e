// Command demo builds aadcred's three binaries and shows them at work against the fakes of
// Azure's services on loopback: no Azure account needed.
//
//	go run ./tests/cmd/demo
//
// It signs in once with a device code (approved by the fake, as a person would in a browser),
// then gets tokens for Azure DevOps, Azure Container Registry and AKS from the three binaries
// without another prompt, and shows what is cached and how it is protected.
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
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	d, err := newDemo(out)
	if err != nil {
		return err
	}
	defer d.close()
	for _, step := range d.steps() {
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Fprintf(out, "\n== %s\n", step.title)
		if err := step.run(ctx); err != nil {
			return fmt.Errorf("%s: %w", step.title, err)
		}
	}
	fmt.Fprintln(out, "\nAll done: one sign-in served git, docker and kubectl.")
	return nil
}
