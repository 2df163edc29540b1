package knowledge

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

const (
	retrievalLaws     = "testdata/retrieval/laws"
	retrievalExamples = "testdata/retrieval/examples.jsonl"
	// dvQuestion shares no bigram with the article it needs (示例家庭法
	// 第二条, on 家庭暴力), only with the labelled example ex-dv.
	dvQuestion = "老公天天动手打我"
	dvExample  = "丈夫经常动手打我怎么办"
)

func mustOpenRetrieval(t *testing.T, examples ...string) *Engine {
	t.Helper()
	e, err := Open(context.Background(), Options{DataDir: t.TempDir(), Laws: []string{retrievalLaws}, Examples: examples})
	if err != nil {
		t.Fatalf("open fixture index: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func hasArticle(hits []Hit, law string, number int) bool {
	for _, h := range hits {
		if h.Law == law && h.Article == number {
			return true
		}
	}
	return false
}

// TestExamplesFindParaphrase: a labelled question lets a differently
// worded question find its article, which plain matching cannot.
func TestExamplesFindParaphrase(t *testing.T) {
	const law = "中华人民共和国示例家庭法"
	plain := mustOpenRetrieval(t)
	hits, err := plain.Search(context.Background(), dvQuestion, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	if hasArticle(hits, law, 2) {
		t.Fatalf("without examples %q already finds %s 第二条; the fixture no longer tests examples", dvQuestion, law)
	}
	taught := mustOpenRetrieval(t, retrievalExamples)
	hits, err = taught.Search(context.Background(), dvQuestion, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].Law != law || hits[0].Article != 2 {
		t.Fatalf("with examples, top hit for %q = %+v, want %s 第二条", dvQuestion, hits, law)
	}
}

// TestLeaveOneOut: evaluating a question that is itself a labelled example
// never credits it with its own label, whether it is found by id or by
// text, while the same index does credit a paraphrase.
func TestLeaveOneOut(t *testing.T) {
	e := mustOpenRetrieval(t, retrievalExamples)
	gold := []GoldArticle{{Law: "示例家庭法", Article: 2}}
	cases := []struct {
		name        string
		ex          Example
		leaveOneOut bool
		wantRecall  float64
	}{
		{"own example, same id", Example{ID: "ex-dv", Query: dvExample, Gold: gold}, true, 0},
		{"own example, same text under another id", Example{ID: "copy", Query: dvExample, Gold: gold}, true, 0},
		{"own example without leave-one-out leaks", Example{ID: "ex-dv", Query: dvExample, Gold: gold}, false, 1},
		{"paraphrase learns from the example", Example{ID: "new", Query: dvQuestion, Gold: gold}, true, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := e.Evaluate(context.Background(), []Example{c.ex}, EvalOptions{LeaveOneOut: c.leaveOneOut})
			if err != nil {
				t.Fatal(err)
			}
			if r.Questions != 1 {
				t.Fatalf("scored %d questions, want 1", r.Questions)
			}
			if got := r.Recall[10]; got != c.wantRecall {
				t.Errorf("R@10 = %v, want %v", got, c.wantRecall)
			}
		})
	}
}

// TestExamplesFileIsFingerprinted: changing the examples rebuilds the
// index, so an index never serves labels it was not built with.
func TestExamplesFileIsFingerprinted(t *testing.T) {
	with, err := (sources{laws: []string{retrievalLaws}, examples: []string{retrievalExamples}}).fingerprint()
	if err != nil {
		t.Fatal(err)
	}
	without, err := (sources{laws: []string{retrievalLaws}}).fingerprint()
	if err != nil {
		t.Fatal(err)
	}
	if with == without {
		t.Fatal("fingerprint ignores knowledge.examples")
	}
	abs, _ := filepath.Abs(retrievalExamples)
	if _, err := (sources{examples: []string{abs + ".missing"}}).fingerprint(); err == nil {
		t.Fatal("a missing examples file is not an error")
	}
}

func TestCleanQuestion(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"question words", "请问老公打我怎么办", "老公打我"},
		{"particles", "彩礼能要回来吗", "彩礼能要回来"},
		{"polite frame", "你好，我想咨询一下，欠工资不给可以吗？谢谢", "， ，欠工资不给 ？"},
		{"nothing to strip", "宅基地被占", "宅基地被占"},
		{"only noise", "请问怎么办", ""},
		{"long message is cut", repeat("借钱", 400), repeat("借钱", 150)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := CleanQuestion(c.in); got != c.want {
				t.Errorf("CleanQuestion(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for i := 0; i < n; i++ {
		out = append(out, s...)
	}
	return string(out)
}

func TestExpand(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string // words that must appear
		not      []string // words that must not
	}{
		{"domestic violence", "老公打我", []string{"家庭暴力", "人身安全保护令"}, nil},
		{"unpaid wages", "欠工资不给", []string{"拖欠", "劳动报酬"}, nil},
		{"bride price", "彩礼能要回来", []string{"婚约财产", "返还"}, []string{"彩礼"}},
		{"fraud", "被人骗了", []string{"诈骗"}, nil},
		{"longest key wins", "借钱不还", []string{"诉讼时效", "逾期"}, nil},
		{"no lay words", "第一千零七十九条", nil, []string{"离婚"}},
		{"dog bite", "狗把我娃咬了", []string{"饲养的动物"}, nil},
		{"a dog alone is no legal matter", "我家的狗生了五只小狗", nil, []string{"饲养的动物"}},
		{"neighbour's dog is about the dog", "邻居家的狗把我娃咬了", []string{"饲养的动物"}, []string{"相邻", "不动产权利人"}},
		{"neighbour with a neighbour matter", "邻居家盖房挡光", []string{"相邻", "不动产权利人", "采光"}, nil},
		{"neighbour alone", "和邻居闹矛盾了", []string{"相邻"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Expand(c.in)
			words := map[string]bool{}
			for _, w := range strings.Fields(got) {
				if words[w] {
					t.Errorf("Expand(%q) repeats %q", c.in, w)
				}
				words[w] = true
			}
			for _, w := range c.want {
				if !words[w] {
					t.Errorf("Expand(%q) = %q, missing %q", c.in, got, w)
				}
			}
			for _, w := range c.not {
				if words[w] {
					t.Errorf("Expand(%q) = %q, should not add %q", c.in, got, w)
				}
			}
		})
	}
}
