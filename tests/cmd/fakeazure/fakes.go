package main

import (
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// envVar is one line of the printed environment.
type envVar struct{ name, value string }

// fakes are the running fake services. Fakes of Azure Repos, ACR and AKS join here: each
// starts in startFakes, adds its lines in env and stops in close.
type fakes struct {
	entra        *fakeentra.Server
	clientID     string
	clientSecret string
	closers      []func()
}

// startFakes starts every fake service.
func startFakes(cfg config, stderr io.Writer) (*fakes, error) {
	opts := fakeentra.Options{StateDir: cfg.stateDir}
	if cfg.verbose {
		opts.Logf = log.New(stderr, "", log.LstdFlags).Printf
	}
	entra, err := fakeentra.Start(opts)
	if err != nil {
		return nil, fmt.Errorf("starting fake Entra ID: %w", err)
	}
	f := &fakes{entra: entra, closers: []func(){entra.Close}}
	if cfg.autoApprove {
		entra.AutoApproveDeviceCodes(fakeentra.DefaultUser)
	}
	f.clientID, f.clientSecret = entra.NewServicePrincipal(fakeentra.DefaultTenant)
	if f.clientID == "" {
		f.close()
		return nil, fmt.Errorf("registering the test service principal")
	}
	return f, nil
}

// env is what a client of the fakes needs in its environment.
func (f *fakes) env() []envVar {
	e := f.entra
	return []envVar{
		{"SSL_CERT_FILE", e.CAFile()},
		{"AZURE_AUTHORITY_HOST", e.URL() + "/"},
		{"AZURE_TENANT_ID", fakeentra.DefaultTenant},
		{"AZURE_CLIENT_ID", f.clientID},
		{"AZURE_CLIENT_SECRET", f.clientSecret},
		{"FAKEAZURE_USER", fakeentra.DefaultUser},
		{"FAKEAZURE_USER_PASSWORD", fakeentra.DefaultUserPassword},
		{"FAKEAZURE_JWKS_URL", e.URL() + "/common/discovery/keys"},
		{"FAKEAZURE_IMDS_ENDPOINT", e.IMDSEndpoint()},
		{"FAKEAZURE_APPSERVICE_ENDPOINT", e.AppServiceEndpoint()},
		{"FAKEAZURE_APPSERVICE_HEADER", e.AppServiceHeader()},
		{"FAKEAZURE_CLOUDSHELL_ENDPOINT", e.CloudShellEndpoint()},
		{"FAKEAZURE_ARC_ENDPOINT", e.ArcEndpoint()},
		{"FAKEAZURE_ARC_KEY_DIR", e.ArcKeyDir()},
	}
}

// close stops the fakes in the reverse order of their start.
func (f *fakes) close() {
	for i := len(f.closers) - 1; i >= 0; i-- {
		f.closers[i]()
	}
}

// writeEnv prints vars as `export NAME='value'` lines, quoted for POSIX shells.
func writeEnv(w io.Writer, vars []envVar) error {
	for _, v := range vars {
		if _, err := fmt.Fprintf(w, "export %s=%s\n", v.name, shellQuote(v.value)); err != nil {
			return err
		}
	}
	return nil
}

// shellQuote single-quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
