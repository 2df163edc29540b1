package knowledge

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The currency fixtures: four articles of the real 2012 治安管理处罚法, and a
// made-up newer text of it in the plain .txt form staff may drop in.
var (
	oldPublicOrder   = filepath.Join("testdata", "currency", "old")
	newerPublicOrder = filepath.Join("testdata", "currency", "newer", "中华人民共和国治安管理处罚法(2025-06-27).txt")
)

// fightQuestion is the acceptance question of the law-currency work.
const fightQuestion = "打架了派出所会怎么处罚"

// openOn opens an engine in dataDir over laws whose clock says it is noon
// (China time) on date.
func openOn(t *testing.T, dataDir, date string, laws ...string) *Engine {
	t.Helper()
	day, err := time.ParseInLocation("2006-01-02", date, time.FixedZone("CST", 8*3600))
	if err != nil {
		t.Fatal(err)
	}
	now := day.Add(12 * time.Hour)
	e, err := Open(context.Background(), Options{DataDir: dataDir, Laws: laws, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func mustAnswer(t *testing.T, e *Engine, q string) *Answer {
	t.Helper()
	a, err := e.Answer(context.Background(), q)
	if err != nil {
		t.Fatalf("Answer(%q): %v", q, err)
	}
	return a
}

// publicOrderHits returns the hits citing 治安管理处罚法, failing when none do.
func publicOrderHits(t *testing.T, a *Answer) []Hit {
	t.Helper()
	var out []Hit
	for _, h := range a.Hits {
		if h.Law == "中华人民共和国治安管理处罚法" {
			out = append(out, h)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no 治安管理处罚法 article for %q: kind %s, hits %+v", a.Question, a.Kind, a.Hits)
	}
	return out
}

func TestRevisedLawIsLabelledAndWarned(t *testing.T) {
	e := openOn(t, t.TempDir(), "2026-11-29", oldPublicOrder, fixtureLaws())
	a := mustAnswer(t, e, fightQuestion)
	for _, h := range publicOrderHits(t, a) {
		if h.Version != "2012-10-26" || !h.Superseded || !strings.HasPrefix(h.Citation, "《中华人民共和国治安管理处罚法》（2012年修正）第") {
			t.Errorf("hit %s: version %q superseded %v", h.Citation, h.Version, h.Superseded)
		}
	}
	if len(a.Currency) != 1 || a.Currency[0].Adopted != "2025-06-27" || a.Currency[0].InForce != "2026-01-01" || a.Currency[0].Pending {
		t.Fatalf("currency = %+v", a.Currency)
	}
	text := RenderText(a)
	warn := strings.Index(text, "该法已于2025年6月27日修订，2026年1月1日起施行，以下条文可能已有变化，请以新法为准")
	first := strings.Index(text, "《中华人民共和国治安管理处罚法》（2012年修正）")
	if warn < 0 || first < 0 || warn > first {
		t.Errorf("the warning must come before the articles:\n%s", text)
	}
	for _, s := range []string{"12348", "国家法律法规数据库"} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q", s)
		}
	}
	// Laws with one known version carry no label and no warning.
	b := mustAnswer(t, e, "民法典第1079条")
	if len(b.Hits) != 1 || b.Hits[0].Citation != "《中华人民共和国民法典》第一千零七十九条" || b.Hits[0].Superseded || len(b.Currency) != 0 {
		t.Errorf("民法典第1079条: %+v, currency %+v", b.Hits, b.Currency)
	}
	if b.Hits[0].Version == "" {
		t.Errorf("民法典第1079条 has no version")
	}
	// The full-text view of the article carries the warning too.
	full, ok := e.Article(a.Hits[0].ID)
	if !ok || full.Currency == nil || !strings.Contains(full.Currency.Text, "请以新法为准") {
		t.Errorf("Article(%s) = %+v", a.Hits[0].ID, full.Currency)
	}
	// The JSON of a hit always has version and superseded.
	raw, err := json.Marshal(b.Hits[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["superseded"]; !ok || m["version"] != b.Hits[0].Version {
		t.Errorf("hit JSON lacks version or superseded: %s", raw)
	}
}

func TestRevisionNotYetInForce(t *testing.T) {
	e := openOn(t, t.TempDir(), "2025-12-31", oldPublicOrder, fixtureLaws())
	a := mustAnswer(t, e, fightQuestion)
	for _, h := range publicOrderHits(t, a) {
		if h.Superseded {
			t.Errorf("%s is still in force on 2025-12-31", h.Citation)
		}
	}
	if len(a.Currency) != 1 || !a.Currency[0].Pending {
		t.Fatalf("currency = %+v", a.Currency)
	}
	text := RenderText(a)
	if !strings.Contains(text, "该法已于2025年6月27日修订，将于2026年1月1日起施行，在此之前仍适用以下条文") || strings.Contains(text, "可能已有变化") {
		t.Errorf("pending revision wording:\n%s", text)
	}
}

// TestNewerTextDroppedIn: staff put a newer text into a law folder; the
// next index refresh makes it current, the warning goes, and the old text
// stays reachable by its date.
func TestNewerTextDroppedIn(t *testing.T) {
	data, drop := t.TempDir(), t.TempDir()
	before := openOn(t, data, "2026-11-29", oldPublicOrder, drop, fixtureLaws())
	if a := mustAnswer(t, before, fightQuestion); len(a.Currency) != 1 {
		t.Fatalf("before: currency = %+v", a.Currency)
	}
	before.Close()

	body, err := os.ReadFile(newerPublicOrder)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(drop, filepath.Base(newerPublicOrder)), body, 0o644); err != nil {
		t.Fatal(err)
	}
	e := openOn(t, data, "2026-11-29", oldPublicOrder, drop, fixtureLaws())
	a := mustAnswer(t, e, fightQuestion)
	if len(a.Currency) != 0 {
		t.Errorf("warning still there: %+v", a.Currency)
	}
	for _, h := range publicOrderHits(t, a) {
		if h.Version != "2025-06-27" || h.Superseded || !strings.HasPrefix(h.Citation, "《中华人民共和国治安管理处罚法》（2025年修订）第") {
			t.Errorf("hit %s: version %q superseded %v", h.Citation, h.Version, h.Superseded)
		}
	}
	text := RenderText(a)
	if !strings.Contains(text, "虚构测试文本") || strings.Contains(text, "该法已于") {
		t.Errorf("the new text should be shown without a warning:\n%s", text)
	}

	cases := []struct {
		q, version, cite string
		superseded       bool
		inText           string
	}{
		{"治安管理处罚法第43条", "2025-06-27", "《中华人民共和国治安管理处罚法》（2025年修订）第四十三条", false, "虚构"},
		{"治安管理处罚法(2012)第四十三条", "2012-10-26", "《中华人民共和国治安管理处罚法》（2012年修正）第四十三条", true, "二百元以上五百元以下罚款"},
		{"《治安管理处罚法》（2012-10-26）第43条", "2012-10-26", "《中华人民共和国治安管理处罚法》（2012年修正）第四十三条", true, "该版本已被新版本取代"},
		{"治安管理处罚法（2019年）第43条", "2025-06-27", "《中华人民共和国治安管理处罚法》（2025年修订）第四十三条", false, "本机没有《中华人民共和国治安管理处罚法》2019年的文本"},
	}
	for _, c := range cases {
		t.Run(c.q, func(t *testing.T) {
			a := mustAnswer(t, e, c.q)
			if a.Kind != KindCitation || len(a.Hits) != 1 {
				t.Fatalf("kind %s, hits %+v, notice %q", a.Kind, a.Hits, a.Notice)
			}
			h := a.Hits[0]
			if h.Version != c.version || h.Citation != c.cite || h.Superseded != c.superseded {
				t.Errorf("hit = %s version %s superseded %v", h.Citation, h.Version, h.Superseded)
			}
			if text := RenderText(a); !strings.Contains(text, c.inText) {
				t.Errorf("text lacks %q:\n%s", c.inText, text)
			}
		})
	}
}

func TestQuestionAboutMissingLaw(t *testing.T) {
	e := openOn(t, t.TempDir(), "2026-11-29", oldPublicOrder, fixtureLaws())
	for _, q := range []string{"民营经济促进法有哪些规定", "《民营经济促进法》第三条", "民营经济促进法 对小老板有什么保护"} {
		a := mustAnswer(t, e, q)
		if a.Kind != KindNone || len(a.Hits) != 0 || !a.AboutMissingLaw() {
			t.Errorf("%s: kind %s, %d hits, currency %+v", q, a.Kind, len(a.Hits), a.Currency)
			continue
		}
		text := RenderText(a)
		for _, s := range []string{"《中华人民共和国民营经济促进法》已于2025年4月30日通过，2025年5月20日起施行", "还没有收录", "flk.npc.gov.cn", Disclaimer} {
			if !strings.Contains(text, s) {
				t.Errorf("%s: text lacks %q:\n%s", q, s, text)
			}
		}
		if strings.Contains(text, "抱歉") {
			t.Errorf("%s: generic not-found text shown:\n%s", q, text)
		}
		if raw, _ := json.Marshal(a); !strings.Contains(string(raw), `"hits":[]`) {
			t.Errorf("%s: hits must be an empty list in JSON: %s", q, raw)
		}
	}
	// A question that does not name it is answered as usual.
	if a := mustAnswer(t, e, "民法典第1079条"); a.AboutMissingLaw() {
		t.Errorf("民法典第1079条 flagged as missing")
	}
	// A revised law of the table with no text loaded gets the same note
	// instead of unrelated articles; a longer title that ends with its
	// name is another law.
	a := mustAnswer(t, e, "仲裁法第2条")
	if a.Kind != KindNone || len(a.Hits) != 0 || !a.AboutMissingLaw() || !strings.Contains(RenderText(a), "《中华人民共和国仲裁法》已于2025年9月12日修订") {
		t.Errorf("仲裁法第2条: kind %s, hits %d, text:\n%s", a.Kind, len(a.Hits), RenderText(a))
	}
	for _, q := range []string{"劳动争议调解仲裁法第2条", "食品安全法实施条例第1条"} {
		for _, c := range mustAnswer(t, e, q).Currency {
			if c.Missing && (c.Law == "中华人民共和国仲裁法" || c.Law == "中华人民共和国食品安全法") {
				t.Errorf("%s taken for a question about %s", q, c.Law)
			}
		}
	}
}

// TestFightQuestionOnRealCorpus is the acceptance check on the shared
// corpus: on the evaluation corpus the fight question cites the 2012
// 治安管理处罚法 with its version and the revision warning; with the made-up
// newer text dropped into a law folder beside the real 2012 text, the
// warning is gone and the new text is shown.
//
//	PUFABOT_BENCH_DATA=/tmp/pufabot-bench go test -run TestFightQuestionOnRealCorpus -v ./knowledge
func TestFightQuestionOnRealCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds indexes of the shared corpus: skipped with -short")
	}
	o := evalOptions(t)
	o.Now = func() time.Time { return time.Date(2026, 11, 29, 4, 0, 0, 0, time.UTC) }
	e, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	a := mustAnswer(t, e, fightQuestion)
	for _, h := range publicOrderHits(t, a) {
		if h.Version != "2012-10-26" || !h.Superseded || !strings.HasPrefix(h.Citation, "《中华人民共和国治安管理处罚法》（2012年修正）第") {
			t.Errorf("hit %s: version %q superseded %v", h.Citation, h.Version, h.Superseded)
		}
	}
	text := RenderText(a)
	if !strings.Contains(text, "该法已于2025年6月27日修订，2026年1月1日起施行，以下条文可能已有变化，请以新法为准") {
		t.Errorf("no revision warning:\n%s", text)
	}
	t.Logf("evaluation corpus:\n%s", text)

	drop := t.TempDir()
	body, err := os.ReadFile(newerPublicOrder)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(drop, filepath.Base(newerPublicOrder)), body, 0o644); err != nil {
		t.Fatal(err)
	}
	// The real 2012 text (all 119 articles) beside the drop folder: a
	// second index of the whole corpus would cost minutes under -race.
	real2012 := filepath.Join(filepath.Dir(o.Laws[0]), "行政法", "治安管理处罚法(2012-10-26).md")
	after := openOn(t, t.TempDir(), "2026-11-29", real2012, drop)
	b := mustAnswer(t, after, fightQuestion)
	for _, h := range publicOrderHits(t, b) {
		if h.Version != "2025-06-27" || h.Superseded {
			t.Errorf("after the drop: hit %s version %q superseded %v", h.Citation, h.Version, h.Superseded)
		}
	}
	text = RenderText(b)
	if len(b.Currency) != 0 || strings.Contains(text, "该法已于") || !strings.Contains(text, "虚构测试文本") {
		t.Errorf("after the drop, the new text without a warning:\n%s", text)
	}
	t.Logf("with the newer text:\n%s", text)
}

