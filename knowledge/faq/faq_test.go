package faq

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// wantTopics are the topic pages the bot offers, with their display names.
var wantTopics = map[string]string{
	"anti-fraud":        "防范电信网络诈骗",
	"drugs":             "禁毒",
	"national-security": "国家安全",
	"consumer":          "消费者权益",
	"constitution":      "宪法",
	"family":            "婚姻家庭",
	"labour":            "劳动与欠薪",
	"land":              "农村土地",
	"minors":            "未成年人保护",
	"mediation":         "人民调解",
	"legal-aid":         "法律援助",
	"inheritance":       "继承",
	"debt":              "借贷与欠款",
	"neighbours":        "相邻关系",
	"traffic":           "交通事故",
	"injury":            "人身伤害",
	"privacy":           "个人信息保护",
	"public-order":      "治安与刑事",
	"contract":          "合同纠纷",
}

func mustStarter(t *testing.T) *Pack {
	t.Helper()
	p, err := Starter()
	if err != nil {
		t.Fatalf("Starter: %v", err)
	}
	return p
}

func TestStarterLoads(t *testing.T) {
	p := mustStarter(t)
	if len(p.Entries) < 90 {
		t.Errorf("starter pack has %d entries, want at least 90", len(p.Entries))
	}
	ids := map[string]bool{}
	for _, e := range p.Entries {
		if ids[e.ID] {
			t.Errorf("duplicate entry id %q", e.ID)
		}
		ids[e.ID] = true
		if e.Source == "" || !strings.HasPrefix(e.Source, "starter/entries-") {
			t.Errorf("entry %q: Source = %q", e.ID, e.Source)
		}
	}
	counts := map[string]int{}
	for _, e := range p.Entries {
		for _, id := range e.Topics {
			if _, ok := p.Topic(id); !ok {
				t.Errorf("entry %q uses unknown topic %q", e.ID, id)
			}
			counts[id]++
		}
	}
	for _, tp := range p.Topics {
		t.Logf("topic %-17s %3d entries", tp.ID, counts[tp.ID])
	}
	t.Logf("%d entries in all", len(p.Entries))
}

func TestStarterTopics(t *testing.T) {
	p := mustStarter(t)
	if len(p.Topics) != len(wantTopics) {
		t.Errorf("starter pack has %d topics, want %d", len(p.Topics), len(wantTopics))
	}
	for id, name := range wantTopics {
		tp, ok := p.Topic(id)
		if !ok {
			t.Errorf("topic %q missing", id)
			continue
		}
		if tp.Name != name {
			t.Errorf("topic %q: name %q, want %q", id, tp.Name, name)
		}
		if n := len(tp.Points); n < 3 || n > 5 {
			t.Errorf("topic %q has %d points, want 3–5", id, n)
		}
		if len(tp.Articles) == 0 {
			t.Errorf("topic %q has no articles", id)
		}
		if len(p.EntriesFor(id)) == 0 {
			t.Errorf("topic %q has no entries", id)
		}
		if len(tp.Laws) == 0 {
			t.Errorf("topic %q has no law rules: answers made of articles are never counted under it", id)
		}
	}
}

// TestStarterStyle checks the editorial rules of the starter pack.
func TestStarterStyle(t *testing.T) {
	p := mustStarter(t)
	fileTopic := regexp.MustCompile(`^starter/entries-([a-z-]+)\.yaml:`)
	for _, e := range p.Entries {
		if n := len(e.Paraphrases); n < 3 || n > 6 {
			t.Errorf("entry %q has %d paraphrases, want 3–6", e.ID, n)
		}
		if n := utf8.RuneCountInString(e.Answer); n < 80 || n > 300 {
			t.Errorf("entry %q: answer has %d characters, want 80–300", e.ID, n)
		}
		if n := len(e.Articles); n < 1 || n > 4 {
			t.Errorf("entry %q cites %d articles, want 1–4", e.ID, n)
		}
		if len(e.Topics) == 0 {
			t.Errorf("entry %q has no topic", e.ID)
		}
		if m := fileTopic.FindStringSubmatch(e.Source); m == nil || !contains(e.Topics, m[1]) {
			t.Errorf("entry %q (%s): its file's topic is not among its topics %v", e.ID, e.Source, e.Topics)
		}
		seen := map[string]bool{}
		for _, a := range e.Articles {
			if seen[a.String()] {
				t.Errorf("entry %q cites %s twice", e.ID, a)
			}
			seen[a.String()] = true
		}
		if strings.Contains(e.Answer, "中华人民共和国") {
			t.Errorf("entry %q: answer should use short law names", e.ID)
		}
	}
}

