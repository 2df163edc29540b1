package main

import (
	"context"
	"github.com/pufabot/pufabot/config"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/store"
)

func TestExamplesExportFeedsRetrieval(t *testing.T) {
	cfgPath := writeConfig(t, "")
	cfg, err := loadConfig(&env{getenv: func(string) string { return "" }}, cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(cfg.DataDir, dbFileName))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	record := func(q string, feedback int, articles ...string) {
		t.Helper()
		if _, err := db.RecordConsultation(ctx, store.Consultation{Resident: "r", Question: q, Feedback: feedback, Articles: articles, AnswerKind: "articles"}); err != nil {
			t.Fatal(err)
		}
	}
	record("两口子去民政局离了婚，后悔了还能撤回吗", store.FeedbackHelpful, "《中华人民共和国民法典》第一千零七十七条")
	record("不相干的问题", store.FeedbackNotHelpful, "《中华人民共和国民法典》第一千零七十九条")
	record("没有条文的问题", store.FeedbackHelpful)
	db.Close()

	out := filepath.Join(t.TempDir(), "helpful.jsonl")
	if _, errOut, err := runCLI(t, "", "examples", "export", "--config", cfgPath, "--out", out); err != nil || !strings.Contains(errOut, "exported 1") {
		t.Fatalf("export: %v %s", err, errOut)
	}
	exs, err := knowledge.ReadExamples(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) != 1 || exs[0].Gold[0].Article != 1077 || exs[0].Gold[0].Law != "民法典" {
		t.Fatalf("exported %+v", exs)
	}
	// Added to knowledge.examples, the exported question is indexed.
	body, _ := os.ReadFile(cfgPath)
	withEx := strings.Replace(string(body), "knowledge:\n", "knowledge:\n  examples: ["+out+"]\n", 1)
	os.WriteFile(cfgPath, []byte(withEx), 0o600)
	eng, err := openEngine(ctx, mustConfig(t, cfgPath), nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if got := eng.Stats().Examples; got != 1 {
		t.Errorf("indexed examples = %d, want 1", got)
	}
}

func mustConfig(t *testing.T, path string) config.Config {
	t.Helper()
	c, err := loadConfig(&env{getenv: func(string) string { return "" }}, path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
