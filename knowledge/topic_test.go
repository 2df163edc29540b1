package knowledge

import (
	"bufio"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pufabot/pufabot/internal/shared"
	"github.com/pufabot/pufabot/knowledge/corpus"
	"github.com/pufabot/pufabot/knowledge/faq"
)

func testTopicRules() *topicRules {
	return newTopicRules([]faq.Topic{
		{ID: "family", Laws: []faq.LawRule{{Law: "民法典", Headings: []string{"婚姻家庭"}}, {Law: "刑法", Articles: []int{260}}}},
		{ID: "contract", Laws: []faq.LawRule{{Law: "民法典", Headings: []string{"合同"}}}},
		{ID: "debt", Laws: []faq.LawRule{{Law: "民法典", Headings: []string{"借款合同"}}, {Law: "最高人民法院关于审理民间借贷案件适用法律若干问题的规定"}}},
		{ID: "injury", Laws: []faq.LawRule{{Law: "民法典", Headings: []string{"侵权责任"}}}},
		{ID: "traffic", Laws: []faq.LawRule{{Law: "民法典", Headings: []string{"机动车交通事故责任"}}, {Law: "道路交通安全法"}, {Law: "刑法", Articles: []int{133}}}},
		{ID: "public-order", Laws: []faq.LawRule{{Law: "刑法"}}},
	})
}

func TestTopicOfArticle(t *testing.T) {
	r := testTopicRules()
	cases := []struct {
		name     string
		law      string
		number   int
		headings []string
		want     string
	}{
		{"heading", "中华人民共和国民法典", 1079, []string{"第五编 婚姻家庭", "第四章 离婚"}, "family"},
		{"deeper heading beats the 编", "中华人民共和国民法典", 667, []string{"第三编 合同", "第二分编 典型合同", "第十二章 借款合同"}, "debt"},
		{"the 编 alone", "中华人民共和国民法典", 703, []string{"第三编 合同", "第二分编 典型合同", "第十四章 租赁合同"}, "contract"},
		{"chapter inside a 编 of another topic", "中华人民共和国民法典", 1208, []string{"第七编 侵权责任", "第五章 机动车交通事故责任"}, "traffic"},
		{"tort 编", "中华人民共和国民法典", 1245, []string{"第七编 侵权责任", "第九章 饲养动物损害责任"}, "injury"},
		{"no rule for the part", "中华人民共和国民法典", 54, []string{"第一编 总则", "第二章 自然人"}, ""},
		{"whole law, full title", "中华人民共和国道路交通安全法", 70, nil, "traffic"},
		{"whole law, short title", "道路交通安全法", 70, nil, "traffic"},
		{"article beats whole law", "中华人民共和国刑法", 133, []string{"第二编 分则", "第二章 危害公共安全罪"}, "traffic"},
		{"article rule covers suffixes", "中华人民共和国刑法", 260, nil, "family"},
		{"rest of the law", "中华人民共和国刑法", 234, []string{"第二编 分则"}, "public-order"},
		{"interpretation title normalised", "最高人民法院关于审理民间借贷案件适用法律若干问题的规定", 25, nil, "debt"},
		{"unknown law", "中华人民共和国商标法", 1, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := r.ofArticle(c.law, c.number, c.headings); got != c.want {
				t.Errorf("ofArticle(%s %d %v) = %q, want %q", c.law, c.number, c.headings, got, c.want)
			}
		})
	}
}

func TestTopicOfHitsVote(t *testing.T) {
	r := testTopicRules()
	marriage := Hit{Law: "中华人民共和国民法典", Article: 1079, Headings: []string{"第五编 婚姻家庭"}}
	loan := Hit{Law: "中华人民共和国民法典", Article: 667, Headings: []string{"第三编 合同", "第二分编 典型合同", "第十二章 借款合同"}}
	road := Hit{Law: "中华人民共和国道路交通安全法", Article: 76}
	general := Hit{Law: "中华人民共和国民法典", Article: 54, Headings: []string{"第一编 总则"}}
	cases := []struct {
		name string
		hits []Hit
		want string
	}{
		{"no hits", nil, ""},
		{"one hit", []Hit{loan}, "debt"},
		{"first hit decides against split followers", []Hit{marriage, loan, road}, "family"},
		{"two agreeing followers outvote the first", []Hit{marriage, loan, loan}, "debt"},
		{"a first hit no rule claims stays other", []Hit{general, loan, road}, ""},
		{"unclaimed first hit outvoted", []Hit{general, road, road}, "traffic"},
		{"unclaimed followers never outvote a topic", []Hit{road, general, general}, "traffic"},
		{"only the first three vote", []Hit{marriage, loan, road, loan, loan}, "family"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := r.ofHits(c.hits); got != c.want {
				t.Errorf("ofHits = %q, want %q", got, c.want)
			}
		})
	}
}

