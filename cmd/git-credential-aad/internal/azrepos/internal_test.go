package azrepos

import "testing"

func TestProbeURL(t *testing.T) {
	for r, want := range map[Remote]string{
		{Host: "dev.azure.com", Org: "contoso"}:            "https://dev.azure.com/contoso",
		{Host: "contoso.visualstudio.com", Org: "contoso"}: "https://contoso.visualstudio.com/",
		{Host: "127.0.0.1:8443", Org: "contoso"}:           "https://127.0.0.1:8443/contoso",
	} {
		if got := r.probeURL(); got != want {
			t.Errorf("%+v: probeURL = %q, want %q", r, got, want)
		}
	}
}

func TestRemoteKeyIgnoresSpelling(t *testing.T) {
	a := Remote{Host: "dev.azure.com", Org: "contoso"}
	for _, b := range []Remote{
		{Host: "DEV.AZURE.COM", Org: "Contoso"},
		{Host: "dev.azure.com:443", Org: "contoso"},
		{Host: "dev.azure.com.", Org: "contoso"},
	} {
		if entryName(a) != entryName(b) {
			t.Errorf("%+v and %+v have different cache entries", a, b)
		}
	}
	for _, b := range []Remote{
		{Host: "dev.azure.com:8443", Org: "contoso"},
		{Host: "dev.azure.com", Org: "fabrikam"},
	} {
		if entryName(a) == entryName(b) {
			t.Errorf("%+v and %+v share a cache entry", a, b)
		}
	}
	// Unicode lower-casing turns the KELVIN SIGN into "k": a look-alike host must not share the
	// real one's entry.
	genuine, lookalike := Remote{Host: "git.kontoso.example", Org: "x"}, Remote{Host: "git.\u212Aontoso.example", Org: "x"}
	if entryName(genuine) == entryName(lookalike) {
		t.Errorf("%+v and %+v share a cache entry", genuine, lookalike)
	}
}
