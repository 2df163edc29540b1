package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A damaged index heals: ask and index rebuild it instead of failing with
// "run pufabot index" (which could not help, the inputs being unchanged).
func TestDamagedIndexHeals(t *testing.T) {
	cfg := writeConfig(t, "")
	if _, _, err := runCLI(t, "", "index", "--config", cfg); err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(filepath.Dir(cfg), "data", "index")
	ask := func() {
		t.Helper()
		out, _, err := runCLI(t, "", "ask", "--config", cfg, "民法典第1079条")
		if err != nil {
			t.Fatalf("ask: %v", err)
		}
		if !strings.Contains(out, "感情确已破裂") {
			t.Fatalf("ask did not answer from the law:\n%s", out)
		}
	}
	// A truncated snapshot: ask rebuilds, then answers.
	snap := filepath.Join(index, "snapshot.gob")
	fi, err := os.Stat(snap)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(snap, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	ask()
	// A garbled bleve segment: index rebuilds it.
	segs, _ := filepath.Glob(filepath.Join(index, "bleve", "store", "*.zap"))
	if len(segs) == 0 {
		t.Fatal("no bleve segment found")
	}
	b, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := len(b) / 2; i < len(b)/2+32; i++ {
		b[i] = ^b[i]
	}
	if err := os.WriteFile(segs[0], b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCLI(t, "", "index", "--config", cfg, "-v")
	if err != nil {
		t.Fatalf("index: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "index ready") || !strings.Contains(errOut, "index damaged") {
		t.Errorf("index did not say it rebuilt a damaged index:\nstdout: %s\nstderr: %s", out, errOut)
	}
	ask()
}
