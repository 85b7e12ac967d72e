package pop

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseClaimsAsKubeloginDoes(t *testing.T) {
	got, err := ParseClaims("u=/subscriptions/s/x, claim2 = val2 ,claim3=val3")
	if want := map[string]string{"u": "/subscriptions/s/x", "claim2": "val2", "claim3": "val3"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseClaims = %v, %v; want %v", got, err, want)
	}
	for claims, want := range map[string]string{
		"":                   "empty",
		"  \t ":              "empty",
		"claim1=val1,claim2": "key=value",
		"claim1=  ":          "key=value",
		",,,,":               "key=value",
		"1=2,3=4":            "no u claim",
		"u=":                 "key=value",
	} {
		if _, err := ParseClaims(claims); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseClaims(%q) = %v, want an error containing %q", claims, err, want)
		}
	}
}

func FuzzParseClaims(f *testing.F) {
	for _, seed := range []string{"u=x", "u=x,a=b", "a=b,u=", "=,=", "u==x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		claims, err := ParseClaims(s)
		if err == nil && strings.TrimSpace(claims["u"]) == "" {
			t.Fatalf("ParseClaims(%q) accepted claims without u", s)
		}
	})
}
