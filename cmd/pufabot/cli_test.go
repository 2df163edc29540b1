package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeConfig writes a config using a temp data dir and the fixture laws
// only (not the built-in corpus, whose index takes seconds to build).
func writeConfig(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	laws, err := filepath.Abs(filepath.Join("..", "..", "knowledge", "testdata", "laws"))
	if err != nil {
		t.Fatal(err)
	}
	body := "data_dir: " + filepath.Join(dir, "data") + "\nknowledge:\n  embedded: false\n  laws: [" + laws + "]\n" + extra
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runCLI runs the command line in-process.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb, func(string) string { return "" })
	return out.String(), errb.String(), err
}

func TestAskPrintsCitedArticle(t *testing.T) {
	cfg := writeConfig(t, "")
	out, _, err := runCLI(t, "", "ask", "--config", cfg, "民法典第1079条")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"《中华人民共和国民法典》第一千零七十九条", "感情确已破裂", "12348"} {
		if !strings.Contains(out, want) {
			t.Errorf("ask output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCLI(t, "", "ask", "--config", cfg, "--json", "婚姻法第32条")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Kind   string `json:"kind"`
		Notice string `json:"notice"`
		Hits   []struct {
			Citation string `json:"citation"`
		} `json:"hits"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("ask --json: %v\n%s", err, out)
	}
	if a.Kind != "citation" || len(a.Hits) == 0 || a.Hits[0].Citation != "《中华人民共和国民法典》第一千零七十九条" || !strings.Contains(a.Notice, "废止") {
		t.Errorf("婚姻法第32条: %+v", a)
	}
}

func TestSearchJSONContract(t *testing.T) {
	cfg := writeConfig(t, "")
	in := "离婚登记以后反悔了\n\n电信网络诈骗是什么\n"
	out, _, err := runCLI(t, in, "search", "--config", cfg, "--json", "-k", "2")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want one line per input line (3), got %d:\n%s", len(lines), out)
	}
	var first struct {
		Query string `json:"query"`
		Hits  []struct {
			Law     string  `json:"law"`
			Article int     `json:"article"`
			Suffix  *string `json:"suffix"`
			Score   float64 `json:"score"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Query != "离婚登记以后反悔了" || len(first.Hits) == 0 || len(first.Hits) > 2 {
		t.Fatalf("first line: %+v", first)
	}
	h := first.Hits[0]
	if h.Law != "中华人民共和国民法典" || h.Article == 0 || h.Suffix == nil || h.Score <= 0 {
		t.Errorf("hit does not follow the contract: %+v", h)
	}
	if !strings.Contains(lines[1], `"hits":[]`) {
		t.Errorf("empty question should give empty hits: %s", lines[1])
	}
	if !strings.Contains(lines[2], "反电信网络诈骗法") {
		t.Errorf("third line: %s", lines[2])
	}
}

func TestCommandLineErrors(t *testing.T) {
	if _, _, err := runCLI(t, "", "frobnicate"); err != errUsage {
		t.Errorf("unknown command: %v, want usage error", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("telegram:\n  tokn: x\n"), 0o600)
	_, _, err := runCLI(t, "", "ask", "--config", bad, "问题")
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "telegram.tokn") {
		t.Errorf("bad config: %v", err)
	}
	if _, _, err := runCLI(t, "", "ask"); err != errUsage {
		t.Errorf("ask without a question: %v", err)
	}
	if code := exitCode(errUsage, &bytes.Buffer{}); code != 2 {
		t.Errorf("usage exit code %d", code)
	}
}

func TestConfigFlagBeforeSubcommand(t *testing.T) {
	cfg := writeConfig(t, "")
	for _, args := range [][]string{
		{"--config", cfg, "ask", "民法典第1079条"},
		{"--config=" + cfg, "ask", "民法典第1079条"},
		{"-config", cfg, "ask", "民法典第1079条"},
	} {
		out, _, err := runCLI(t, "", args...)
		if err != nil || !strings.Contains(out, "感情确已破裂") {
			t.Errorf("%q: err %v, output %q", args, err, out)
		}
	}
	if _, _, err := runCLI(t, "", "--config"); err != errUsage {
		t.Errorf("--config without a file: %v", err)
	}
}
