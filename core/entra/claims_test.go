package entra

import (
	"encoding/base64"
	"testing"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestDecodeClaims(t *testing.T) {
	tok := "h." + b64(`{"aud":"499b84ac-1321-427f-aa17-267ca6975798","tid":"tenant","oid":"obj","preferred_username":"alice@contoso.com","azp":"app","scp":"user_impersonation","exp":"1767225600","nbf":1767220000,"iat":1767220001,"ver":"2.0"}`) + ".s"
	c, err := DecodeClaims(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Audience != "499b84ac-1321-427f-aa17-267ca6975798" || c.TenantID != "tenant" || c.ObjectID != "obj" ||
		c.UPN != "alice@contoso.com" || c.AppID != "app" || c.Scopes != "user_impersonation" || c.Expiry.Unix() != 1767225600 ||
		c.NotBefore.Unix() != 1767220000 || c.IssuedAt.Unix() != 1767220001 {
		t.Errorf("claims: %+v", c)
	}
	c, err = DecodeClaims("h." + b64(`{"aud":["a","b"],"upn":"u","unique_name":"x"}`) + ".s")
	if err != nil || c.Audience != "a" || c.UPN != "u" {
		t.Errorf("list audience / upn preference: %+v, %v", c, err)
	}
	for _, bad := range []string{"", "opaque", "a.b", "a.!!!.c", "a." + b64("[1]") + ".c"} {
		if _, err := DecodeClaims(bad); err == nil {
			t.Errorf("DecodeClaims(%q) succeeded", bad)
		}
	}
}

func TestDecodeClientInfo(t *testing.T) {
	ci, err := DecodeClientInfo(b64(`{"uid":"u","utid":"t"}`))
	if err != nil || ci.UID != "u" || ci.UTID != "t" {
		t.Fatalf("got %+v, %v", ci, err)
	}
	if _, err := DecodeClientInfo("%%%"); err == nil {
		t.Error("accepted non-base64")
	}
}

func FuzzDecodeClaims(f *testing.F) {
	f.Add("h." + b64(`{"aud":"a","exp":1}`) + ".s")
	f.Add("h." + b64(`{"aud":[1],"exp":"x"}`) + ".s")
	f.Fuzz(func(t *testing.T, s string) { _, _ = DecodeClaims(s) })
}
