package fakerepos

import (
	"strings"
	"testing"
)

// FuzzRoute checks that any request path splits into an organisation without a slash and a rest
// that together give the path back.
func FuzzRoute(f *testing.F) {
	for _, s := range []string{"/contoso/web/_git/web/info/refs", "/contoso", "/", "", "//x", "/a%2Fb/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		org, rest := route(path)
		if strings.Contains(org, "/") {
			t.Fatalf("route(%q) = %q, %q: the organisation holds a slash", path, org, rest)
		}
		joined := org
		if strings.Contains(strings.TrimPrefix(path, "/"), "/") {
			joined += "/" + rest
		}
		if joined != strings.TrimPrefix(path, "/") {
			t.Fatalf("route(%q) = %q, %q, which does not give the path back", path, org, rest)
		}
	})
}
