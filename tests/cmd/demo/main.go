// Command demo builds aadcred's binaries and shows git, docker and kubectl using them against
// fakes of Azure's services on loopback: no Azure account needed.
//
//	go run ./tests/cmd/demo
//
// It signs in once with a device code (approved by the fake, as a person would in a browser),
// then clones from and pushes to a fake Azure Repos with the real git, pushes an image to a fake
// Azure Container Registry and reads it back with the docker CLI, and lists the pods of a fake AKS
// cluster with kubectl: no further prompt. A tool that is not installed is replaced by the
// helper's own protocol answer, so the demo always runs to the end.
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
	fmt.Fprintf(out, "\nDevice codes shown: %d. One sign-in served git, docker and kubectl.\n",
		d.entra.Count("devicecode"))
	return nil
}
