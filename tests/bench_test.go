package tests

import (
	"context"
	"os/exec"
	"testing"

	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// BenchmarkTokenWarmCache is the whole-process cost of `<binary> token` answered from the cache,
// beside a trivial program that reads one file. The target is within 2 ms of that floor (median):
//
//	go test ./tests -run '^$' -bench TokenWarmCache -benchtime 200x
func BenchmarkTokenWarmCache(b *testing.B) {
	floor, err := harness.BuildFloor(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	for _, binary := range harness.Binaries {
		b.Run(binary, func(b *testing.B) {
			w := harness.NewWorld(b, bin, fakeentra.Options{})
			id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
			w.Set("AZURE_TENANT_ID", fakeentra.DefaultTenant)
			w.Set("AZURE_CLIENT_ID", id)
			w.Set("AZURE_CLIENT_SECRET", secret)
			args := []string{"token", "--resource", armResource}
			if r := w.Run("", binary, args...); r.Code != 0 {
				b.Fatalf("warming the cache: %s", r.Stderr)
			}
			before := w.Entra.TokenRequests()
			harness.CompareToFloor(b, floor, func(ctx context.Context) *exec.Cmd { return w.Command(ctx, binary, args...) })
			if n := w.Entra.TokenRequests() - before; n != 0 {
				b.Errorf("the warm cache made %d token requests", n)
			}
		})
	}
}