// TestNewerTextDroppedInBeforeItTakesEffect: a revised text loaded ahead
// of its in-force date does not replace the text in force; it is reachable
// by its date and said to be coming, and takes over once the day comes.
func TestNewerTextDroppedInBeforeItTakesEffect(t *testing.T) {
	data, drop := t.TempDir(), t.TempDir()
	body, err := os.ReadFile(newerPublicOrder)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(drop, filepath.Base(newerPublicOrder)), body, 0o644); err != nil {
		t.Fatal(err)
	}
	e := openOn(t, data, "2025-12-31", oldPublicOrder, drop, fixtureLaws())
	a := mustAnswer(t, e, fightQuestion)
	for _, h := range publicOrderHits(t, a) {
		if h.Version != "2012-10-26" || h.Superseded {
			t.Errorf("on 2025-12-31 the 2012 text is in force, got %s (version %s, superseded %v)", h.Citation, h.Version, h.Superseded)
		}
	}
	if len(a.Currency) != 1 || !a.Currency[0].Pending {
		t.Fatalf("currency = %+v", a.Currency)
	}
	if text := RenderText(a); !strings.Contains(text, "将于2026年1月1日起施行，在此之前仍适用以下条文") || strings.Contains(text, "虚构") {
		t.Errorf("before the day:\n%s", text)
	}
	// The new text by its date: shown, and said not to apply yet.
	a = mustAnswer(t, e, "治安管理处罚法(2025)第43条")
	if a.Kind != KindCitation || len(a.Hits) != 1 || a.Hits[0].Version != "2025-06-27" {
		t.Fatalf("explicit new text: kind %s hits %+v", a.Kind, a.Hits)
	}
	if text := RenderText(a); !strings.Contains(text, "将于2026年1月1日起施行；在此之前仍适用现行文本") {
		t.Errorf("new text before the day:\n%s", text)
	}
	// 治安管理处罚法第43条 without a date is the text in force.
	if a := mustAnswer(t, e, "治安管理处罚法第43条"); len(a.Hits) != 1 || a.Hits[0].Version != "2012-10-26" {
		t.Fatalf("undated citation before the day: %+v", a.Hits)
	}
	e.Close()

	// On the day, the next start rebuilds and the new text is current.
	e = openOn(t, data, "2026-01-02", oldPublicOrder, drop, fixtureLaws())
	a = mustAnswer(t, e, fightQuestion)
	for _, h := range publicOrderHits(t, a) {
		if h.Version != "2025-06-27" {
			t.Errorf("on 2026-01-02 the 2025 text is current, got %s", h.Citation)
		}
	}
	if len(a.Currency) != 0 {
		t.Errorf("warning after the day: %+v", a.Currency)
	}
}

