package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
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

// TestAskOffTopic: chatter gets the not-found answer and a greeting the
// small-talk reply, with nothing cited.
func TestAskOffTopic(t *testing.T) {
	cfg := writeConfig(t, "")
	cases := []struct{ q, kind, talk, text string }{
		{"今天晚饭吃什么好呢", "none", "", "12348"},
		{"你好", "smalltalk", "greeting", "普法小助手"},
	}
	for _, c := range cases {
		out, _, err := runCLI(t, "", "ask", "--config", cfg, "--json", c.q)
		if err != nil {
			t.Fatal(err)
		}
		var a struct {
			Kind string            `json:"kind"`
			Talk string            `json:"talk"`
			Hits []json.RawMessage `json:"hits"`
			Text string            `json:"text"`
		}
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatalf("ask --json %s: %v\n%s", c.q, err, out)
		}
		if a.Kind != c.kind || a.Talk != c.talk || len(a.Hits) > 0 || !strings.Contains(a.Text, c.text) {
			t.Errorf("ask --json %s = %s", c.q, out)
		}
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

// TestGlobalFlagsAnywhere checks the contract: --config and -v are
// accepted before or after the subcommand and its arguments.
func TestGlobalFlagsAnywhere(t *testing.T) {
	f := newCampaignFixture(t, false, 25)
	ctx := context.Background()
	cases := []struct {
		name string
		args []string
		want string // in stdout, or in the error
	}{
		{"campaigns run, config first", []string{"--config", f.config, "campaigns", "run", "consumer-day"}, "Recorded occurrence #1 of consumer-day"},
		{"campaigns run, config between", []string{"campaigns", "--config=" + f.config, "run", "consumer-day"}, "Resuming occurrence #1 of consumer-day"},
		{"campaigns run, config last", []string{"campaigns", "run", "consumer-day", "--config", f.config}, "Resuming occurrence #1 of consumer-day"},
		{"campaigns list, -v first", []string{"-v", "-config", f.config, "campaigns", "list"}, "legal-month"},
		{"consult add, config first", []string{"--config", f.config, "consult", "add", "--topic", "family", "--channel", "phone"}, "已登记线下咨询1人次"},
		{"consult add, config last", []string{"consult", "add", "--topic", "family", "--channel", "phone", "-v", "--config", f.config}, "已登记线下咨询1人次"},
		{"examples export, config first", []string{"--config", f.config, "examples", "export"}, ""},
		{"examples export, config last", []string{"examples", "export", "--since", "2026-01-01", "--config", f.config}, ""},
		{"report, config last", []string{"report", "--format", "csv", "--year", "2026", "--config", f.config, "-v"}, "电话咨询"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := pufabot(ctx, c.args...)
			got := out
			if err != nil {
				got += err.Error()
				if !strings.Contains(err.Error(), "telegram.token is not set") {
					t.Fatalf("%q: %v", c.args, err)
				}
			}
			if !strings.Contains(got, c.want) {
				t.Errorf("%q: output lacks %q:\n%s", c.args, c.want, got)
			}
		})
	}
	// The question itself is not taken for a config file, and -- ends the
	// global flags.
	cfg := writeConfig(t, "")
	out, _, err := runCLI(t, "", "ask", "民法典第1079条", "--config", cfg)
	if err != nil || !strings.Contains(out, "感情确已破裂") {
		t.Errorf("ask with --config last: %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, "", "ask", "--config"); err != errUsage {
		t.Errorf("--config without a file after the command: %v", err)
	}
}

// TestCommandsQuietUnlessVerbose: one-shot commands print their result, not
// the library's info lines; -v shows them.
func TestCommandsQuietUnlessVerbose(t *testing.T) {
	f := newCampaignFixture(t, false, 25)
	data, _ := os.ReadFile(f.config)
	if err := os.WriteFile(f.config, []byte(strings.Replace(string(data), "level: warn", "level: info", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	out := filepath.Join(f.dir, "r.csv")
	for _, args := range [][]string{
		{"consult", "add", "--topic", "family", "--channel", "phone"},
		{"report", "--format", "csv", "--out", out},
	} {
		_, stderr, err := pufabot(ctx, append(args, "--config", f.config)...)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if strings.Contains(stderr, "level=INFO") {
			t.Errorf("%q without -v logs info lines:\n%s", args, stderr)
		}
		_, stderr, err = pufabot(ctx, append(args, "--config", f.config, "-v")...)
		if err != nil {
			t.Fatalf("%q -v: %v", args, err)
		}
		if !strings.Contains(stderr, "level=INFO") {
			t.Errorf("%q -v logs no info line:\n%s", args, stderr)
		}
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

// TestSearchAnswersAfterATooLongLine: a line over the limit gets an error
// line of its own, and the questions after it are still answered.
func TestSearchAnswersAfterATooLongLine(t *testing.T) {
	cfg := writeConfig(t, "")
	long := strings.Repeat("离婚", maxSearchLine/6+1) // over 4 MiB of UTF-8
	in := "离婚登记以后反悔了\n" + long + "\n电信网络诈骗是什么\n"
	out, _, err := runCLI(t, in, "search", "--config", cfg, "--json", "-k", "2")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines, got %d:\n%.2000s", len(lines), out)
	}
	var bad searchLine
	if err := json.Unmarshal([]byte(lines[1]), &bad); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(bad.Query, "…(truncated)") || !strings.HasPrefix(bad.Query, "离婚离婚") || len(bad.Query) > 1000 || bad.Error == "" || len(bad.Hits) != 0 {
		t.Errorf("too-long line: query %.100q, error %q, %d hits", bad.Query, bad.Error, len(bad.Hits))
	}
	if !strings.Contains(lines[2], "反电信网络诈骗法") {
		t.Errorf("the line after the long one is not answered: %s", lines[2])
	}
}

// TestChatThroughAPipe: no prompts or banner when stdin is not a terminal,
// a too-long line is refused without ending the session, and 更多 numbers
// on from the articles the answer showed, never repeating one.
func TestChatThroughAPipe(t *testing.T) {
	cfg := writeConfig(t, "")
	long := strings.Repeat("婚", maxChatLine/3+1)
	in := long + "\n离婚时家里的财产怎么分\n更多\n更多\n"
	out, _, err := runCLI(t, in, "chat", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "问>") || strings.Contains(out, "Ctrl-D") {
		t.Errorf("prompt or banner printed through a pipe:\n%s", out)
	}
	if !strings.HasPrefix(out, "这个问题太长了") {
		t.Errorf("too-long line not refused first:\n%.300s", out)
	}
	if !strings.Contains(out, "【常见问题】") {
		t.Fatalf("the question after the long line is not answered:\n%s", out)
	}
	// Every numbered line continues the one before; no article twice.
	seen := map[string]bool{}
	want := 1
	for _, l := range strings.Split(out, "\n") {
		num, cite, ok := strings.Cut(l, ". 《")
		if !ok {
			continue
		}
		if num != strconv.Itoa(want) {
			t.Errorf("numbered %s, want %d:\n%s", num, want, out)
		}
		want++
		if seen[cite] {
			t.Errorf("article shown twice: 《%s\n%s", cite, out)
		}
		seen[cite] = true
	}
	if want < 6 {
		t.Errorf("更多 showed no further articles:\n%s", out)
	}
}

// TestChatPromptsOnATerminal: on a terminal each question gets a prompt on
// its own line.
func TestChatPromptsOnATerminal(t *testing.T) {
	cfg := mustConfig(t, writeConfig(t, ""))
	eng, err := openEngine(context.Background(), cfg, nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var out bytes.Buffer
	if err := chat(context.Background(), eng, strings.NewReader("更多\n"), &out, true); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "Ctrl-D") || strings.Count(got, "\n问> ") != 2 || !strings.Contains(got, "问> 请先提一个问题。") {
		t.Errorf("interactive chat:\n%s", got)
	}
}

// TestAskSaysWhatItBuilds: with the embedded FAQ pack only (built-in laws
// off), the first ask says what it prepares instead of counting nothing.
func TestAskSaysWhatItBuilds(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("data_dir: "+filepath.Join(dir, "data")+"\nknowledge: {embedded: false}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCLI(t, "", "ask", "--config", cfg, "被电信诈骗了怎么办")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr, "0/0") || !strings.Contains(stderr, "内置常见问题库") {
		t.Errorf("progress: %q", stderr)
	}
	if !strings.Contains(out, "110") {
		t.Errorf("answer: %s", out)
	}
}
