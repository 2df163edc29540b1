package knowledge

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/pufabot/pufabot/knowledge/corpus"
	"github.com/pufabot/pufabot/knowledge/currency"
)

// A newer text of a law may be loaded before it takes effect (staff drop
// the revised text in as soon as it is published). Until its in-force date
// the text in force stays current: it is searched and cited, with the
// notice that a revision is coming, while the new text is kept for
// look-ups by its date and labelled as not yet in force. The index is
// rebuilt when a known revision comes into force (the fingerprint counts
// them), so the new text becomes current on the first start or index
// refresh on or after that day.

// inForceDate is the day a loaded text takes effect, when the revision
// table knows it ("" otherwise: dated texts are taken to be in force).
func inForceDate(l *corpus.Law) string {
	if r, ok := currency.Lookup(l.Title, l.Version); ok {
		return r.InForce
	}
	return ""
}

// markPending decides, as of now, which loaded texts are not in force yet
// and which are superseded: a text is superseded only by a newer text of
// the same law that is in force. It returns the pending texts.
func markPending(laws []*corpus.Law, now time.Time) map[*corpus.Law]bool {
	today := currency.Today(now)
	pending := map[*corpus.Law]bool{}
	newest := map[string]string{}
	for _, l := range laws {
		if d := inForceDate(l); d != "" && today < d {
			pending[l] = true
			continue
		}
		k := corpus.NormalizeTitle(l.Title)
		if v, ok := newest[k]; !ok || l.Version > v {
			newest[k] = l.Version
		}
	}
	for _, l := range laws {
		l.Superseded = !pending[l] && l.Version < newest[corpus.NormalizeTitle(l.Title)]
	}
	return pending
}

// inForceEpoch changes whenever a known revision comes into force, so an
// index built before that day is rebuilt after it.
func inForceEpoch(now time.Time) string {
	n := 0
	for _, r := range currency.Known() {
		if r.InForceOn(now) {
			n++
		}
	}
	return fmt.Sprintf("inforce=%d", n)
}

// pendingNotice is shown with articles of a text not yet in force.
func pendingNotice(l lawRec) string {
	return fmt.Sprintf("以下是《%s》%s的新文本，将于%s起施行；在此之前仍适用现行文本。", l.Title, currency.Label(l.Version, l.Event), currency.Date(l.InForce))
}

// datedTexts settles the version of texts whose file name gave only a
// year (治安管理处罚法（2025年修订）.txt) from the revision table, and warns
// about texts that cannot be placed among the other texts of their law: a
// text with no date at all, beside dated ones, would count as the oldest.
func datedTexts(laws []*corpus.Law) []string {
	var warns []string
	byTitle := map[string][]*corpus.Law{}
	for _, l := range laws {
		k := corpus.NormalizeTitle(l.Title)
		byTitle[k] = append(byTitle[k], l)
	}
	for _, l := range laws {
		if l.Amendment {
			continue
		}
		path := ""
		if len(l.Paths) > 0 {
			path = l.Paths[0]
		}
		switch {
		case len(l.Version) == 4:
			for _, r := range currency.Known() {
				if corpus.NormalizeTitle(r.Law) == corpus.NormalizeTitle(l.Title) && strings.HasPrefix(r.Adopted, l.Version) {
					l.Version = r.Adopted
					if l.Event == "" {
						l.Event = r.Kind
					}
					break
				}
			}
			if len(l.Version) == 4 {
				warns = append(warns, fmt.Sprintf("%s: 文件名只写了年份（%s），无法确定是哪一天的文本；请改名为 %s(%s-月-日)%s，写上通过、修正或修订的日期",
					path, l.Version, l.Title, l.Version, filepath.Ext(path)))
			}
		case l.Version == "" && len(byTitle[corpus.NormalizeTitle(l.Title)]) > 1:
			date := "YYYY-MM-DD"
			if after := currency.After(l.Title, ""); len(after) > 0 {
				date = after[len(after)-1].Adopted
			}
			warns = append(warns, fmt.Sprintf("%s: 这份《%s》的文件名和开头都没有日期，会被当作最旧的文本；如果它是新文本，请改名为 %s(%s)%s",
				path, l.Title, l.Title, date, filepath.Ext(path)))
		}
	}
	return warns
}
