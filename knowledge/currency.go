package knowledge

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pufabot/pufabot/knowledge/cite"
	"github.com/pufabot/pufabot/knowledge/corpus"
	"github.com/pufabot/pufabot/knowledge/currency"
)

// lawDates is what decides the version label and the warnings shown with
// the articles of one loaded law text.
type lawDates struct {
	event    string              // how the text was made (通过, 修正, 修订…), from its header or the revision table
	versions int                 // texts of the law loaded, this one included
	after    []currency.Revision // known revisions adopted after this text, oldest first
}

func newLawDates(s *snapshot, res *resolver) []lawDates {
	out := make([]lawDates, len(s.Laws))
	for i, l := range s.Laws {
		d := lawDates{event: l.Event, versions: len(res.byName[corpus.NormalizeTitle(l.Title)])}
		if d.event == "" {
			if r, ok := currency.Lookup(l.Title, l.Version); ok {
				d.event = r.Kind
			}
		}
		// Only national laws are in the table; a regulation or a local
		// regulation never shares a law's title.
		d.after = currency.After(l.Title, l.Version)
		out[i] = d
	}
	return out
}

// date labels a hit with its version and warns when its law was revised
// after the text. The version is named in the citation whenever the law
// has more than one version (several loaded, or a known newer revision);
// the warning goes with the newest loaded text only, since older loaded
// texts are already marked superseded.
func (e *Engine) date(h *Hit, li int32) {
	l := e.snap.Laws[li]
	d := e.dates[li]
	now := e.now()
	for _, r := range d.after {
		if r.InForceOn(now) {
			h.Superseded = true
		}
	}
	if d.versions > 1 || len(d.after) > 0 {
		if label := currency.Label(l.Version, d.event); label != "" {
			h.Citation = "《" + l.Title + "》（" + label + "）" + corpus.ArticleLabel(h.Article, h.Suffix)
		}
	}
	if l.InForce != "" && currency.Today(now) < l.InForce {
		// A newer text loaded ahead of its in-force date.
		h.Currency = &Currency{Law: l.Title, Version: l.Version, Revision: d.event, InForce: l.InForce, Pending: true, Text: pendingNotice(l)}
		return
	}
	if l.Superseded || len(d.after) == 0 {
		return
	}
	r := d.after[len(d.after)-1]
	h.Currency = &Currency{
		Law:      l.Title,
		Version:  l.Version,
		Revision: r.Kind,
		Adopted:  r.Adopted,
		InForce:  r.InForce,
		Pending:  !r.InForceOn(now),
		Text:     currency.Warning(l.Title, l.Version, d.event, r, now),
	}
}

// CurrencyOf gathers the warnings of hits, once per law, in hit order.
func CurrencyOf(hits []Hit) []Currency {
	var out []Currency
	seen := map[string]bool{}
	for _, h := range hits {
		if h.Currency != nil && !seen[h.Currency.Law] {
			seen[h.Currency.Law] = true
			out = append(out, *h.Currency)
		}
	}
	return out
}

// Answer answers one question: an article it names, else a curated FAQ
// answer, else the best-ranked articles. Laws revised after the texts
// cited are named in Answer.Currency; a question about a law that is not
// loaded at all gets no unrelated articles but a note on where to read it.
func (e *Engine) Answer(ctx context.Context, question string) (*Answer, error) {
	a, err := e.answer(ctx, question)
	if err != nil {
		return nil, err
	}
	missing := e.missingLaws(a.Question)
	if len(missing) > 0 && a.Kind != KindCitation {
		a = &Answer{Question: a.Question, Kind: KindNone, Currency: missing}
	} else {
		a.Currency = append(CurrencyOf(a.Hits), missing...)
	}
	if a.Hits == nil {
		a.Hits = []Hit{} // "hits": [] in JSON, never null
	}
	return a, nil
}

// AboutMissingLaw reports whether the answer is about a law that is not
// loaded (its Currency says where to read it instead).
func (a *Answer) AboutMissingLaw() bool {
	for _, c := range a.Currency {
		if c.Missing {
			return true
		}
	}
	return false
}

