package corpus

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixtureDirs are the folders of the small test corpus.
var fixtureDirs = []string{filepath.Join("testdata", "corpus"), filepath.Join("testdata", "纯文本")}

// loadFixture loads dirs and fails the test on error.
func loadFixture(t *testing.T, dirs ...string) (*Corpus, []Warning) {
	t.Helper()
	c, warns, err := Load(dirs, nil)
	if err != nil {
		t.Fatalf("Load(%q): %v", dirs, err)
	}
	return c, warns
}

// byID indexes the laws of c by ID.
func byID(c *Corpus) map[string]*Law {
	m := map[string]*Law{}
	for _, l := range c.Laws {
		m[l.ID] = l
	}
	return m
}

func TestLoadFixtureCorpus(t *testing.T) {
	c, warns := loadFixture(t, fixtureDirs...)
	ids := byID(c)
	tests := []struct {
		id         string
		category   string
		superseded bool
		amendment  bool
		articles   int
		paths      []string // path suffixes, in order
		preamble   string
	}{
		{id: "中华人民共和国示范法@2019-01-01", category: "民法商法", superseded: true, articles: 2, paths: []string{"民法商法/示范法(2019-01-01).md"}},
		{id: "中华人民共和国示范法@2023-06-01", category: "民法商法", articles: 3, paths: []string{"民法商法/示范法(2023-06-01).md"}},
		{id: "中华人民共和国重复法@2022-09-02", category: "社会法", articles: 2, paths: []string{"社会法/重复法(2022-09-02).md", "行政法/重复法(2022-09-02).md"}},
		{id: "中华人民共和国近似法@2021-04-29", category: "经济法", articles: 1, paths: []string{"经济法/近似法(2021-04-29).md", "行政法/近似法(2021-04-29).md"}},
		{id: "中华人民共和国示范法典", category: "示范法典", articles: 4, paths: []string{"示范法典/总则.md", "示范法典/分则编.md"}},
		{id: "最高人民法院关于示例问题的批复", category: "司法解释", paths: []string{"司法解释/最高人民法院关于示例问题的批复.md"},
			preamble: "示例省高级人民法院：\n一、本批复适用于示例案件。"},
		{id: "中华人民共和国示范法修正案（一）", category: "宪法", amendment: true, paths: []string{"宪法/示范法修正案（一）.md"},
			preamble: "第一条 示范法第一条修改为：“……”"},
		{id: "中华人民共和国坏文件法@2020-01-01", category: "行政法", articles: 1, paths: []string{"行政法/坏文件(2020-01-01).md"}},
		{id: "测试省示例条例@2021-01-01", category: "测试省", articles: 1, paths: []string{"测试省/测试省示例条例(2021-01-01).md"}},
		{id: "示例管理办法", category: "纯文本", articles: 2, paths: []string{"纯文本/示例管理办法.txt"}},
	}
	if len(c.Laws) != len(tests) {
		var got []string
		for _, l := range c.Laws {
			got = append(got, l.ID)
		}
		t.Errorf("laws = %q; want %d", got, len(tests))
	}
	for _, tt := range tests {
		l := ids[tt.id]
		if l == nil {
			t.Errorf("%s missing", tt.id)
			continue
		}
		if l.Category != tt.category || l.Superseded != tt.superseded || l.Amendment != tt.amendment || len(l.Articles) != tt.articles {
			t.Errorf("%s: category %q superseded %v amendment %v articles %d; want %q %v %v %d",
				tt.id, l.Category, l.Superseded, l.Amendment, len(l.Articles), tt.category, tt.superseded, tt.amendment, tt.articles)
		}
		if len(l.Paths) != len(tt.paths) {
			t.Errorf("%s: paths %q; want %q", tt.id, l.Paths, tt.paths)
		} else {
			for i, p := range l.Paths {
				if !strings.HasSuffix(filepath.ToSlash(p), tt.paths[i]) {
					t.Errorf("%s: path %d = %q; want suffix %q", tt.id, i, p, tt.paths[i])
				}
			}
		}
		if l.Preamble != tt.preamble {
			t.Errorf("%s: preamble %q; want %q", tt.id, l.Preamble, tt.preamble)
		}
	}
	if !slices.IsSortedFunc(c.Laws, func(a, b *Law) int {
		if a.Title != b.Title {
			return strings.Compare(a.Title, b.Title)
		}
		return strings.Compare(a.Version, b.Version)
	}) {
		t.Error("laws not sorted by title and version")
	}
	if code := ids["中华人民共和国示范法典"]; code != nil {
		if got := labels(code); !slices.Equal(got, seq(4)) {
			t.Errorf("merged parts: articles %v", got)
		}
		if got := code.Articles[2].Headings; !slices.Equal(got, []string{"分则编", "第一章 一般规定"}) {
			t.Errorf("merged parts: headings %q", got)
		}
		if len(code.Meta) != 1 {
			t.Errorf("merged parts: meta %q", code.Meta)
		}
	}
	if got := c.NumArticles(); got != 2+3+2+1+4+1+1+2 {
		t.Errorf("NumArticles = %d", got)
	}
	wantWarns := []string{"坏文件(2020-01-01).md:7: invalid UTF-8", "行政法/近似法(2021-04-29).md: same title and version"}
	if len(warns) != len(wantWarns) {
		t.Fatalf("warnings = %v; want %d", warns, len(wantWarns))
	}
	for i, w := range warns {
		if !strings.Contains(filepath.ToSlash(w.String()), wantWarns[i]) {
			t.Errorf("warning %d = %q; want it to contain %q", i, w, wantWarns[i])
		}
	}
}