// TestStarterEvidencePresent checks that every article reference in the
// starter pack carries evidence, so the corpus test can check it.
func TestStarterEvidencePresent(t *testing.T) {
	p := mustStarter(t)
	for _, e := range p.Entries {
		for _, a := range e.Articles {
			if strings.TrimSpace(a.Evidence) == "" {
				t.Errorf("entry %q: %s has no evidence", e.ID, a)
			}
		}
	}
	for _, tp := range p.Topics {
		for _, a := range tp.Articles {
			if strings.TrimSpace(a.Evidence) == "" {
				t.Errorf("topic %q: %s has no evidence", tp.ID, a)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestStarterReturnsFreshPack(t *testing.T) {
	a := mustStarter(t)
	a.Entries[0].Answer = "changed"
	b := mustStarter(t)
	if b.Entries[0].Answer == "changed" {
		t.Fatal("Starter returned a shared pack")
	}
}

const validEntry = `- id: local-office-hours
  question: 司法所几点上班？
  paraphrases: [司法所啥时候有人, 周末司法所开门吗, 去司法所要预约吗]
  answer: 司法所周一到周五上班。
  articles:
    - law: 人民调解法
      article: 4
      evidence: 不收取任何费用
  topics: [mediation]
`

func TestParseValid(t *testing.T) {
	entries, err := Parse("extra.yaml", []byte(validEntry))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("got %d entries", len(entries))
	}
	e := entries[0]
	if e.ID != "local-office-hours" || len(e.Paraphrases) != 3 || e.Articles[0].Article != 4 || e.Articles[0].Evidence != "不收取任何费用" {
		t.Errorf("decoded %+v", e)
	}
	if e.Source != "extra.yaml:1" {
		t.Errorf("Source = %q", e.Source)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, doc := range []string{"", "# only a comment\n", "~\n", "[]\n"} {
		entries, err := Parse("empty.yaml", []byte(doc))
		if err != nil || len(entries) != 0 {
			t.Errorf("Parse(%q) = %v, %v", doc, entries, err)
		}
	}
}

// parseErr parses doc, which must fail, and returns the first *Error.
func parseErr(t *testing.T, doc string) *Error {
	t.Helper()
	_, err := Parse("extra.yaml", []byte(doc))
	if err == nil {
		t.Fatalf("Parse succeeded on:\n%s", doc)
	}
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if pe.File != "extra.yaml" {
		t.Errorf("File = %q", pe.File)
	}
	return pe
}

func TestParseUnknownKey(t *testing.T) {
	doc := strings.Replace(validEntry, "  topics:", "  topic_ids: [x]\n  topics:", 1)
	pe := parseErr(t, doc)
	if pe.Line != 9 || !strings.Contains(pe.Msg, `unknown key "topic_ids"`) || !strings.Contains(pe.Msg, "entry") {
		t.Errorf("got %v", pe)
	}
	if !strings.HasPrefix(pe.Error(), "extra.yaml:9: ") {
		t.Errorf("Error() = %q", pe.Error())
	}

	// A misspelt key inside an article reference.
	doc = strings.Replace(validEntry, "      evidence:", "      evidense:", 1)
	pe = parseErr(t, doc)
	if pe.Line != 8 || !strings.Contains(pe.Msg, `unknown key "evidense" in article reference`) {
		t.Errorf("got %v", pe)
	}
}

func TestParseWrongType(t *testing.T) {
	doc := strings.Replace(validEntry, "article: 4", "article: 第四条", 1)
	pe := parseErr(t, doc)
	if pe.Line != 7 || !strings.Contains(pe.Msg, "wrong type") {
		t.Errorf("got %v", pe)
	}

	pe = parseErr(t, "id: not-a-list\nquestion: q\n")
	if pe.Line != 1 || !strings.Contains(pe.Msg, "must be a list") {
		t.Errorf("got %v", pe)
	}
}

func TestParseSyntaxError(t *testing.T) {
	pe := parseErr(t, "- id: a\n  question: [unclosed\n")
	if pe.Line == 0 {
		t.Errorf("no line in %v", pe)
	}
}

func TestParseInvalidEntries(t *testing.T) {
	cases := []struct {
		name, from, to string
		line           int
		msg            string
	}{
		{"empty answer", "answer: 司法所周一到周五上班。", `answer: ""`, 4, "answer: is empty"},
		{"empty question", "question: 司法所几点上班？", "question: \"\"", 2, "question: is empty"},
		{"bad id", "id: local-office-hours", "id: Local Office", 1, "kebab-case"},
		{"zero article", "article: 4", "article: 0", 7, "above zero"},
		{"no articles", "  articles:\n    - law: 人民调解法\n      article: 4\n      evidence: 不收取任何费用\n", "  articles: []\n", 5, "at least one article"},
		{"empty law", "law: 人民调解法", `law: ""`, 6, "law is empty"},
		{"full law name", "law: 人民调解法", "law: 中华人民共和国人民调解法", 6, "drop the prefix"},
		{"bad suffix", "      evidence:", "      suffix: 第二\n      evidence:", 8, "suffix"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := strings.Replace(validEntry, c.from, c.to, 1)
			if doc == validEntry {
				t.Fatalf("replacement %q not applied", c.from)
			}
			pe := parseErr(t, doc)
			if pe.Line != c.line || !strings.Contains(pe.Msg, c.msg) {
				t.Errorf("got %v, want line %d and %q", pe, c.line, c.msg)
			}
		})
	}
}

func TestParseDuplicateInFile(t *testing.T) {
	doc := validEntry + strings.Replace(validEntry, "司法所几点上班", "司法所几点下班", 1)
	pe := parseErr(t, doc)
	if pe.Line != 10 || !strings.Contains(pe.Msg, `duplicate id "local-office-hours" (first at line 1)`) {
		t.Errorf("got %v", pe)
	}
}

func TestParseMultipleDocuments(t *testing.T) {
	pe := parseErr(t, validEntry+"---\n"+validEntry)
	if !strings.Contains(pe.Msg, "more than one YAML document") {
		t.Errorf("got %v", pe)
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "faq.yaml")
	if err := os.WriteFile(path, []byte(validEntry), 0o644); err != nil {
		t.Fatal(err)
	}
	entries, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Source != path+":1" {
		t.Fatalf("got %+v", entries)
	}
	p := mustStarter(t)
	n := len(p.Entries)
	if err := p.Merge(entries); err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != n+1 {
		t.Errorf("Merge added %d entries", len(p.Entries)-n)
	}
	if _, ok := p.Entry("local-office-hours"); !ok {
		t.Error("merged entry not found")
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(validEntry, "answer:", "anwser:", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadFile(bad)
	if err == nil || !strings.Contains(err.Error(), bad+":4: ") || !strings.Contains(err.Error(), `unknown key "anwser"`) {
		t.Errorf("LoadFile(bad) error = %v", err)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadFile(missing) error = %v", err)
	}
}

func TestMergeDuplicateID(t *testing.T) {
	p := mustStarter(t)
	first := p.Entries[0]
	dup := strings.Replace(validEntry, "id: local-office-hours", "id: "+first.ID, 1)
	entries, err := Parse("local.yaml", []byte(dup))
	if err != nil {
		t.Fatal(err)
	}
	n := len(p.Entries)
	err = p.Merge(entries)
	if err == nil {
		t.Fatal("Merge accepted a duplicate id")
	}
	for _, want := range []string{first.ID, first.Source, "local.yaml:1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if len(p.Entries) != n {
		t.Error("failed Merge changed the pack")
	}

	// Duplicates among the new entries themselves.
	a, _ := Parse("a.yaml", []byte(validEntry))
	b, _ := Parse("b.yaml", []byte(validEntry))
	err = mustStarter(t).Merge(append(a, b...))
	if err == nil || !strings.Contains(err.Error(), "a.yaml:1") || !strings.Contains(err.Error(), "b.yaml:1") {
		t.Errorf("error = %v", err)
	}
}

func TestMergeUnknownTopic(t *testing.T) {
	entries, err := Parse("local.yaml", []byte(strings.Replace(validEntry, "[mediation]", "[weather]", 1)))
	if err != nil {
		t.Fatal(err)
	}
	err = mustStarter(t).Merge(entries)
	if err == nil || !strings.Contains(err.Error(), `unknown topic "weather"`) || !strings.Contains(err.Error(), "local.yaml:1") {
		t.Errorf("error = %v", err)
	}
}

func TestMergeValidates(t *testing.T) {
	p := mustStarter(t)
	err := p.Merge([]Entry{{ID: "no-answer", Question: "q", Articles: []ArticleRef{{Law: "民法典", Article: 1}}}})
	if err == nil || !strings.Contains(err.Error(), "answer: is empty") {
		t.Errorf("error = %v", err)
	}
}

func TestParseTopicsStrict(t *testing.T) {
	const topic = `- id: weather
  name: 天气
  summary: 天气预报。
  points: [看天, 收衣服, 带伞]
`
	if _, err := parseTopics("topics.yaml", []byte(topic)); err != nil {
		t.Fatal(err)
	}
	_, err := parseTopics("topics.yaml", []byte(topic+"  colour: blue\n"))
	if err == nil || !strings.Contains(err.Error(), `topics.yaml:5: unknown key "colour" in topic`) {
		t.Errorf("error = %v", err)
	}
	_, err = parseTopics("topics.yaml", []byte(topic+topic))
	if err == nil || !strings.Contains(err.Error(), `topics.yaml:5: duplicate topic id "weather"`) {
		t.Errorf("error = %v", err)
	}
	_, err = parseTopics("topics.yaml", []byte(strings.Replace(topic, "summary: 天气预报。", "summary: \"\"", 1)))
	if err == nil || !strings.Contains(err.Error(), "topics.yaml:3:") {
		t.Errorf("error = %v", err)
	}
}

func TestEntryValidate(t *testing.T) {
	ok := Entry{ID: "a-b", Question: "q", Answer: "a", Articles: []ArticleRef{{Law: "民法典", Article: 1079}}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid entry: %v", err)
	}
	bad := []Entry{
		{Question: "q", Answer: "a", Articles: ok.Articles},
		{ID: "a-b", Answer: "a", Articles: ok.Articles},
		{ID: "a-b", Question: "q", Answer: "  ", Articles: ok.Articles},
		{ID: "a-b", Question: "q", Answer: "a"},
		{ID: "a-b", Question: "q", Answer: "a", Articles: []ArticleRef{{Law: "民法典", Article: -1}}},
		{ID: "a_b", Question: "q", Answer: "a", Articles: ok.Articles},
	}
	for i, e := range bad {
		if e.Validate() == nil {
			t.Errorf("case %d: invalid entry accepted: %+v", i, e)
		}
	}
}

func TestNumeral(t *testing.T) {
	cases := map[int]string{1: "一", 10: "十", 15: "十五", 20: "二十", 101: "一百零一", 110: "一百一十",
		287: "二百八十七", 1010: "一千零一十", 1079: "一千零七十九", 1100: "一千一百", 1260: "一千二百六十"}
	for n, want := range cases {
		if got := Numeral(n); got != want {
			t.Errorf("Numeral(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestArticleRefString(t *testing.T) {
	a := ArticleRef{Law: "刑法", Article: 287, Suffix: "之二"}
	if got := a.String(); got != "《刑法》第二百八十七条之二" {
		t.Errorf("String() = %q", got)
	}
}

func TestParseTopicLawRules(t *testing.T) {
	const head = `- id: weather
  name: 天气
  summary: 天气预报。
  points: [看天, 收衣服, 带伞]
  laws:
`
	cases := []struct{ name, rules, wantErr string }{
		{"law only", "    - law: 气象法\n", ""},
		{"headings and articles", "    - law: 民法典\n      headings: [婚姻家庭]\n    - law: 刑法\n      articles: [133]\n", ""},
		{"empty law", "    - headings: [婚姻家庭]\n", "topics.yaml:6: topic \"weather\": laws[0]: law is empty"},
		{"prefix", "    - law: 中华人民共和国气象法\n", "topics.yaml:6: topic \"weather\": laws[0]: law \"中华人民共和国气象法\": drop the prefix"},
		{"numbered heading", "    - law: 民法典\n      headings: [第五编 婚姻家庭]\n", "topics.yaml:7: topic \"weather\": laws[0]: heading \"第五编 婚姻家庭\""},
		{"bad article", "    - law: 刑法\n      articles: [0]\n", "topics.yaml:7: topic \"weather\": laws[0]: article number must be above zero"},
		{"unknown key", "    - law: 刑法\n      chapter: 总则\n", `unknown key "chapter"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			topics, err := parseTopics("topics.yaml", []byte(head+c.rules))
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(topics[0].Laws) == 0 {
					t.Fatal("no law rules parsed")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("error = %v, want %q", err, c.wantErr)
			}
		})
	}
}

func TestParseTopicLawRuleClaimedTwice(t *testing.T) {
	const two = `- id: a
  name: 甲
  summary: 甲。
  points: [一]
  laws:
    - law: 民法典
      headings: [继承]
- id: b
  name: 乙
  summary: 乙。
  points: [一]
  laws:
    - law: 民法典
      headings: [继承]
`
	_, err := parseTopics("topics.yaml", []byte(two))
	if err == nil || !strings.Contains(err.Error(), `topics.yaml:13: topic "b": laws[0]: the same law rule is already in topic "a"`) {
		t.Errorf("error = %v", err)
	}
}

func TestHeadingName(t *testing.T) {
	cases := map[string]string{"第五编 婚姻家庭": "婚姻家庭", "第十二章 借款合同": "借款合同", "第二分编  典型合同": "典型合同",
		"第一节 一般规定": "一般规定", "附则": "附则", "第3章 罚则": "罚则", "婚姻家庭": "婚姻家庭"}
	for in, want := range cases {
		if got := HeadingName(in); got != want {
			t.Errorf("HeadingName(%q) = %q, want %q", in, got, want)
		}
	}
}
