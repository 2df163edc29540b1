package corpus

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pufabot/pufabot/internal/shared"
)

var (
	realMu    sync.Mutex
	realCache = map[string]*Corpus{}
)

// loadReal loads folders of the shared corpus (all of it when none are
// named) once per test binary, skipping when the corpus is absent.
func loadReal(t *testing.T, folders ...string) *Corpus {
	t.Helper()
	root := shared.LawsDir(t)
	key := strings.Join(folders, "|")
	realMu.Lock()
	defer realMu.Unlock()
	if c, ok := realCache[key]; ok {
		return c
	}
	dirs := []string{root}
	if len(folders) > 0 {
		dirs = nil
		for _, f := range folders {
			dirs = append(dirs, filepath.Join(root, f))
		}
	}
	c, warns, err := Load(dirs, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for _, w := range warns {
		if w.Path == "" || w.Msg == "" {
			t.Errorf("incomplete warning %#v", w)
		}
	}
	realCache[key] = c
	return c
}

// current returns the one current (not superseded) law called name.
func current(t *testing.T, c *Corpus, name string) *Law {
	t.Helper()
	var found []*Law
	for _, l := range c.Lookup(name) {
		if !l.Superseded {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("Lookup(%q): %d current versions", name, len(found))
	}
	return found[0]
}

// checkSequence checks that law has each (number, suffix) exactly once,
// plain numbers 1..n without gaps, and returns the number of suffixed
// articles.
func checkSequence(t *testing.T, law *Law, n int) int {
	t.Helper()
	seen := map[string]int{}
	plain, suffixed := 0, 0
	for _, a := range law.Articles {
		seen[a.Label()]++
		if a.Suffix == "" {
			plain++
			if a.Number != plain {
				t.Errorf("%s: %s where 第%s条 was expected", law.ID, a.Label(), FormatNumber(plain))
				plain = a.Number
			}
		} else {
			suffixed++
		}
		if len(a.Paragraphs) == 0 {
			t.Errorf("%s: %s has no text", law.ID, a.Label())
		}
	}
	for label, k := range seen {
		if k != 1 {
			t.Errorf("%s: %s found %d times", law.ID, label, k)
		}
	}
	if plain != n {
		t.Errorf("%s: last plain article 第%s条; want 第%s条", law.ID, FormatNumber(plain), FormatNumber(n))
	}
	return suffixed
}

func TestRealKeyLaws(t *testing.T) {
	c := loadReal(t, "宪法", "民法典", "刑法")

	constitution := current(t, c, "宪法")
	checkSequence(t, constitution, 143)
	if len(constitution.Articles) != 143 || !strings.HasPrefix(constitution.Preamble, "中国是世界上历史最悠久的国家之一。") {
		t.Errorf("宪法: %d articles, preamble %.40q", len(constitution.Articles), constitution.Preamble)
	}

	civil := current(t, c, "中华人民共和国民法典")
	checkSequence(t, civil, 1260)
	if len(civil.Articles) != 1260 || len(civil.Paths) != 8 || civil.Category != "民法典" {
		t.Errorf("民法典: %d articles, %d paths, category %q", len(civil.Articles), len(civil.Paths), civil.Category)
	}
	civilHeadings := map[int][]string{
		1:    {"第一编 总则", "第一章 基本规定"},
		205:  {"第二编 物权", "第一分编 通则", "第一章 一般规定"},
		1079: {"第五编 婚姻家庭", "第四章 离婚"},
		1260: {"附则"},
	}
	for _, a := range civil.Articles {
		if want, ok := civilHeadings[a.Number]; ok && fmt.Sprint(a.Headings) != fmt.Sprint(want) {
			t.Errorf("民法典 %s headings %q; want %q", a.Label(), a.Headings, want)
		}
		if a.Number == 1079 {
			if got := Cite(civil.Title, a); got != "《中华人民共和国民法典》第一千零七十九条" {
				t.Errorf("Cite = %q", got)
			}
			if !strings.HasPrefix(a.Text(), "夫妻一方要求离婚的") || len(a.Paragraphs) < 5 {
				t.Errorf("民法典 第一千零七十九条 = %q", a.Paragraphs)
			}
		}
	}

	criminal := current(t, c, "刑法")
	if got := checkSequence(t, criminal, 452); got != 53 {
		t.Errorf("刑法: %d 之… articles; want 53", got)
	}
	if len(criminal.Articles) != 452+53 {
		t.Errorf("刑法: %d articles", len(criminal.Articles))
	}
	if !strings.HasPrefix(criminal.Preamble, "附件一") {
		t.Errorf("刑法 appendix not in the preamble: %.40q", criminal.Preamble)
	}

	amendments := 0
	for _, l := range c.Laws {
		if l.Amendment {
			amendments++
			if len(l.Articles) != 0 || l.Preamble == "" {
				t.Errorf("%s: amendment with %d articles, preamble %d bytes", l.ID, len(l.Articles), len(l.Preamble))
			}
		}
	}
	if amendments != 5+12 {
		t.Errorf("%d amendment files; want 17", amendments)
	}
	if got := c.NumArticles(); got != 143+1260+452+53 {
		t.Errorf("NumArticles = %d", got)
	}
}

func TestRealFullCorpus(t *testing.T) {
	c := loadReal(t)
	if n := c.NumArticles(); n < 145000 || n > 150000 {
		t.Errorf("NumArticles = %d; want about 147k", n)
	}
	ids := map[string]bool{}
	for _, l := range c.Laws {
		if ids[l.ID] {
			t.Errorf("duplicate ID %q", l.ID)
		}
		ids[l.ID] = true
		if l.Category == "" || l.Title == "" || len(l.Paths) == 0 {
			t.Errorf("%s: category %q, %d paths", l.ID, l.Category, len(l.Paths))
		}
		if strings.Contains(filepath.ToSlash(l.Paths[0]), "/部门规章/") && l.Category != "部门规章" {
			t.Errorf("%s: category %q; want 部门规章", l.ID, l.Category)
		}
		if strings.Contains(l.Category, "案例") || strings.Contains(l.Category, "其他") {
			t.Errorf("%s: from skipped folder %q", l.ID, l.Category)
		}
	}

	company := c.Lookup("公司法")
	if len(company) != 2 || company[0].Version != "2023-12-29" || company[0].Superseded ||
		company[1].Version != "2018-10-26" || !company[1].Superseded {
		for _, l := range company {
			t.Logf("%s superseded=%v", l.ID, l.Superseded)
		}
		t.Error("公司法: want 2023 current and 2018 superseded")
	}

	fraud := c.Lookup("反电信网络诈骗法")
	if len(fraud) != 1 || len(fraud[0].Articles) != 50 || len(fraud[0].Paths) != 2 {
		t.Fatalf("反电信网络诈骗法: %d laws", len(fraud))
	}
	checkSequence(t, fraud[0], 50)

	// Article counts from the corpus notes.
	keyLaws := []struct {
		name string
		n    int
	}{
		{"禁毒法", 71},
		{"国家安全法", 84},
		{"消费者权益保护法", 63},
		{"未成年人保护法", 132},
		{"人民调解法", 35},
		{"劳动合同法", 98},
		{"劳动法", 107},
		{"治安管理处罚法", 119},
		{"个人信息保护法", 74},
		{"农村土地承包法", 70},
		{"法律援助法", 71},
	}
	for _, k := range keyLaws {
		law := current(t, c, k.name)
		checkSequence(t, law, k.n)
		if len(law.Articles) != k.n {
			t.Errorf("%s: %d articles; want %d", law.ID, len(law.Articles), k.n)
		}
	}

	// Local regulations are filed under their province.
	provinces := map[string]int{}
	for _, l := range c.Laws {
		for _, p := range l.Paths {
			if strings.Contains(filepath.ToSlash(p), "/DLC/") {
				provinces[l.Category]++
				break
			}
		}
	}
	for _, p := range []string{"上海", "北京", "山东", "广东", "河南", "浙江", "重庆"} {
		if provinces[p] == 0 {
			t.Errorf("no local regulations filed under %s (have %v)", p, provinces)
		}
	}
}

func TestRealFingerprint(t *testing.T) {
	dirs := shared.EvalCorpusDirs(t)
	a, err := Fingerprint(dirs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Fingerprint(dirs)
	if err != nil || a != b {
		t.Errorf("fingerprint unstable: %q, %q, %v", a, b, err)
	}
}

func BenchmarkLoadEvalCorpus(b *testing.B) {
	dirs := shared.EvalCorpusDirs(b)
	var n int
	for b.Loop() {
		c, _, err := Load(dirs, nil)
		if err != nil {
			b.Fatal(err)
		}
		n = c.NumArticles()
	}
	b.ReportMetric(float64(n), "articles")
}

func BenchmarkLoadFullCorpus(b *testing.B) {
	dirs := []string{shared.LawsDir(b)}
	var n int
	for b.Loop() {
		c, _, err := Load(dirs, nil)
		if err != nil {
			b.Fatal(err)
		}
		n = c.NumArticles()
	}
	b.ReportMetric(float64(n), "articles")
}

func BenchmarkFingerprintEvalCorpus(b *testing.B) {
	dirs := shared.EvalCorpusDirs(b)
	for b.Loop() {
		if _, err := Fingerprint(dirs); err != nil {
			b.Fatal(err)
		}
	}
}
