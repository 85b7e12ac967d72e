package gitcred_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/cmd/git-credential-aad/internal/gitcred"
)

// FuzzRead checks that Read never panics, never accepts a value holding CR or NUL, and that what
// it accepts survives a trip through Answer.Write unchanged.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		"protocol=https\nhost=dev.azure.com\npath=contoso/web/_git/web\nusername=contoso\n\n",
		"protocol=https\r\nhost=contoso.visualstudio.com\r\n\r\n",
		"protocol=https\nhost=dev.azure.com\nwwwauth[]=Bearer authorization_uri=https://login.microsoftonline.com/t\nwwwauth[]=\n",
		"capability[]=authtype\ncapability[]=state\nauthtype=Bearer\ncredential=abc\n",
		"host=dev.azure.com\rhost=evil.example\n",
		"password=a\x00b\n",
		"no equals here\n",
		"=\n\n\n",
		"host=x\r\r\n",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		req, err := gitcred.Read(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, v := range append([]string{req.Protocol, req.Host, req.Path, req.Username, req.Password, req.AuthType, req.Credential},
			append(req.WWWAuth, req.Capabilities...)...) {
			if strings.ContainsAny(v, "\r\n\x00") {
				t.Fatalf("Read accepted a value with a line break or NUL: %q", v)
			}
		}
		var b strings.Builder
		a := gitcred.Answer{Protocol: req.Protocol, Host: req.Host, Username: req.Username, Password: req.Password}
		if err := a.Write(&b); err != nil {
			t.Fatalf("Write refused values that Read accepted: %v", err)
		}
		again, err := gitcred.Read(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("Read refused what Write wrote: %v", err)
		}
		want := &gitcred.Request{Protocol: req.Protocol, Host: req.Host, Username: req.Username, Password: req.Password}
		if !reflect.DeepEqual(again, want) {
			t.Fatalf("round trip changed the request: %+v, want %+v", again, want)
		}
	})
}