// TestTopicRulesMatchCorpus checks the starter pack's topic rules against
// the law corpus: every rule's law exists, every heading names a real
// 编/分编/章/节 of that law and every article number exists, so a typo never
// silently sends answers to 其他.
func TestTopicRulesMatchCorpus(t *testing.T) {
	root := shared.LawsDir(t)
	topics, err := faq.StarterTopics()
	if err != nil {
		t.Fatal(err)
	}
	wanted := map[string]bool{}
	for _, tp := range topics {
		for _, r := range tp.Laws {
			wanted[corpus.NormalizeTitle(r.Law)] = true
		}
	}
	type lawParts struct {
		headings map[string]bool
		articles map[int]bool
	}
	found := map[string]*lawParts{}
	var dirs []string
	for _, d := range shared.EvalFolders {
		dirs = append(dirs, filepath.Join(root, d))
	}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
				return err
			}
			key := corpus.NormalizeTitle(firstTitle(t, p))
			if !wanted[key] {
				return nil
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			law, _, err := corpus.ParseFile(p, f)
			if err != nil {
				return err
			}
			lp := found[key]
			if lp == nil {
				lp = &lawParts{headings: map[string]bool{}, articles: map[int]bool{}}
				found[key] = lp
			}
			for _, a := range law.Articles {
				lp.articles[a.Number] = true
				for _, h := range a.Headings {
					lp.headings[faq.HeadingName(h)] = true
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	rules := 0
	for _, tp := range topics {
		for _, r := range tp.Laws {
			rules++
			lp := found[corpus.NormalizeTitle(r.Law)]
			if lp == nil {
				t.Errorf("topic %s: law %q is not in the evaluation corpus", tp.ID, r.Law)
				continue
			}
			for _, h := range r.Headings {
				if !lp.headings[h] {
					t.Errorf("topic %s: %s has no heading named %q", tp.ID, r.Law, h)
				}
			}
			for _, n := range r.Articles {
				if !lp.articles[n] {
					t.Errorf("topic %s: %s has no article %d", tp.ID, r.Law, n)
				}
			}
		}
	}
	t.Logf("%d topic rules checked against %d laws", rules, len(found))
}

// firstTitle reads the "# " title line of a LawRefBook file.
func firstTitle(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if sc.Scan() {
		if title, ok := strings.CutPrefix(sc.Text(), "# "); ok {
			return title
		}
	}
	return ""
}

// TestAnswerTopicFromArticles: citation and article answers take the topic
// of the articles shown, through the starter pack's rules.
func TestAnswerTopicFromArticles(t *testing.T) {
	e := mustEngine(t, fixtureLaws())
	cases := []struct{ q, wantKind, want string }{
		{"民法典第1079条", string(KindCitation), "family"},
		{"反诈法第2条", string(KindCitation), "anti-fraud"},
		{"夫妻感情确已破裂，调解无效的，应当准予离婚吗", string(KindArticles), "family"},
	}
	for _, c := range cases {
		a, err := e.Answer(context.Background(), c.q)
		if err != nil {
			t.Fatal(err)
		}
		if string(a.Kind) != c.wantKind || a.Topic != c.want {
			t.Errorf("%s: kind %s topic %q, want %s %q", c.q, a.Kind, a.Topic, c.wantKind, c.want)
		}
	}
}

// TestAnswerJSONAlwaysHasTopic: ask --json and the web API always carry
// "topic", empty for 其他, so scripts need not guess what a missing key means.
func TestAnswerJSONAlwaysHasTopic(t *testing.T) {
	for _, a := range []Answer{{Kind: KindNone}, {Kind: KindArticles, Topic: "debt"}} {
		data, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		if got, ok := m["topic"]; !ok || got != a.Topic {
			t.Errorf("%s: topic = %v (present %v), want %q", data, got, ok, a.Topic)
		}
	}
}
