// Package shared locates the reference data that lives beside the
// repository (the law corpus and the labelled questions) for tests and
// benchmarks, which skip with a clear message when it is absent.
package shared

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns the shared data folder: $PUFABOT_SHARED if set, else the
// folder "shared" beside the repository root (found by walking up to go.mod).
// It returns "" when neither exists.
func Root() string {
	if d := os.Getenv("PUFABOT_SHARED"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			cand := filepath.Join(filepath.Dir(dir), "shared")
			if fi, err := os.Stat(cand); err == nil && fi.IsDir() {
				return cand
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// LawsDir returns the LawRefBook corpus folder, or skips tb when it is absent.
func LawsDir(tb testing.TB) string {
	tb.Helper()
	return need(tb, "laws")
}

// EvalSet returns the path of the labelled training questions, or skips tb.
func EvalSet(tb testing.TB) string {
	tb.Helper()
	return need(tb, filepath.Join("eval", "stard-train.jsonl"))
}

// EvalCorpusDirs lists the folders of the evaluation corpus (national laws,
// judicial interpretations, State Council regulations and ministry rules),
// or skips tb when the corpus is absent.
func EvalCorpusDirs(tb testing.TB) []string {
	tb.Helper()
	laws := LawsDir(tb)
	var dirs []string
	for _, d := range EvalFolders {
		dirs = append(dirs, filepath.Join(laws, d))
	}
	return dirs
}

// EvalFolders are the corpus folders that make up the evaluation corpus.
var EvalFolders = []string{"宪法", "宪法相关法", "民法典", "民法商法", "行政法", "经济法", "社会法", "刑法", "诉讼与非诉讼程序法", "司法解释", "行政法规", "部门规章"}

func need(tb testing.TB, rel string) string {
	tb.Helper()
	root := Root()
	if root == "" {
		tb.Skipf("shared data not found (looked for ../shared beside the repository; set PUFABOT_SHARED): skipping")
	}
	p := filepath.Join(root, rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared data %s not found: skipping", p)
	}
	return p
}
