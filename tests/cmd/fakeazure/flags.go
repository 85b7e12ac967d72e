package main

import (
	"flag"
	"fmt"
	"io"
)

// config is the command line.
type config struct {
	stateDir    string
	autoApprove bool
	verbose     bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("fakeazure", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.stateDir, "state-dir", "", "directory for the CA certificate and key files (default: a temporary directory)")
	fs.BoolVar(&cfg.autoApprove, "auto-approve", false, "approve every device code at once as the default user")
	fs.BoolVar(&cfg.verbose, "v", false, "log every request to stderr")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return cfg, nil
}
