package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeCurrencyConfig writes a config over the fixture laws plus the 2012
// 治安管理处罚法 fixture.
func writeCurrencyConfig(t *testing.T, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	var laws []string
	for _, p := range [][]string{{"laws"}, {"currency", "old"}} {
		abs, err := filepath.Abs(filepath.Join(append([]string{"..", "..", "knowledge", "testdata"}, p...)...))
		if err != nil {
			t.Fatal(err)
		}
		laws = append(laws, abs)
	}
	body := "data_dir: " + filepath.Join(dir, "data") + "\nknowledge:\n  embedded: false\n  laws: [" + strings.Join(laws, ", ") + "]\n" + strings.Join(extra, "")
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLawsListsVersionsAndStaleLaws(t *testing.T) {
	cfg := writeCurrencyConfig(t)
	out, _, err := runCLI(t, "", "laws", "--config", cfg, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Counts struct {
			Laws       int    `json:"laws"`
			Articles   int    `json:"articles"`
			NewerKnown int    `json:"newer_known"`
			NewestText string `json:"newest_text"`
		} `json:"counts"`
		Laws []struct {
			Title      string   `json:"title"`
			Version    string   `json:"version"`
			Versions   []string `json:"versions"`
			Articles   int      `json:"articles"`
			Loaded     bool     `json:"loaded"`
			NewerKnown bool     `json:"newer_known"`
			Newer      *struct {
				Adopted string `json:"adopted"`
				InForce string `json:"in_force"`
			} `json:"newer"`
		} `json:"laws"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("laws --json: %v\n%s", err, out)
	}
	byTitle := map[string]int{}
	for i, l := range r.Laws {
		byTitle[l.Title] = i
	}
	get := func(title string) int {
		i, ok := byTitle[title]
		if !ok {
			t.Fatalf("%s not listed:\n%s", title, out)
		}
		return i
	}
	po := r.Laws[get("中华人民共和国治安管理处罚法")]
	if !po.Loaded || po.Version != "2012-10-26" || po.Articles != 6 || !po.NewerKnown || po.Newer == nil || po.Newer.Adopted != "2025-06-27" || po.Newer.InForce != "2026-01-01" {
		t.Errorf("治安管理处罚法: %+v", po)
	}
	for _, title := range []string{"中华人民共和国反不正当竞争法", "中华人民共和国仲裁法", "中华人民共和国网络安全法", "中华人民共和国民营经济促进法"} {
		if l := r.Laws[get(title)]; l.Loaded || !l.NewerKnown || l.Newer == nil {
			t.Errorf("%s: %+v", title, l)
		}
	}
	if cc := r.Laws[get("中华人民共和国民法典")]; !cc.Loaded || cc.NewerKnown || cc.Version != "2020-05-28" {
		t.Errorf("民法典: %+v", cc)
	}
	if c := r.Counts; c.Laws != 3 || c.NewerKnown < 5 || c.Articles == 0 || c.NewestText != "2022-09-02" {
		t.Errorf("counts = %+v", c)
	}

	text, _, err := runCLI(t, "", "laws", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"已载入法律法规 3 部", "中华人民共和国治安管理处罚法", "2025-06-27 修订，2026-01-01 起施行", "中华人民共和国民营经济促进法"} {
		if !strings.Contains(text, want) {
			t.Errorf("laws output lacks %q:\n%s", want, text)
		}
	}
}

func TestAskShowsVersionAndRevision(t *testing.T) {
	cfg := writeCurrencyConfig(t)
	out, _, err := runCLI(t, "", "ask", "--config", cfg, "--json", "打架了派出所会怎么处罚")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Hits     []map[string]any `json:"hits"`
		Currency []struct {
			Law     string `json:"law"`
			Adopted string `json:"adopted"`
			Text    string `json:"text"`
		} `json:"currency"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("ask --json: %v\n%s", err, out)
	}
	if len(a.Hits) == 0 {
		t.Fatalf("no hits:\n%s", out)
	}
	for _, h := range a.Hits {
		_, hasVersion := h["version"]
		_, hasSuperseded := h["superseded"]
		if !hasVersion || !hasSuperseded {
			t.Errorf("hit lacks version or superseded: %v", h)
		}
		if h["law"] == "中华人民共和国治安管理处罚法" && (h["version"] != "2012-10-26" || !strings.Contains(h["citation"].(string), "（2012年修正）")) {
			t.Errorf("治安管理处罚法 hit: %v", h)
		}
	}
	if len(a.Currency) != 1 || a.Currency[0].Adopted != "2025-06-27" || !strings.Contains(a.Text, "该法已于2025年6月27日修订，2026年1月1日起施行") {
		t.Errorf("currency = %+v\n%s", a.Currency, a.Text)
	}
}

// TestChatMoreWarnsOnce: 更多 in chat warns about a revised law the first
// time one of its articles is shown, and only then.
func TestChatMoreWarnsOnce(t *testing.T) {
	cfg := writeCurrencyConfig(t)
	const warning = "【注意】以下引用的《中华人民共和国治安管理处罚法》是2012年修正的文本"
	out, _, err := runCLI(t, "打架双方都有错，赔偿怎么算？\n更多\n更多\n", "chat", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	answer, more, _ := strings.Cut(out, "以上为一般性法律信息")
	if strings.Contains(answer, warning) || strings.Count(more, warning) != 1 || !strings.Contains(more, "（2012年修正）") {
		t.Errorf("want the warning once, with the first 治安管理处罚法 article shown by 更多:\n%s", out)
	}
	out, _, err = runCLI(t, "打架了派出所会怎么处罚\n更多\n", "chat", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, warning); n != 1 {
		t.Errorf("warning printed %d times:\n%s", n, out)
	}
}

// TestOfficeFAQOnRevisedLawFlagged: an office FAQ entry resting on the 2012
// 治安管理处罚法 is reported by index and laws.
func TestOfficeFAQOnRevisedLawFlagged(t *testing.T) {
	faqFile := filepath.Join(t.TempDir(), "office.yaml")
	entry := `- id: fight-detention
  question: 打架会被拘留吗？
  paraphrases: [打人会被关几天]
  answer: 殴打他人的，可以处拘留和罚款。
  articles:
    - law: 治安管理处罚法
      article: 43
      evidence: 殴打他人的
  topics: [injury]
`
	if err := os.WriteFile(faqFile, []byte(entry), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeCurrencyConfig(t, "  faq: ["+faqFile+"]\n")
	_, stderr, err := runCLI(t, "", "index", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "warning: FAQ: 常见问题 fight-detention") || !strings.Contains(stderr, "2025-06-27") {
		t.Errorf("index does not flag the entry:\n%s", stderr)
	}
	out, _, err := runCLI(t, "", "laws", "--config", cfg, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		StaleFAQ []string `json:"stale_faq"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.StaleFAQ) != 1 || !strings.Contains(r.StaleFAQ[0], "《治安管理处罚法》第四十三条") {
		t.Errorf("stale_faq = %q, %v", r.StaleFAQ, err)
	}
}
