package faq

import (
	"strings"
	"testing"

	"github.com/pufabot/pufabot/internal/shared"
)

// staleEntry cites the 2012 text of 治安管理处罚法, revised in 2025.
const staleEntry = `
- id: fight-detention
  question: 打架会被拘留吗？
  paraphrases: [打人会被关几天]
  answer: 殴打他人的，处五日以上十日以下拘留，并处二百元以上五百元以下罚款。
  articles:
    - law: 治安管理处罚法
      article: 43
      evidence: 殴打他人的
    - law: 民法典
      article: 1179
      evidence: 应当赔偿医疗费
  topics: [injury]
`

func TestStaleFlagsRevisedLaw(t *testing.T) {
	entries, err := Parse("office.yaml", []byte(staleEntry))
	if err != nil {
		t.Fatal(err)
	}
	p := &Pack{Entries: entries}
	dates := map[string]string{"治安管理处罚法": "2012-10-26", "民法典": "2020-05-28"}
	stale := p.Stale(func(law string) string { return dates[law] })
	if len(stale) != 1 || stale[0].Ref.Law != "治安管理处罚法" || stale[0].Revision.Adopted != "2025-06-27" || stale[0].Version != "2012-10-26" {
		t.Fatalf("Stale = %v", stale)
	}
	msg := stale[0].String()
	for _, want := range []string{"常见问题 fight-detention（office.yaml:", "《治安管理处罚法》第四十三条", "2025-06-27", "2012-10-26", "checked: 2025-06-27"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	// Once the entry has been checked against the revised text, it is fine.
	dates["治安管理处罚法"] = "2025-06-27"
	if stale := p.Stale(func(law string) string { return dates[law] }); len(stale) != 0 {
		t.Errorf("checked against the new text, still flagged: %v", stale)
	}
	// A reference checked against the new text is fine with the old one
	// loaded.
	dates["治安管理处罚法"] = "2012-10-26"
	p.Entries[0].Articles[0].Checked = "2025-06-27"
	if stale := p.Stale(func(law string) string { return dates[law] }); len(stale) != 0 {
		t.Errorf("checked against the new text by date, still flagged: %v", stale)
	}
	p.Entries[0].Articles[0].Checked = ""
	// A law that is in the table but of which no text is at hand is flagged.
	if stale := p.Stale(func(string) string { return "" }); len(stale) != 1 {
		t.Errorf("without texts: %v", stale)
	}
}

// TestStarterCitesNoRevisedLaw is the FAQ check of law currency: no starter
// entry or topic may rest on a law revised after the text it was checked
// against (the newest version in the shared corpus; without the corpus,
// any law with a known revision is flagged).
func TestStarterCitesNoRevisedLaw(t *testing.T) {
	p, err := Starter()
	if err != nil {
		t.Fatal(err)
	}
	date := func(string) string { return "" }
	if shared.Root() != "" {
		c := loadCorpus(t)
		date = func(law string) string {
			if files := c.files(law); len(files) > 0 {
				return files[0].date
			}
			return ""
		}
	}
	for _, s := range p.Stale(date) {
		t.Error(s)
	}
}
