package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pufabot/pufabot/internal/shared"
)

// BenchmarkBuildEvalIndex builds the index of the evaluation corpus (about
// 64,000 articles) from scratch. Peak memory is printed by
// `pufabot index` ("peak memory (RSS)"), which runs the same build.
func BenchmarkBuildEvalIndex(b *testing.B) {
	benchmarkBuild(b, shared.EvalCorpusDirs(b))
}

// BenchmarkBuildFullIndex builds the index of every document in the shared
// corpus, local regulations included (about 147,000 articles).
func BenchmarkBuildFullIndex(b *testing.B) {
	benchmarkBuild(b, []string{shared.LawsDir(b)})
}

func benchmarkBuild(b *testing.B, dirs []string) {
	var articles int
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		e, err := Open(context.Background(), Options{DataDir: dir, Laws: dirs})
		if err != nil {
			b.Fatal(err)
		}
		articles = e.Stats().Articles
		e.Close()
		os.RemoveAll(filepath.Join(dir, indexDirName))
	}
	b.ReportMetric(float64(articles), "articles")
	b.ReportMetric(float64(articles)*float64(b.N)/b.Elapsed().Seconds(), "articles/s")
}
