package managedidentity

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSource(t *testing.T) {
	tests := []struct {
		name string
		vars env
		want Source
	}{
		{"nothing set", env{}, IMDS},
		{"service fabric", env{"IDENTITY_ENDPOINT": "https://127.0.0.1:2377/metadata/identity/oauth2/token", "IDENTITY_HEADER": "h", "IDENTITY_SERVER_THUMBPRINT": "AB"}, ServiceFabric},
		{"app service", env{"IDENTITY_ENDPOINT": "http://127.0.0.1:41000/msi/token", "IDENTITY_HEADER": "h"}, AppService},
		{"app service wins over MSI_ENDPOINT", env{"IDENTITY_ENDPOINT": "http://127.0.0.1:1", "IDENTITY_HEADER": "h", "MSI_ENDPOINT": "http://127.0.0.1:2"}, AppService},
		{"azure ml", env{"MSI_ENDPOINT": "http://127.0.0.1:1", "MSI_SECRET": "s"}, AzureML},
		{"cloud shell", env{"MSI_ENDPOINT": "http://localhost:50342/oauth2/token"}, CloudShell},
		{"azure arc", env{"IDENTITY_ENDPOINT": "http://localhost:40342/metadata/identity/oauth2/token", "IMDS_ENDPOINT": "http://localhost:40342"}, AzureArc},
		{"IDENTITY_ENDPOINT alone", env{"IDENTITY_ENDPOINT": "http://127.0.0.1:1"}, IMDS},
		{"IDENTITY_HEADER alone", env{"IDENTITY_HEADER": "h"}, IMDS},
		{"aadcred's IMDS override is still IMDS", env{"AADCRED_IMDS_ENDPOINT": "http://127.0.0.1:1"}, IMDS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, tt.vars)
			if got := c.Source(); got != tt.want {
				t.Errorf("Source() = %q, want %q", got, tt.want)
			}
			if got, want := Detected(tt.vars.get), tt.want != IMDS; got != want {
				t.Errorf("Detected() = %v, want %v", got, want)
			}
		})
	}
}

func TestSourceFindsArcAgentOnDisk(t *testing.T) {
	c := newTestClient(t, env{})
	c.ArcAgentPath = filepath.Join(t.TempDir(), "himds")
	if err := os.WriteFile(c.ArcAgentPath, []byte("#!/bin/false\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := c.Source(); got != AzureArc {
		t.Errorf("Source() with the agent installed = %q, want %q", got, AzureArc)
	}
	// "auto" must not pick managed identity from a file it cannot see through the environment.
	if Detected(env{}.get) {
		t.Error("Detected() = true for an empty environment")
	}
}
