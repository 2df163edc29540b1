package currency

import (
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pufabot/pufabot/internal/shared"
)

// on returns noon, China time, of a YYYY-MM-DD date.
func on(t *testing.T, date string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation("2006-01-02", date, china)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(12 * time.Hour)
}

// TestTableIsWellFormed checks every row: valid dates in order, a known
// kind, and a source line that states the adoption date and the kind.
func TestTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Known() {
		name := r.Law + "@" + r.Adopted
		if seen[name] {
			t.Errorf("%s listed twice", name)
		}
		seen[name] = true
		if strings.HasPrefix(r.Law, "中华人民共和国") || r.Law == "" {
			t.Errorf("%s: Law must be the short name", name)
		}
		for _, d := range []string{r.Adopted, r.InForce} {
			if _, err := time.Parse("2006-01-02", d); err != nil {
				t.Errorf("%s: bad date %q", name, d)
			}
		}
		if r.InForce < r.Adopted {
			t.Errorf("%s: in force %s before adoption", name, r.InForce)
		}
		if r.Kind != Enacted && r.Kind != Revised && r.Kind != Amended {
			t.Errorf("%s: kind %q", name, r.Kind)
		}
		if !strings.HasPrefix(r.Source, Date(r.Adopted)) || !strings.HasSuffix(r.Source, r.Kind) {
			t.Errorf("%s: source %q should start with %s and end with %s", name, r.Source, Date(r.Adopted), r.Kind)
		}
		if (r.Kind == Enacted) != (len(r.Names) > 0) {
			t.Errorf("%s: new laws, and only they, list the names a question may use", name)
		}
	}
	for _, law := range []string{"治安管理处罚法", "反不正当竞争法", "仲裁法", "网络安全法", "民营经济促进法"} {
		if len(After(law, "2025-04-19")) == 0 {
			t.Errorf("%s: no revision after the April 2025 snapshot", law)
		}
	}
}

// fileDate is the "(YYYY-MM-DD)" version in a corpus file name.
var fileDate = regexp.MustCompile(`^(.+?)[(（](\d{4}-\d{2}-\d{2})[)）]\.(md|txt)$`)

// TestTableAgainstSnapshot checks the table against the corpus snapshot:
// a row must not describe a text the snapshot already holds (it would warn
// for nothing), and a revised law must be there in an older text (otherwise
// its name is probably misspelt).
func TestTableAgainstSnapshot(t *testing.T) {
	dir := shared.LawsDir(t)
	newest := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if m := fileDate.FindStringSubmatch(d.Name()); m != nil && m[2] > newest[m[1]] {
			newest[m[1]] = m[2]
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Known() {
		have, ok := newest[r.Law]
		switch {
		case ok && have >= r.Adopted:
			t.Errorf("%s: the snapshot already holds the %s text; the row %s is not needed", r.Law, have, r.Adopted)
		case !ok && r.Kind != Enacted:
			t.Errorf("%s: not in the snapshot under this name", r.Law)
		case ok && r.Kind == Enacted:
			t.Errorf("%s: listed as a new law but the snapshot has a %s text", r.Law, have)
		}
	}
}

func TestAfter(t *testing.T) {
	if got := After("中华人民共和国治安管理处罚法", "2012-10-26"); len(got) != 1 || got[0].Adopted != "2025-06-27" || got[0].InForce != "2026-01-01" {
		t.Errorf("After(治安管理处罚法, 2012) = %+v", got)
	}
	if got := After("治安管理处罚法", "2025-06-27"); len(got) != 0 {
		t.Errorf("the 2025 text itself is current, got %+v", got)
	}
	if got := After("治安管理处罚法", ""); len(got) != 1 {
		t.Errorf("an undated text is older than every revision, got %+v", got)
	}
	if got := After("民法典", ""); len(got) != 0 {
		t.Errorf("民法典: %+v", got)
	}
	if r, ok := Lookup("《中华人民共和国仲裁法》", "2025-09-12"); !ok || r.Kind != Revised {
		t.Errorf("Lookup(仲裁法, 2025-09-12) = %+v, %v", r, ok)
	}
}

func TestWarning(t *testing.T) {
	r := After("治安管理处罚法", "2012-10-26")[0]
	title := "中华人民共和国治安管理处罚法"
	cases := []struct {
		name, today string
		want        []string
		not         []string
	}{
		{"in force", "2026-11-29",
			[]string{"《中华人民共和国治安管理处罚法》是2012年修正的文本", "该法已于2025年6月27日修订，2026年1月1日起施行，以下条文可能已有变化，请以新法为准", "12348", "国家法律法规数据库"},
			[]string{"将于"}},
		{"in force from its first day", "2026-01-01", []string{"2026年1月1日起施行，以下条文可能已有变化"}, []string{"将于"}},
		{"adopted, not yet in force", "2025-12-31",
			[]string{"该法已于2025年6月27日修订，将于2026年1月1日起施行，在此之前仍适用以下条文", "flk.npc.gov.cn"},
			[]string{"可能已有变化"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := Warning(title, "2012-10-26", Amended, r, on(t, c.today))
			for _, s := range c.want {
				if !strings.Contains(w, s) {
					t.Errorf("warning lacks %q:\n%s", s, w)
				}
			}
			for _, s := range c.not {
				if strings.Contains(w, s) {
					t.Errorf("warning has %q:\n%s", s, w)
				}
			}
		})
	}
	// The day changes in China, not in UTC: 16:30 UTC on 2025-12-31 is
	// already 2026-01-01 in China.
	late := time.Date(2025, 12, 31, 16, 30, 0, 0, time.UTC)
	if !r.InForceOn(late) || r.InForceOn(late.Add(-time.Hour)) {
		t.Errorf("InForceOn does not follow the China date")
	}
}

func TestMissingNotice(t *testing.T) {
	var r Revision
	for _, k := range Known() {
		if k.Law == "民营经济促进法" {
			r = k
		}
	}
	got := MissingNotice(r, on(t, "2026-11-29"))
	for _, s := range []string{"《中华人民共和国民营经济促进法》已于2025年4月30日通过，2025年5月20日起施行", "还没有收录", "flk.npc.gov.cn", "12348"} {
		if !strings.Contains(got, s) {
			t.Errorf("notice lacks %q:\n%s", s, got)
		}
	}
	if got := MissingNotice(r, on(t, "2025-05-01")); !strings.Contains(got, "将于2025年5月20日起施行") {
		t.Errorf("before it is in force: %s", got)
	}
}

func TestLabelAndDate(t *testing.T) {
	for _, c := range []struct{ version, event, want string }{
		{"2012-10-26", Amended, "2012年修正"},
		{"2025-06-27", Revised, "2025年修订"},
		{"2020-05-28", Enacted, "2020年通过"},
		{"2025-06-27", "", "2025年版"},
		{"", Revised, ""},
	} {
		if got := Label(c.version, c.event); got != c.want {
			t.Errorf("Label(%q, %q) = %q, want %q", c.version, c.event, got, c.want)
		}
	}
	if got := Date("2026-01-01"); got != "2026年1月1日" {
		t.Errorf("Date = %q", got)
	}
	if got := Date("soon"); got != "soon" {
		t.Errorf("Date(soon) = %q", got)
	}
}
