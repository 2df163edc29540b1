package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pufabot/pufabot/internal/shared"
)

// evalIndex and plainIndex are the evaluation corpus index with the
// training questions as examples and without any, built once per machine
// into a cache folder (or into $PUFABOT_BENCH_DATA, the plain one into its
// "plain" subfolder) and reused while their inputs are unchanged.
var evalIndex, plainIndex struct {
	once sync.Once
	dir  string
	err  error
}

func evalOptions(tb testing.TB) Options {
	tb.Helper()
	skipEvalCorpusTest(tb)
	o := Options{Laws: shared.EvalCorpusDirs(tb), Examples: []string{shared.EvalSet(tb)}}
	o.DataDir = cachedIndex(tb, &evalIndex, "", o)
	return o
}

// plainEvalOptions is evalOptions without labelled examples.
func plainEvalOptions(tb testing.TB) Options {
	tb.Helper()
	skipEvalCorpusTest(tb)
	o := Options{Laws: shared.EvalCorpusDirs(tb)}
	o.DataDir = cachedIndex(tb, &plainIndex, "plain", o)
	return o
}

// skipEvalCorpusTest skips a test (not a benchmark) that needs the
// evaluation corpus index unless it is asked for: building that index
// takes minutes under -race, on every run where the knowledge code
// changed, which the default test run cannot afford. PUFABOT_BENCH_DATA
// (where the index is kept) or PUFABOT_LONG_TESTS=1 runs them.
func skipEvalCorpusTest(tb testing.TB) {
	tb.Helper()
	if _, ok := tb.(*testing.B); ok {
		return
	}
	long, _ := strconv.ParseBool(os.Getenv("PUFABOT_LONG_TESTS"))
	if os.Getenv("PUFABOT_BENCH_DATA") == "" && !long {
		tb.Skip("needs the evaluation corpus index (minutes to build under -race): set PUFABOT_BENCH_DATA or PUFABOT_LONG_TESTS=1")
	}
}

func cachedIndex(tb testing.TB, c *struct {
	once sync.Once
	dir  string
	err  error
}, sub string, o Options) string {
	tb.Helper()
	c.once.Do(func() {
		dir := os.Getenv("PUFABOT_BENCH_DATA")
		if dir == "" {
			base, err := os.UserCacheDir()
			if err != nil {
				base = os.TempDir()
			}
			dir = filepath.Join(base, "pufabot-bench")
		}
		c.dir = filepath.Join(dir, sub)
		o.DataDir = c.dir
		e, err := Open(context.Background(), o)
		if err == nil {
			err = e.Close()
		}
		c.err = err
	})
	if c.err != nil {
		tb.Fatalf("build evaluation index: %v", c.err)
	}
	return c.dir
}

// BenchmarkSearch runs the training questions through rank (with
// leave-one-out, as eval does) and reports per-query latency percentiles.
func BenchmarkSearch(b *testing.B) {
	o := evalOptions(b)
	e, err := Open(context.Background(), o)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	set, err := ReadExamples(shared.EvalSet(b))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ex := set[i%len(set)]
		skip := func(id, q string) bool { return id == ex.ID || q == ex.Query }
		start := time.Now()
		if _, err := e.SearchExcluding(ctx, ex.Query, 100, skip); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkOpenIndex measures opening an existing, current index: the
// start-up cost of every pufabot command that answers questions.
func BenchmarkOpenIndex(b *testing.B) {
	o := evalOptions(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, err := Open(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}

// BenchmarkVerifyIndex measures the part of BenchmarkOpenIndex that checks
// the size and checksum of every index file (verify.go).
func BenchmarkVerifyIndex(b *testing.B) {
	dir := filepath.Join(evalOptions(b).DataDir, indexDirName)
	m, err := readMeta(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := verifyFiles(dir, m.Files); err != nil {
			b.Fatal(err)
		}
	}
}
