package harness

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BuildFloor builds the trivial program the benchmarks compare against (tests/testdata/floor: read
// one file, print it) into dir and returns a command line that runs it on a file it creates.
func BuildFloor(dir string) ([]string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return nil, err
	}
	exe := filepath.Join(dir, "floor")
	cmd := exec.Command("go", "build", "-o", exe, "./tests/testdata/floor")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, &buildError{out: out, err: err}
	}
	file := filepath.Join(dir, "floor-input")
	if err := os.WriteFile(file, bytes.Repeat([]byte("x"), 1500), 0o600); err != nil {
		return nil, err
	}
	return []string{exe, file}, nil
}

type buildError struct {
	out []byte
	err error
}

func (e *buildError) Error() string {
	return "building the floor program: " + e.err.Error() + "\n" + string(e.out)
}

// CompareToFloor runs the command made by run and the floor program alternately, b.N times each,
// and reports the median wall time of both and the difference: the cost of aadcred's answer over
// the least any helper process can cost on this machine. Alternating keeps machine noise fair to
// both. Every run of the command must succeed.
func CompareToFloor(b *testing.B, floor []string, run func(ctx context.Context) *exec.Cmd) {
	b.Helper()
	var ours, base []time.Duration
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		cmd := run(ctx)
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", cmd, err, out)
		}
		ours = append(ours, time.Since(start))

		fl := exec.CommandContext(ctx, floor[0], floor[1:]...)
		start = time.Now()
		if err := fl.Run(); err != nil {
			b.Fatalf("floor: %v", err)
		}
		base = append(base, time.Since(start))
	}
	b.StopTimer()
	m, f := median(ours), median(base)
	b.ReportMetric(float64(m.Microseconds())/1000, "ms/median")
	b.ReportMetric(float64(f.Microseconds())/1000, "ms/floor-median")
	b.ReportMetric(float64((m-f).Microseconds())/1000, "ms/over-floor")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
