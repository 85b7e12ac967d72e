package main

import (
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestRunsAsKubelogin(t *testing.T) {
	for arg0, want := range map[string]bool{
		"kubelogin": true, "/usr/local/bin/kubelogin": true, `C:\tools\KUBELOGIN.EXE`: runtime.GOOS == "windows",
		"kubectl-aad": false, "/usr/bin/kubelogin-old": false, "": false,
	} {
		if got := runsAsKubelogin(arg0); got != want {
			t.Errorf("runsAsKubelogin(%q) = %v, want %v", arg0, got, want)
		}
	}
}

func TestKubeloginArgs(t *testing.T) {
	for _, tc := range []struct {
		in, want []string
		version  bool
	}{
		{[]string{"kubelogin", "get-token", "--login", "msi", "-v", "5"}, []string{"kubelogin", "get-token", "--login", "msi", "-v", "5"}, false},
		{[]string{"kubelogin", "-v", "5", "--logtostderr", "get-token", "-l", "msi"}, []string{"kubelogin", "--debug", "get-token", "-l", "msi"}, false},
		{[]string{"kubelogin", "--v=2", "convert-kubeconfig", "-l", "azurecli"}, []string{"kubelogin", "convert-kubeconfig", "-l", "azurecli"}, false},
		{[]string{"kubelogin", "remove-tokens", "-v", "6", "--logtostderr=false"}, []string{"kubelogin", "--debug", "remove-tokens"}, false},
		{[]string{"kubelogin", "--profile", "work", "get-token"}, []string{"kubelogin", "--profile", "work", "get-token"}, false},
		{[]string{"kubelogin", "--version"}, []string{"kubelogin"}, true},
		{[]string{"kubelogin", "remove-tokens", "--", "-v", "6"}, []string{"kubelogin", "remove-tokens", "--", "-v", "6"}, false},
		{[]string{"kubelogin"}, []string{"kubelogin"}, false},
		{[]string{"kubelogin", "-v5", "get-token", "-lazurecli"}, []string{"kubelogin", "--debug", "get-token", "-lazurecli"}, false},
		{[]string{"kubelogin", "-v2", "-version"}, []string{"kubelogin"}, true},
	} {
		got, version, err := kubeloginArgs(tc.in)
		if err != nil || !slices.Equal(got, tc.want) || version != tc.version {
			t.Errorf("kubeloginArgs(%q) = %q, %v, %v; want %q, %v", tc.in, got, version, err, tc.want, tc.version)
		}
	}
	for _, bad := range [][]string{{"kubelogin", "-v"}, {"kubelogin", "-v", "loud", "get-token"}} {
		if _, _, err := kubeloginArgs(bad); err == nil || !strings.Contains(err.Error(), "number") {
			t.Errorf("kubeloginArgs(%q): %v, want an error asking for a number", bad, err)
		}
	}
}

func TestKubeloginVersionHasKubeloginsShape(t *testing.T) {
	var out strings.Builder
	writeKubeloginVersion(&out)
	lines := strings.Split(out.String(), "\n")
	if len(lines) != 6 || lines[0] != "kubelogin version " || !strings.HasPrefix(lines[1], "git hash: aadcred-") ||
		!strings.HasPrefix(lines[2], "Go version: go") || !strings.HasPrefix(lines[3], "Build time: ") ||
		lines[4] != "Platform: "+runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("--version wrote:\n%s", out.String())
	}
}

func FuzzKubeloginArgs(f *testing.F) {
	for _, seed := range []string{"-v\x005\x00get-token\x00-l\x00msi", "--v=10\x00--logtostderr=false\x00remove-tokens", "--profile\x00", "-v", "--version\x00--\x00-v"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		in := append([]string{"kubelogin"}, strings.Split(joined, "\x00")...)
		out, _, err := kubeloginArgs(in)
		if err != nil {
			return
		}
		if len(out) == 0 || out[0] != "kubelogin" || len(out) > len(in)+1 {
			t.Fatalf("kubeloginArgs(%q) = %q", in, out)
		}
	})
}