// missingLaws returns notes for the laws a question names that are known
// (in the revision table: enacted or revised after the corpus was made)
// but of which no text is loaded.
func (e *Engine) missingLaws(q string) []Currency {
	q = strings.Join(strings.Fields(q), "")
	var out []Currency
	now := e.now()
	seen := map[string]bool{}
	var refs []cite.Ref
	parsed := false
	for _, r := range slices.Backward(currency.Known()) { // the latest revision of each law first
		if _, ok := e.res.law(r.Law); ok || seen[r.Law] {
			continue
		}
		names := r.Names
		if len(names) == 0 {
			names = []string{r.Law}
		}
		if !parsed {
			refs, parsed = cite.Parse(q), true
		}
		for _, name := range names {
			if e.mentions(q, refs, name) {
				seen[r.Law] = true
				out = append(out, Currency{Law: r.Title(), Revision: r.Kind, Adopted: r.Adopted, InForce: r.InForce,
					Pending: !r.InForceOn(now), Missing: true, Text: currency.MissingNotice(r, now)})
				break
			}
		}
	}
	return out
}

// citedArticle finds the article a citation names: in the current text,
// or in the text of the version it asks for (治安管理处罚法(2012)第43条).
// When that version is not loaded it gives the current text and says so
// in notices.
func (e *Engine) citedArticle(r cite.Ref, notices *[]string) (Hit, bool) {
	if r.Version == "" {
		return e.LookupArticle(r.Law, r.Article, r.Suffix)
	}
	if li, ok := e.res.lawVersion(r.Law, r.Version); ok {
		ai, ok := e.res.byArt[articleID(e.snap.Laws[li].ID, r.Article, r.Suffix)]
		if !ok {
			return Hit{}, false
		}
		return e.hit(ai, 0, nil), true
	}
	h, ok := e.LookupArticle(r.Law, r.Article, r.Suffix)
	if ok {
		asked := r.Version + "年"
		if len(r.Version) > 4 {
			asked = currency.Date(r.Version)
		}
		*notices = append(*notices, fmt.Sprintf("本机没有《%s》%s的文本，下面是%s的文本。", h.Law, asked, versionWords(h.Version)))
	}
	return h, ok
}

// versionWords names a text by its date: 2012年10月26日, or 现行 when it
// has none.
func versionWords(version string) string {
	if version == "" {
		return "现行"
	}
	return currency.Date(version)
}

// lawVersion returns the loaded text of the named law whose version matches
// v (a year or a date; the newest of several in one year).
func (r *resolver) lawVersion(name, v string) (int32, bool) {
	best := int32(-1)
	for _, li := range r.byName[corpus.NormalizeTitle(name)] {
		l := r.snap.Laws[li]
		if cite.MatchesVersion(l.Version, v) && (best < 0 || l.Version > r.snap.Laws[best].Version) {
			best = li
		}
	}
	return best, best >= 0
}

// mentions reports whether q names the law name itself, not a longer title
// that ends with it (仲裁法 in 劳动争议调解仲裁法) or a document under it
// (食品安全法实施条例).
func (e *Engine) mentions(q string, refs []cite.Ref, name string) bool {
	// A citation (仲裁法第2条, refs = cite.Parse(q)) names its law exactly.
	cited := false
	for _, r := range refs {
		if r.Law == "" {
			continue
		}
		cited = true
		if corpus.NormalizeTitle(r.Law) == corpus.NormalizeTitle(name) {
			return true
		}
	}
	if cited {
		return false
	}
	for from := 0; ; {
		i := strings.Index(q[from:], name)
		if i < 0 {
			return false
		}
		i += from
		from = i + len(name)
		rest := q[from:]
		if strings.HasPrefix(rest, "实施") || strings.HasPrefix(rest, "条例") || strings.HasPrefix(rest, "解释") || strings.HasPrefix(rest, "司法解释") {
			continue
		}
		longer := false
		for _, l := range e.snap.Laws {
			if len(l.Short) > len(name) && strings.HasSuffix(l.Short, name) {
				if start := from - len(l.Short); start >= 0 && q[start:from] == l.Short {
					longer = true
					break
				}
			}
		}
		if !longer {
			return true
		}
	}
}
