package gitcred_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/cmd/git-credential-aad/internal/gitcred"
)

func TestWriteBasicAnswer(t *testing.T) {
	a := gitcred.Answer{
		Protocol: "https", Host: "dev.azure.com", Username: "contoso", Password: "eyJ.token.sig",
		PasswordExpiry: time.Unix(1767225300, 0),
	}
	var b strings.Builder
	if err := a.Write(&b); err != nil {
		t.Fatal(err)
	}
	want := "protocol=https\nhost=dev.azure.com\nusername=contoso\npassword=eyJ.token.sig\npassword_expiry_utc=1767225300\n"
	if b.String() != want {
		t.Errorf("Write =\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteBearerAnswer(t *testing.T) {
	a := gitcred.Answer{
		Protocol: "https", Host: "dev.azure.com", Username: "ignored", Password: "ignored",
		AuthType: "Bearer", Credential: "eyJ.token.sig", Ephemeral: true, PasswordExpiry: time.Unix(1767225300, 0),
	}
	var b strings.Builder
	if err := a.Write(&b); err != nil {
		t.Fatal(err)
	}
	want := "protocol=https\nhost=dev.azure.com\ncapability[]=authtype\nauthtype=Bearer\ncredential=eyJ.token.sig\n" +
		"ephemeral=1\npassword_expiry_utc=1767225300\n"
	if b.String() != want {
		t.Errorf("Write =\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteRefusesLineBreaksAndWritesNothing(t *testing.T) {
	for _, bad := range []string{"a\nhost=evil", "a\rb", "a\x00b"} {
		a := gitcred.Answer{Protocol: "https", Host: "dev.azure.com", Username: "u", Password: bad}
		var b strings.Builder
		err := a.Write(&b)
		if err == nil {
			t.Errorf("Write accepted password %q", bad)
		}
		if b.Len() != 0 {
			t.Errorf("Write wrote %q before failing", b.String())
		}
		if err != nil && strings.Contains(err.Error(), bad) {
			t.Errorf("the error repeats the secret: %v", err)
		}
	}
}

func TestWriteRefusesCredentialWithoutAuthType(t *testing.T) {
	a := gitcred.Answer{Credential: "x"}
	var b strings.Builder
	if err := a.Write(&b); err == nil || b.Len() != 0 {
		t.Errorf("Write = %v, wrote %q; want an error and nothing written", err, b.String())
	}
}
