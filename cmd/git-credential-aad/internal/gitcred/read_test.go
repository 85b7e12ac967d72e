package gitcred_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/cmd/git-credential-aad/internal/gitcred"
)

func TestReadGit239Request(t *testing.T) {
	in := "protocol=https\nhost=dev.azure.com\npath=contoso/web/_git/web\nusername=contoso\n\n"
	got, err := gitcred.Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &gitcred.Request{Protocol: "https", Host: "dev.azure.com", Path: "contoso/web/_git/web", Username: "contoso"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Read = %+v, want %+v", got, want)
	}
}

func TestReadEndsAtEOFWithoutBlankLine(t *testing.T) {
	for _, in := range []string{"protocol=https\nhost=x", "protocol=https\nhost=x\n", ""} {
		got, err := gitcred.Read(strings.NewReader(in))
		if err != nil {
			t.Errorf("Read(%q): %v", in, err)
			continue
		}
		if in != "" && (got.Protocol != "https" || got.Host != "x") {
			t.Errorf("Read(%q) = %+v", in, got)
		}
	}
}

func TestReadStopsAtTheBlankLine(t *testing.T) {
	got, err := gitcred.Read(strings.NewReader("host=a\n\nhost=b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Host != "a" {
		t.Errorf("host = %q, want the value before the blank line", got.Host)
	}
}

func TestReadStripsOneCRBeforeLF(t *testing.T) {
	got, err := gitcred.Read(strings.NewReader("protocol=https\r\nhost=dev.azure.com\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Protocol != "https" || got.Host != "dev.azure.com" {
		t.Errorf("Read = %+v", got)
	}
}

func TestReadSplitsAtTheFirstEquals(t *testing.T) {
	got, err := gitcred.Read(strings.NewReader("password=a=b==\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Password != "a=b==" {
		t.Errorf("password = %q, want a=b==", got.Password)
	}
}

func TestReadLaterValueWins(t *testing.T) {
	got, err := gitcred.Read(strings.NewReader("username=a\nusername=b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Username != "b" {
		t.Errorf("username = %q, want b", got.Username)
	}
}

func TestReadLists(t *testing.T) {
	in := "wwwauth[]=Basic realm=\"x\"\nwwwauth[]=\nwwwauth[]=Bearer authorization_uri=https://login.example/t\n" +
		"wwwauth[]=TFS-Federated\ncapability[]=authtype\ncapability[]=state\n"
	got, err := gitcred.Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Bearer authorization_uri=https://login.example/t", "TFS-Federated"}
	if !reflect.DeepEqual(got.WWWAuth, want) {
		t.Errorf("wwwauth = %q, want %q (an empty item clears the list)", got.WWWAuth, want)
	}
	if !got.HasCapability("authtype") || !got.HasCapability("state") || got.HasCapability("other") {
		t.Errorf("capabilities = %q", got.Capabilities)
	}
}

func TestReadIgnoresUnknownKeys(t *testing.T) {
	got, err := gitcred.Read(strings.NewReader("future_key=1\nurl=https://x/\n=empty key\nhost=h\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Host != "h" {
		t.Errorf("host = %q", got.Host)
	}
}

func TestReadRefusesBadLines(t *testing.T) {
	secret := "s3cr3t-value"
	tests := map[string]string{
		"lone CR in value":  "host=dev.azure.com\rhost=evil.example\n",
		"CR in password":    "password=" + secret + "\r\rx\n",
		"NUL in value":      "host=dev.azure.com\x00.evil\n",
		"NUL in key":        "ho\x00st=x\n",
		"no equals":         "protocol=https\n" + secret + "\n",
		"line too long":     "password=" + strings.Repeat("x", gitcred.MaxLineLength) + "\n",
		"too long, no LF":   "password=" + strings.Repeat("x", gitcred.MaxLineLength+10),
		"input too long":    strings.Repeat("k="+strings.Repeat("x", 1000)+"\n", gitcred.MaxInput/1000+1),
		"CR after CR strip": "host=x\r\r\n",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := gitcred.Read(strings.NewReader(in))
			if err == nil {
				t.Fatalf("Read accepted it: %+v", got)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "xxxxxxxx") {
				t.Errorf("the error repeats a value: %v", err)
			}
		})
	}
}

func TestReadAcceptsTheLongestLine(t *testing.T) {
	value := strings.Repeat("x", gitcred.MaxLineLength-len("password="))
	got, err := gitcred.Read(strings.NewReader("password=" + value + "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Password != value {
		t.Errorf("password has %d bytes, want %d", len(got.Password), len(value))
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestReadReportsReadErrors(t *testing.T) {
	if _, err := gitcred.Read(failingReader{}); err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Errorf("Read = %v, want the read error", err)
	}
}