func TestLoadOneFolder(t *testing.T) {
	tests := []struct {
		dir      string
		ids      []string
		category string
	}{
		{filepath.Join("testdata", "corpus", "民法商法"), []string{"中华人民共和国示范法@2019-01-01", "中华人民共和国示范法@2023-06-01"}, "民法商法"},
		{filepath.Join("testdata", "corpus", "DLC"), []string{"测试省示例条例@2021-01-01"}, "测试省"},
		// A skipped folder named explicitly is read.
		{filepath.Join("testdata", "corpus", "案例"), []string{"某某诉某公司合同纠纷案"}, "案例"},
		{filepath.Join("testdata", "corpus", "民法商法", "示范法(2019-01-01).md"), []string{"中华人民共和国示范法@2019-01-01"}, "民法商法"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.dir), func(t *testing.T) {
			c, _ := loadFixture(t, tt.dir)
			var ids []string
			for _, l := range c.Laws {
				ids = append(ids, l.ID)
				if l.Category != tt.category {
					t.Errorf("%s: category %q; want %q", l.ID, l.Category, tt.category)
				}
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("laws = %q; want %q", ids, tt.ids)
			}
		})
	}
}

func TestLoadOverlappingDirs(t *testing.T) {
	c, _ := loadFixture(t, filepath.Join("testdata", "corpus"), filepath.Join("testdata", "corpus", "民法商法"))
	n := 0
	for _, l := range c.Laws {
		if l.ShortName == "示范法" {
			n++
			if len(l.Paths) != 1 {
				t.Errorf("%s: paths %q", l.ID, l.Paths)
			}
		}
	}
	if n != 2 {
		t.Errorf("示范法 versions = %d; want 2", n)
	}
}

func TestLoadProgress(t *testing.T) {
	var calls [][2]int
	_, _, err := Load(fixtureDirs, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 {
		t.Fatal("progress never called")
	}
	total := calls[0][1]
	if len(calls) != total {
		t.Errorf("%d progress calls for %d files", len(calls), total)
	}
	for i, c := range calls {
		if c[0] != i+1 || c[1] != total {
			t.Errorf("call %d = %v; want [%d %d]", i, c, i+1, total)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	if _, _, err := Load([]string{filepath.Join(t.TempDir(), "missing")}, nil); err == nil {
		t.Error("Load of a missing folder: no error")
	}
	c, warns, err := Load([]string{t.TempDir()}, nil)
	if err != nil || len(c.Laws) != 0 || len(warns) != 0 {
		t.Errorf("Load of an empty folder = %d laws, %v, %v", len(c.Laws), warns, err)
	}
	r := parseSource(sourceFile{path: filepath.Join(t.TempDir(), "gone.md")})
	if r.ok || len(r.warns) != 1 || !strings.Contains(r.warns[0].Msg, "cannot read") {
		t.Errorf("unreadable file: ok %v, warnings %v", r.ok, r.warns)
	}
}

func TestLookup(t *testing.T) {
	c, _ := loadFixture(t, fixtureDirs...)
	tests := []struct {
		name string
		want []string
	}{
		{"示范法", []string{"中华人民共和国示范法@2023-06-01", "中华人民共和国示范法@2019-01-01"}},
		{"《中华人民共和国示范法》", []string{"中华人民共和国示范法@2023-06-01", "中华人民共和国示范法@2019-01-01"}},
		{"示范法修正案(一)", []string{"中华人民共和国示范法修正案（一）"}},
		{"测试省示例条例", []string{"测试省示例条例@2021-01-01"}},
		{"没有这部法", nil},
	}
	ids := func(ls []*Law) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.ID)
		}
		return out
	}
	for _, tt := range tests {
		if got := ids(c.Lookup(tt.name)); !slices.Equal(got, tt.want) {
			t.Errorf("Lookup(%q) = %q; want %q", tt.name, got, tt.want)
		}
		// A corpus built by hand has no index and must give the same answer.
		manual := &Corpus{Laws: slices.Clone(c.Laws)}
		if got := ids(manual.Lookup(tt.name)); !slices.Equal(got, tt.want) {
			t.Errorf("manual Lookup(%q) = %q; want %q", tt.name, got, tt.want)
		}
	}
}

// copyTree copies the folder src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFingerprint(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join("testdata", "corpus"), dir)
	fp := func() string {
		t.Helper()
		s, err := Fingerprint([]string{dir})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := fp()
	if base == "" || fp() != base {
		t.Fatalf("fingerprint unstable or empty: %q", base)
	}
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Files Load skips do not change the fingerprint.
	write("案例/新案例.md", "# 案例\n")
	write("README.txt", "说明")
	write("行政法/notes.json", "{}")
	if got := fp(); got != base {
		t.Errorf("skipped files changed the fingerprint")
	}
	// Changing the modification time of a law changes it.
	p := filepath.Join(dir, "民法商法", "示范法(2019-01-01).md")
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	touched := fp()
	if touched == base {
		t.Error("mtime change not detected")
	}
	// So does adding a file.
	write("行政法/新法(2024-01-01).md", "# 新法\n\n<!-- INFO END -->\n\n第一条 内容。")
	if got := fp(); got == touched {
		t.Error("new file not detected")
	}
	if _, err := Fingerprint([]string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("Fingerprint of a missing folder: no error")
	}
	// The fingerprint does not depend on where the corpus lives.
	other := t.TempDir()
	copyTree(t, dir, other)
	for _, d := range []string{dir, other} {
		_ = filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				return os.Chtimes(p, old, old)
			}
			return err
		})
	}
	a, _ := Fingerprint([]string{dir})
	b, _ := Fingerprint([]string{other})
	if a != b {
		t.Error("fingerprint depends on the folder location")
	}
}
