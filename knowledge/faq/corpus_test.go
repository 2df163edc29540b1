package faq

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/pufabot/pufabot/internal/shared"
)

// This file checks the starter pack against the LawRefBook corpus: every
// cited article must exist in the newest version of its law, and its
// evidence phrase must occur in that article's text. It carries its own
// small reader of the corpus so that it does not depend on the corpus
// package.

// parseNumeral reads a Chinese article number such as 一千零七十九 or 十五.
// It returns false for anything else.
func parseNumeral(s string) (int, bool) {
	digits := map[rune]int{'零': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	units := map[rune]int{'十': 10, '百': 100, '千': 1000}
	total, cur := 0, -1
	if s == "" {
		return 0, false
	}
	for _, r := range s {
		if d, ok := digits[r]; ok {
			cur = d
			continue
		}
		u, ok := units[r]
		if !ok {
			return 0, false
		}
		if cur < 0 {
			if u != 10 {
				return 0, false
			}
			cur = 1 // 十五 = 15
		}
		total += cur * u
		cur = -1
	}
	if cur > 0 {
		total += cur
	}
	return total, total > 0
}

// articleLine matches the start of an article line; see SOURCE.md.
var articleLine = regexp.MustCompile(`^[第笫]\s*([零一二三四五六七八九十百千]+)\s*条(之[一二三四五六七八九十]+)?`)

var fileDate = regexp.MustCompile(`\((\d{4}-\d{2}-\d{2})\)\.md$`)

type lawFile struct {
	path string
	date string // YYYY-MM-DD from the file name, or ""
}

type articleKey struct {
	num    int
	suffix string
}

// corpus indexes the law files by title and reads articles on demand.
type corpus struct {
	byTitle map[string][]lawFile
	mu      sync.Mutex
	parsed  map[string]map[articleKey][]string // path -> article -> texts
}

var (
	corpusOnce sync.Once
	theCorpus  *corpus
	corpusErr  error
)

func loadCorpus(t *testing.T) *corpus {
	t.Helper()
	dir := shared.LawsDir(t)
	corpusOnce.Do(func() {
		theCorpus, corpusErr = indexCorpus(dir)
	})
	if corpusErr != nil {
		t.Fatal(corpusErr)
	}
	return theCorpus
}

func indexCorpus(dir string) (*corpus, error) {
	c := &corpus{byTitle: map[string][]lawFile{}, parsed: map[string]map[articleKey][]string{}}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".md") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		if !sc.Scan() {
			return nil
		}
		title, ok := strings.CutPrefix(sc.Text(), "# ")
		if !ok {
			return nil
		}
		lf := lawFile{path: p}
		if m := fileDate.FindStringSubmatch(filepath.Base(p)); m != nil {
			lf.date = m[1]
		}
		key := squeeze(title)
		c.byTitle[key] = append(c.byTitle[key], lf)
		return nil
	})
	return c, err
}

// squeeze removes all white space, including zero-width spaces.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
}

