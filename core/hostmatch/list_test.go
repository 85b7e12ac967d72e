package hostmatch_test

import (
	"strings"
	"testing"

	"github.com/aadcred/aadcred/core/hostmatch"
)

func TestListMatch(t *testing.T) {
	list, err := hostmatch.ParseList([]string{"dev.azure.com", "*.visualstudio.com", "git.contoso.com:8443"})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{
		"dev.azure.com":                         true,
		"contoso.visualstudio.com":              true,
		"git.contoso.com:8443":                  true,
		"git.contoso.com":                       false,
		"dev.azure.com.evil.example":            false,
		"evilvisualstudio.com":                  false,
		"visualstudio.com":                      false,
		"contoso.visualstudio.com.evil.example": false,
		"":                                      false,
		"not a host":                            false,
	}
	for host, want := range tests {
		if got := list.Match(host); got != want {
			t.Errorf("List.Match(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestNilListMatchesNothing(t *testing.T) {
	var list hostmatch.List
	if list.Match("dev.azure.com") {
		t.Error("nil List matched dev.azure.com")
	}
	empty, err := hostmatch.ParseList(nil)
	if err != nil || empty.Match("dev.azure.com") {
		t.Errorf("ParseList(nil) = %v, %v; want an empty list that matches nothing", empty, err)
	}
}

func TestParseListNamesTheBadPattern(t *testing.T) {
	_, err := hostmatch.ParseList([]string{"dev.azure.com", "*", "*.azurecr.io"})
	if err == nil {
		t.Fatal("ParseList accepted \"*\"")
	}
	if !strings.HasPrefix(err.Error(), `"*" is not a host name or *.suffix pattern`) {
		t.Errorf("error %q does not name the bad pattern", err)
	}
}
