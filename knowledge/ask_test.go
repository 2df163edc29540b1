package knowledge

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// mustEngine builds an engine in a temp dir over the given law folders.
func mustEngine(t *testing.T, laws ...string) *Engine {
	t.Helper()
	e, err := Open(context.Background(), Options{DataDir: t.TempDir(), Laws: laws})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func fixtureLaws() string { return filepath.Join("testdata", "laws") }

func TestAnswerFromStarterPackWithoutCorpus(t *testing.T) {
	e := mustEngine(t)
	a, err := e.Answer(context.Background(), "被电信诈骗了怎么办")
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != KindFAQ || a.FAQ == nil {
		t.Fatalf("kind = %s, want a FAQ answer", a.Kind)
	}
	found := false
	for _, h := range a.Hits {
		if strings.HasPrefix(h.Citation, "《中华人民共和国反电信网络诈骗法》第") {
			found = true
		}
	}
	if !found {
		t.Errorf("no 反电信网络诈骗法 citation in %+v", a.Hits)
	}
	text := RenderText(a)
	for _, want := range []string{"110", "不是正式的法律意见", "12348"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer text lacks %q:\n%s", want, text)
		}
	}
}

func TestCitationLookup(t *testing.T) {
	e := mustEngine(t, fixtureLaws())
	cases := []struct {
		name, q    string
		wantKind   Kind
		wantCite   string
		wantNotice string
		wantInText string
	}{
		{"arabic", "民法典第1079条", KindCitation, "《中华人民共和国民法典》第一千零七十九条", "", "感情确已破裂"},
		{"chinese numerals in brackets", "《民法典》第一千零七十七条是什么意思", KindCitation, "《中华人民共和国民法典》第一千零七十七条", "", "三十日"},
		{"repealed law mapped", "婚姻法第32条", KindCitation, "《中华人民共和国民法典》第一千零七十九条", "废止", "感情确已破裂"},
		{"alias", "反诈法第2条", KindCitation, "《中华人民共和国反电信网络诈骗法》第二条", "", "非接触"},
		{"missing article", "民法典第1070条", KindNone, "", "没有第一千零七十条", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := e.Answer(context.Background(), c.q)
			if err != nil {
				t.Fatal(err)
			}
			if c.wantKind == KindCitation && a.Kind != KindCitation {
				t.Fatalf("kind = %s, want citation (notice %q)", a.Kind, a.Notice)
			}
			if c.wantCite != "" && (len(a.Hits) == 0 || a.Hits[0].Citation != c.wantCite) {
				t.Fatalf("hits = %+v, want %s", a.Hits, c.wantCite)
			}
			if c.wantNotice != "" && !strings.Contains(a.Notice, c.wantNotice) {
				t.Errorf("notice = %q, want it to mention %q", a.Notice, c.wantNotice)
			}
			if c.wantInText != "" && !strings.Contains(RenderText(a), c.wantInText) {
				t.Errorf("text lacks %q:\n%s", c.wantInText, RenderText(a))
			}
		})
	}
}

func TestArticleByIDAndSearchPaging(t *testing.T) {
	e := mustEngine(t, fixtureLaws())
	ctx := context.Background()
	hits, err := e.Search(ctx, "离婚 登记 子女抚养", 2, 0)
	if err != nil || len(hits) != 2 {
		t.Fatalf("Search = %v, %v", hits, err)
	}
	next, err := e.Search(ctx, "离婚 登记 子女抚养", 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range next {
		if h.ID == hits[0].ID || h.ID == hits[1].ID {
			t.Errorf("page 2 repeats %s", h.Citation)
		}
	}
	if len(hits[0].ID) >= 40 {
		t.Errorf("id %q too long for callback data", hits[0].ID)
	}
	full, ok := e.Article(hits[0].ID)
	if !ok || full.Text == "" || full.Citation != hits[0].Citation {
		t.Fatalf("Article(%q) = %+v, %v", hits[0].ID, full, ok)
	}
	if _, ok := e.Article("a00000000-1"); ok {
		t.Error("unknown id found")
	}
}

func TestHostileInputNeverFails(t *testing.T) {
	e := mustEngine(t, fixtureLaws())
	inputs := []string{
		"", "   ", "😀😀😀", "\x00\x01\x1b[31m", "\u202e离婚\u202c", "<b>离婚</b>", "*离婚* _财产_",
		`+离婚 -财产 text:"冷静期" ~2 ^3 (a OR b) *:*`, strings.Repeat("离婚财产怎么分", 600), "第第第条条条", "民法典第99999999999999条",
	}
	for _, q := range inputs {
		a, err := e.Answer(context.Background(), q)
		if err != nil {
			t.Errorf("Answer(%.20q): %v", q, err)
			continue
		}
		// Small talk (😀😀😀) and the plain not-found answer carry no
		// legal information to disclaim.
		if got := strings.Contains(RenderText(a), Disclaimer); got != a.Answered() {
			t.Errorf("Answer(%.20q): kind %s, disclaimer shown %v", q, a.Kind, got)
		}
	}
	// Query syntax must not change the meaning: the same words with and
	// without operators rank the same articles.
	plain, _ := e.Search(context.Background(), "离婚 冷静期", 3, 0)
	ops, _ := e.Search(context.Background(), `+离婚 -"冷静期"`, 3, 0)
	if len(plain) == 0 || len(ops) == 0 || plain[0].ID != ops[0].ID {
		t.Errorf("operators changed the ranking: %v vs %v", plain, ops)
	}
}

func TestIndexReusedAndRebuiltWhenInputsChange(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	open := func(laws ...string) Stats {
		e, err := Open(ctx, Options{DataDir: dir, Laws: laws})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		return e.Stats()
	}
	first := open(fixtureLaws())
	again := open(fixtureLaws())
	if !again.Built.Equal(first.Built) {
		t.Errorf("index rebuilt although nothing changed")
	}
	faqOnly := open()
	if faqOnly.Articles != 0 || faqOnly.Built.Equal(first.Built) {
		t.Errorf("index not rebuilt after the corpus changed: %+v", faqOnly)
	}
}
