package knowledge

import (
	"fmt"
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