// TestDroppedInTextNamedWithoutFullDate: staff name a newer text the way
// people write dates, or forget the date; a year is resolved from the
// revision table, a missing date is reported with the rename to make.
func TestDroppedInTextNamedWithoutFullDate(t *testing.T) {
	body, err := os.ReadFile(newerPublicOrder)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(body), "\n")
	noHeader := []byte(strings.Join(append([]string{lines[0]}, lines[2:]...), "\n"))
	for _, c := range []struct {
		name    string
		body    []byte
		current bool // the dropped-in text becomes current
	}{
		{"治安管理处罚法（2025年修订）.txt", noHeader, true},
		{"治安管理处罚法（2025年6月27日修订）.txt", noHeader, true},
		{"治安管理处罚法（2025年修订） .txt", body, true},
		{"治安管理处罚法.txt", body, true}, // the header dates it
		{"治安管理处罚法.txt", noHeader, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			drop := t.TempDir()
			if err := os.WriteFile(filepath.Join(drop, c.name), c.body, 0o644); err != nil {
				t.Fatal(err)
			}
			e := openOn(t, t.TempDir(), "2026-11-29", oldPublicOrder, drop, fixtureLaws())
			a := mustAnswer(t, e, fightQuestion)
			hits := publicOrderHits(t, a)
			if got := hits[0].Version == "2025-06-27"; got != c.current {
				t.Errorf("first hit %s version %s", hits[0].Citation, hits[0].Version)
			}
			warned := false
			for _, w := range e.Stats().Warnings {
				if strings.Contains(w, c.name) && strings.Contains(w, "请改名为") {
					warned = true
				}
			}
			if warned != (!c.current) {
				t.Errorf("rename warning %v for %s: %q", warned, c.name, e.Stats().Warnings)
			}
		})
	}
}
