package knowledge

import (
	"context"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// termStats answers document frequencies from the read-only index.
type termStats struct {
	r    bindex.IndexReader
	docs float64
}

func newTermStats(idx bleve.Index) (*termStats, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	n, err := r.DocCount()
	if err != nil {
		r.Close()
		return nil, err
	}
	return &termStats{r: r, docs: float64(n)}, nil
}

func (t *termStats) close() error { return t.r.Close() }

// df returns how many documents hold term in field.
func (t *termStats) df(ctx context.Context, field, term string) uint64 {
	tfr, err := t.r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0
	}
	defer tfr.Close()
	return tfr.Count()
}

// selectTerms keeps the distinct terms of a query that exist in field and
// are not too common there (a term in most documents ranks nothing but
// costs a long posting list), at most max of them, rarest first.
func (t *termStats) selectTerms(ctx context.Context, field string, terms []string, maxDFRatio float64, max int) []string {
	type tc struct {
		term string
		df   uint64
	}
	seen := map[string]bool{}
	var keep []tc
	limit := uint64(maxDFRatio * t.docs)
	for _, term := range terms {
		if seen[term] {
			continue
		}
		seen[term] = true
		df := t.df(ctx, field, term)
		if df == 0 || (limit > 0 && df > limit) {
			continue
		}
		keep = append(keep, tc{term, df})
	}
	if len(keep) > max {
		sort.SliceStable(keep, func(i, j int) bool { return keep[i].df < keep[j].df })
		keep = keep[:max]
	}
	out := make([]string, len(keep))
	for i, k := range keep {
		out[i] = k.term
	}
	return out
}

// termsQuery ORs term queries on one field; each distinct term once.
func termsQuery(field string, terms []string, boost float64) []query.Query {
	out := make([]query.Query, 0, len(terms))
	for _, t := range terms {
		q := bleve.NewTermQuery(t)
		q.SetField(field)
		q.SetBoost(boost)
		out = append(out, q)
	}
	return out
}
