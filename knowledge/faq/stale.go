package faq

import (
	"fmt"

	"github.com/pufabot/pufabot/knowledge/currency"
)

// StaleRef is an article reference whose law was revised (or enacted)
// after the text the reference was checked against: the answer may
// describe superseded law.
type StaleRef struct {
	Where    string // "问题 <id>（<source>）" or "专题 <id>"
	Ref      ArticleRef
	Version  string            // date of the text checked against, "" when none is at hand
	Revision currency.Revision // the newer text
}

// String describes the problem, in Chinese, for the staff member who
// maintains the pack.
func (s StaleRef) String() string {
	have := "本机没有它的文本"
	if s.Version != "" {
		have = "核对时依据的是" + s.Version + "的文本"
	}
	return fmt.Sprintf("%s：%s：该法已于%s%s（%s起施行），而%s；请按新法核对答案（核对无误后可在引用处写 checked: %s）",
		s.Where, s.Ref, s.Revision.Adopted, s.Revision.Kind, s.Revision.InForce, have, s.Revision.Adopted)
}

// Stale lists the references of the pack's entries and topics to laws that
// the revision table says changed after textDate(law), the date of the
// text of that law the references were checked against ("" when there is
// none).
func (p *Pack) Stale(textDate func(law string) string) []StaleRef {
	var out []StaleRef
	check := func(where string, refs []ArticleRef) {
		for _, r := range refs {
			v := textDate(r.Law)
			checked := max(v, r.Checked)
			if after := currency.After(r.Law, checked); len(after) > 0 {
				out = append(out, StaleRef{Where: where, Ref: r, Version: v, Revision: after[len(after)-1]})
			}
		}
	}
	for _, e := range p.Entries {
		check("常见问题 "+e.ID+"（"+e.Source+"）", e.Articles)
	}
	for _, t := range p.Topics {
		check("专题 "+t.ID, t.Articles)
	}
	return out
}
