package faq

import (
	"fmt"

	"github.com/pufabot/pufabot/knowledge/currency"
)

// StaleRef is an article reference whose law was revised (or enacted)
// after the text the reference was checked against: the answer may
// describe superseded law.
type StaleRef struct {
	Where    string // "entry <id> (<source>)" or "topic <id>"
	Ref      ArticleRef
	Version  string            // date of the text checked against, "" when none is at hand
	Revision currency.Revision // the newer text
}

// String describes the problem for the person maintaining the pack.
func (s StaleRef) String() string {
	have := "no text of it is loaded"
	if s.Version != "" {
		have = "the text checked against is of " + s.Version
	}
	return fmt.Sprintf("%s: %s: the law was %s on %s (in force %s) but %s; check the answer against the new text",
		s.Where, s.Ref, s.Revision.Kind, s.Revision.Adopted, s.Revision.InForce, have)
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
		check("entry "+e.ID+" ("+e.Source+")", e.Articles)
	}
	for _, t := range p.Topics {
		check("topic "+t.ID, t.Articles)
	}
	return out
}
