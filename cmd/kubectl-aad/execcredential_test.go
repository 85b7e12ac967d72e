package main

import (
	"strings"
	"testing"
	"time"
)

func TestWriteExecCredential(t *testing.T) {
	expiry := time.Date(2026, 1, 1, 1, 55, 0, 999, time.FixedZone("CET", 3600))
	var out strings.Builder
	if err := writeExecCredential(&out, execInfo{APIVersion: apiVersionV1, Interactive: false}, "eyJ0.eyJ1.sig", expiry); err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false},` +
		`"status":{"expirationTimestamp":"2026-01-01T00:55:00Z","token":"eyJ0.eyJ1.sig"}}` + "\n"
	if out.String() != want {
		t.Errorf("wrote\n%s\nwant\n%s", out.String(), want)
	}
}

func TestWriteExecCredentialWithoutExpiry(t *testing.T) {
	var out strings.Builder
	if err := writeExecCredential(&out, execInfo{APIVersion: apiVersionV1beta1, Interactive: true}, "t", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "expirationTimestamp") {
		t.Errorf("an unknown expiry was written: %s", out.String())
	}
}

func TestNamesServer(t *testing.T) {
	ids := []string{"6dae42f8-4368-4678-94ff-3960e28e3630"}
	for target, want := range map[string]bool{
		"6dae42f8-4368-4678-94ff-3960e28e3630/.default":  true,
		"spn:6DAE42F8-4368-4678-94ff-3960e28e3630":       true,
		"6dae42f8-4368-4678-94ff-3960e28e3630":           true,
		"https://management.azure.com/.default":          false,
		"6dae42f8-4368-4678-94ff-3960e28e3630/user.read": false,
		"x6dae42f8-4368-4678-94ff-3960e28e3630/.default": false,
		"499b84ac-1321-427f-aa17-267ca6975798/.default":  false,
	} {
		if got := namesServer(target, ids); got != want {
			t.Errorf("namesServer(%q) = %v, want %v", target, got, want)
		}
	}
}
