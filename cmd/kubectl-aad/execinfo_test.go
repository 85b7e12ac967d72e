package main

import (
	"strings"
	"testing"
)

func TestParseExecInfo(t *testing.T) {
	for _, tc := range []struct {
		raw         string
		want        execInfo
		errContains string
	}{
		{"", execInfo{APIVersion: apiVersionV1beta1, Interactive: true}, ""},
		{"  ", execInfo{APIVersion: apiVersionV1beta1, Interactive: true}, ""},
		{`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`,
			execInfo{APIVersion: apiVersionV1, Interactive: true}, ""},
		{`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false,"cluster":{"server":"https://x"}}}`,
			execInfo{APIVersion: apiVersionV1, Interactive: false, Server: "https://x"}, ""},
		{`{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"interactive":false}}`,
			execInfo{APIVersion: apiVersionV1beta1, Interactive: false}, ""},
		// An older client that does not say: a person may be there, the session decides.
		{`{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{}}`,
			execInfo{APIVersion: apiVersionV1beta1, Interactive: true}, ""},
		{`{"kind":"ExecCredential","spec":{"interactive":false}}`, execInfo{APIVersion: apiVersionV1beta1, Interactive: false}, ""},
		{`{"apiVersion":"client.authentication.k8s.io/v1alpha1","kind":"ExecCredential"}`, execInfo{}, "Kubernetes 1.24 removed"},
		{`{"apiVersion":"client.authentication.k8s.io/v2","kind":"ExecCredential"}`, execInfo{}, `"client.authentication.k8s.io/v2"`},
		{`{"apiVersion":"v1","kind":"Pod"}`, execInfo{}, `"Pod"`},
		{`{"apiVersion":`, execInfo{}, "not an ExecCredential"},
		{`[]`, execInfo{}, "not an ExecCredential"},
		{`{"spec":{"interactive":"yes"}}`, execInfo{}, "not an ExecCredential"},
	} {
		got, err := parseExecInfo(tc.raw)
		switch {
		case tc.errContains != "":
			if err == nil || !strings.Contains(err.Error(), tc.errContains) {
				t.Errorf("parseExecInfo(%s) = %v, want an error containing %q", tc.raw, err, tc.errContains)
			}
		case err != nil:
			t.Errorf("parseExecInfo(%s): %v", tc.raw, err)
		case got != tc.want:
			t.Errorf("parseExecInfo(%s) = %+v, want %+v", tc.raw, got, tc.want)
		}
	}
}

func TestExecInfoPurpose(t *testing.T) {
	withServer := execInfo{Server: "https://aks-prod-dns-1a2b3c4d.hcp.westeurope.azmk8s.io:443"}
	if got := withServer.purpose("6dae42f8-4368-4678-94ff-3960e28e3630"); got != "kubectl needs a token for cluster aks-prod-dns-1a2b3c4d.hcp.westeurope.azmk8s.io." {
		t.Errorf("with the cluster: %q", got)
	}
	if got := (execInfo{}).purpose("6dae42f8-4368-4678-94ff-3960e28e3630"); !strings.Contains(got, "server application 6dae42f8") {
		t.Errorf("without the cluster: %q", got)
	}
}

func FuzzParseExecInfo(f *testing.F) {
	for _, seed := range []string{
		"",
		`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`,
		`{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"cluster":{"server":"https://127.0.0.1","config":{"a":1}}}}`,
		`{"apiVersion":"client.authentication.k8s.io/v1alpha1"}`,
		`{"kind":null,"spec":null}`,
		`{"apiVersion":"\u0000"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		info, err := parseExecInfo(raw)
		if err != nil {
			return
		}
		if info.APIVersion != apiVersionV1 && info.APIVersion != apiVersionV1beta1 {
			t.Fatalf("parseExecInfo(%q) accepted version %q", raw, info.APIVersion)
		}
	})
}