// files returns the newest version of the law named law: all files whose
// title is "中华人民共和国"+law or law and whose file-name date is the latest.
func (c *corpus) files(law string) []lawFile {
	cands := c.byTitle[squeeze("中华人民共和国"+law)]
	if len(cands) == 0 {
		cands = c.byTitle[squeeze(law)]
	}
	newest := ""
	for _, f := range cands {
		if f.date > newest {
			newest = f.date
		}
	}
	var out []lawFile
	for _, f := range cands {
		if f.date == newest {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// articles parses a law file into its articles. An article line is only
// accepted when its number follows the previous article (n+1, or the same
// number with a suffix such as 之一), so that cross-references at the start
// of a line are not taken for articles.
func (c *corpus) articles(path string) (map[articleKey][]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a, ok := c.parsed[path]; ok {
		return a, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[articleKey][]string{}
	text := string(data)
	if i := strings.Index(text, "<!-- INFO END -->"); i >= 0 {
		text = text[i:]
	}
	var cur *articleKey
	var body strings.Builder
	flush := func() {
		if cur != nil {
			out[*cur] = append(out[*cur], body.String())
		}
		cur = nil
		body.Reset()
	}
	prev := 0
	for _, line := range strings.Split(text, "\n") {
		if m := articleLine.FindStringSubmatchIndex(line); m != nil {
			n, ok := parseNumeral(line[m[2]:m[3]])
			suffix := ""
			if m[4] >= 0 {
				suffix = line[m[4]:m[5]]
			}
			if ok && (prev == 0 || n == prev+1 || (n == prev && suffix != "")) {
				flush()
				cur = &articleKey{n, suffix}
				prev = n
				body.WriteString(line[m[1]:])
				continue
			}
		}
		if strings.HasPrefix(line, "#") {
			flush()
			continue
		}
		if cur != nil {
			body.WriteString("\n")
			body.WriteString(line)
		}
	}
	flush()
	c.parsed[path] = out
	return out, nil
}

// lookup returns the texts of the article in the newest version of the law
// (several when the law spans or is copied into several files).
func (c *corpus) lookup(a ArticleRef) ([]string, []lawFile, error) {
	files := c.files(a.Law)
	var texts []string
	for _, f := range files {
		arts, err := c.articles(f.path)
		if err != nil {
			return nil, files, err
		}
		texts = append(texts, arts[articleKey{a.Article, a.Suffix}]...)
	}
	return texts, files, nil
}

type citedRef struct {
	where string
	ref   ArticleRef
}

func starterRefs(t *testing.T) []citedRef {
	t.Helper()
	p, err := Starter()
	if err != nil {
		t.Fatal(err)
	}
	var refs []citedRef
	for _, e := range p.Entries {
		for _, a := range e.Articles {
			refs = append(refs, citedRef{"entry " + e.ID + " (" + e.Source + ")", a})
		}
	}
	for _, tp := range p.Topics {
		for _, a := range tp.Articles {
			refs = append(refs, citedRef{"topic " + tp.ID, a})
		}
	}
	return refs
}

func TestParseNumeral(t *testing.T) {
	cases := map[string]int{"一": 1, "十": 10, "十五": 15, "二十": 20, "一百零一": 101, "一百一十": 110,
		"二百八十七": 287, "一千零七十九": 1079, "一千一百": 1100, "一千二百六十": 1260}
	for s, want := range cases {
		if got, ok := parseNumeral(s); !ok || got != want {
			t.Errorf("parseNumeral(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, bad := range []string{"", "条", "百"} {
		if _, ok := parseNumeral(bad); ok {
			t.Errorf("parseNumeral(%q) succeeded", bad)
		}
	}
	// Numeral and parseNumeral are written independently; they must agree.
	for n := 1; n <= 2000; n++ {
		if got, ok := parseNumeral(Numeral(n)); !ok || got != n {
			t.Fatalf("parseNumeral(Numeral(%d) = %q) = %d", n, Numeral(n), got)
		}
	}
}

// TestArticlesExistInCorpus checks that every article cited by the starter
// pack exists in the newest version of its law.
func TestArticlesExistInCorpus(t *testing.T) {
	c := loadCorpus(t)
	refs := starterRefs(t)
	verified := 0
	for _, r := range refs {
		texts, files, err := c.lookup(r.ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Errorf("%s: %s: no corpus file has the title %q or %q", r.where, r.ref, "中华人民共和国"+r.ref.Law, r.ref.Law)
			continue
		}
		if len(texts) == 0 {
			t.Errorf("%s: %s: no such article in %s", r.where, r.ref, filepath.Base(files[0].path))
			continue
		}
		verified++
	}
	t.Logf("%d of %d article references found in the corpus", verified, len(refs))
}

// TestEvidenceInArticles checks that each reference's evidence phrase
// occurs, ignoring white space, in the text of the article it cites.
func TestEvidenceInArticles(t *testing.T) {
	c := loadCorpus(t)
	refs := starterRefs(t)
	verified := 0
	for _, r := range refs {
		if r.ref.Evidence == "" {
			continue // TestStarterEvidencePresent reports it
		}
		texts, _, err := c.lookup(r.ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(texts) == 0 {
			continue // TestArticlesExistInCorpus reports it
		}
		want := squeeze(r.ref.Evidence)
		found := false
		for _, text := range texts {
			if strings.Contains(squeeze(text), want) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: %s: evidence %q not in the article text:\n%s", r.where, r.ref, r.ref.Evidence, texts[0])
			continue
		}
		verified++
	}
	t.Logf("%d of %d evidence phrases found in their articles", verified, len(refs))
}
