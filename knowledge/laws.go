package knowledge

import (
	"cmp"
	"slices"
	"time"

	"github.com/pufabot/pufabot/knowledge/currency"
	"github.com/pufabot/pufabot/knowledge/faq"
)

// LawInfo describes one law: its loaded texts and whether a newer text is
// known but not loaded.
type LawInfo struct {
	Title    string   `json:"title"`
	Category string   `json:"category,omitempty"` // of the newest text
	Version  string   `json:"version"`            // YYYY-MM-DD of the newest loaded text, "" if none is dated or loaded
	Versions []string `json:"versions"`           // every loaded text, newest first
	Articles int      `json:"articles"`           // articles of the newest text
	Loaded   bool     `json:"loaded"`             // false for a known law with no text loaded
	// NewerKnown is true when a revision adopted after the newest loaded
	// text (or a law with no text at all) is in the revision table.
	NewerKnown bool       `json:"newer_known"`
	Newer      *NewerText `json:"newer,omitempty"`
}

// NewerText is a known text of a law that is not loaded.
type NewerText struct {
	Revision   string `json:"revision"` // 修订, 修正 or 通过
	Adopted    string `json:"adopted"`
	InForce    string `json:"in_force"`
	InForceNow bool   `json:"in_force_now"`
	Source     string `json:"source"`
}

// Laws lists the loaded laws, one entry per title with all its texts, and
// the laws of the revision table that have no text loaded at all, sorted
// by title.
func (e *Engine) Laws() []LawInfo {
	counts := make([]int, len(e.snap.Laws))
	for _, a := range e.snap.Articles {
		counts[a.Law]++
	}
	now := e.now()
	var out []LawInfo
	for _, texts := range e.res.byName {
		cur := texts[0] // the current text comes first
		l := e.snap.Laws[cur]
		li := LawInfo{Title: l.Title, Category: l.Category, Version: l.Version, Articles: counts[cur], Loaded: true}
		for _, t := range texts {
			li.Versions = append(li.Versions, e.snap.Laws[t].Version)
		}
		slices.SortFunc(li.Versions, func(a, b string) int { return cmp.Compare(b, a) })
		if after := e.dates[cur].after; len(after) > 0 {
			li.NewerKnown = true
			li.Newer = newerText(after[len(after)-1], now)
		}
		out = append(out, li)
	}
	for _, r := range currency.Known() {
		if _, ok := e.res.law(r.Law); ok {
			continue
		}
		if i := slices.IndexFunc(out, func(li LawInfo) bool { return !li.Loaded && li.Title == r.Title() }); i >= 0 {
			out[i].Newer = newerText(r, now) // Known is ordered by adoption: keep the latest
			continue
		}
		out = append(out, LawInfo{Title: r.Title(), Versions: []string{}, NewerKnown: true, Newer: newerText(r, now)})
	}
	slices.SortFunc(out, func(a, b LawInfo) int { return cmp.Compare(a.Title, b.Title) })
	return out
}

func newerText(r currency.Revision, now time.Time) *NewerText {
	return &NewerText{Revision: r.Kind, Adopted: r.Adopted, InForce: r.InForce, InForceNow: r.InForceOn(now), Source: r.Source}
}

// StaleFAQ lists the article references of the FAQ entries and topics in
// use whose law was revised after its newest loaded text (or has no text
// loaded while the revision table knows it): their answers may describe
// superseded law and need checking against the new text.
func (e *Engine) StaleFAQ() []faq.StaleRef {
	if !e.HasCorpus() {
		return nil // nothing to check the references against
	}
	p := faq.Pack{Entries: e.snap.FAQ, Topics: e.snap.Topics}
	return p.Stale(func(law string) string {
		if li, ok := e.res.law(law); ok {
			return e.snap.Laws[li].Version
		}
		return ""
	})
}
