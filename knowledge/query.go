package knowledge

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2"
	bindex "github.com/blevesearch/bleve_index_api"
)

// scorer computes Okapi BM25 straight from the index's posting lists.
//
// bleve's own BM25 departs from the textbook formula in ways that hurt
// short statute texts: it takes the square root of the term frequency,
// counts idf twice, multiplies by a coordination factor, and derives the
// average field length from the number of distinct terms over every
// document in the index (articles, FAQ entries and examples alike). Reading
// postings directly gives the standard formula with per-field statistics,
// and is faster, since no searcher tree or collector is built per query.
type scorer struct {
	r bindex.IndexReader
	// docs maps an internal document number to what it is: an article
	// index (>= 0), an example index encoded as -2-i, or -1 for anything
	// else.
	docs []int32
	// artDoc maps an article index to its internal document number, -1
	// for articles not indexed.
	artDoc []int32
	fields map[string]fieldStat
	pool   sync.Pool // *accumulator
}

// fieldStat is what BM25 needs to know about one field.
type fieldStat struct {
	Docs   int // documents with the field
	Tokens int // tokens in the field over all those documents
}

func (f fieldStat) avgLen() float64 {
	if f.Docs == 0 {
		return 1
	}
	return float64(f.Tokens) / float64(f.Docs)
}

// accumulator holds per-document scores for one query.
type accumulator struct {
	score   []float64
	touched []uint32
	// arts and exs are reusable buffers for the scored articles and
	// examples.
	arts, exs []scored
}

func (a *accumulator) add(doc uint32, s float64) {
	if a.score[doc] == 0 {
		a.touched = append(a.touched, doc)
	}
	a.score[doc] += s
}

func (a *accumulator) reset() {
	for _, d := range a.touched {
		a.score[d] = 0
	}
	a.touched = a.touched[:0]
}

func newScorer(idx bleve.Index, snap *snapshot) (*scorer, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	s := &scorer{r: r, fields: snap.Fields}
	if err := s.mapDocs(snap); err != nil {
		r.Close()
		return nil, err
	}
	n := len(s.docs)
	s.pool.New = func() any { return &accumulator{score: make([]float64, n)} }
	return s, nil
}

// mapDocs learns which internal document number is which article or
// example, once, so scoring never looks up external ids. An index records
// the map in its snapshot when it is built (reading every external id
// takes a good part of opening a large index); older ones are read here.
func (s *scorer) mapDocs(snap *snapshot) error {
	docs := snap.Docs
	if len(docs) == 0 {
		var err error
		if docs, err = readDocMap(s.r, snap); err != nil {
			return err
		}
	}
	s.docs = docs
	s.artDoc = make([]int32, len(snap.Articles))
	for i := range s.artDoc {
		s.artDoc[i] = -1
	}
	for n, v := range docs {
		if v >= 0 {
			if int(v) >= len(snap.Articles) {
				return fmt.Errorf("document %d is article %d of %d", n, v, len(snap.Articles))
			}
			s.artDoc[v] = int32(n)
		}
	}
	return nil
}

// readDocMap reads the external id of every document of r: the article
// (>= 0) or labelled example (-2-i) each internal document number holds,
// -1 for others.
func readDocMap(r bindex.IndexReader, snap *snapshot) ([]int32, error) {
	arts := make(map[string]int32, len(snap.Articles))
	for i, a := range snap.Articles {
		arts[a.ID] = int32(i)
	}
	it, err := r.DocIDReaderAll()
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var docs []int32
	for {
		id, err := it.Next()
		if err != nil {
			return nil, err
		}
		if id == nil {
			return docs, nil
		}
		ext, err := r.ExternalID(id)
		if err != nil {
			return nil, err
		}
		n := int(id.Value())
		for len(docs) <= n {
			docs = append(docs, -1)
		}
		if ai, ok := arts[ext]; ok {
			docs[n] = ai
		} else if len(ext) > 1 && ext[0] == 'e' {
			var i int32
			if _, err := fmt.Sscanf(ext[1:], "%d", &i); err == nil && int(i) < len(snap.Examples) {
				docs[n] = -2 - i
			}
		}
	}
}

// unseenMass is the idf mass, times weight, of the terms no document of
// field holds: what a question's words that no document uses would weigh
// if one did.
func (s *scorer) unseenMass(ctx context.Context, field string, terms []string, weight float64) float64 {
	st, ok := s.fields[field]
	if !ok || st.Docs == 0 || weight == 0 {
		return 0
	}
	n := float64(st.Docs)
	var m float64
	seen := make(map[string]bool, len(terms))
	for _, t := range terms {
		if seen[t] {
			continue
		}
		seen[t] = true
		tfr, err := s.r.TermFieldReader(ctx, []byte(t), field, false, false, false)
		if err != nil {
			continue
		}
		if tfr.Count() == 0 {
			m += weight * math.Log(1+(n+0.5)/0.5)
		}
		tfr.Close()
	}
	return m
}

func (s *scorer) close() error { return s.r.Close() }

// minLargeDocs is the number of documents from which a field counts as
// large: below it the MaxDF cut-off is off, and single characters, every one
// of them common, would only add noise.
const minLargeDocs = 1000

// large reports whether field has at least minLargeDocs documents.
func (s *scorer) large(field string) bool { return s.fields[field].Docs >= minLargeDocs }

// termReader is an open posting list and its document frequency.
type termReader struct {
	tfr bindex.TermFieldReader
	df  uint64
}

// score adds weight·BM25(field, terms) to acc for every document holding a
// term. Terms in more than maxDF of the field's documents are skipped (they
// rank little and cost long posting lists); of the rest at most maxTerms,
// the rarest, are used. It returns the sum of the used terms' weighted idf:
// the score of an average-length document holding each term once, a scale
// that makes scores comparable across queries.
func (s *scorer) score(ctx context.Context, acc *accumulator, field string, terms []string, weight, k1, b, maxDF float64, maxTerms int) float64 {
	st, ok := s.fields[field]
	if !ok || st.Docs == 0 || weight == 0 {
		return 0
	}
	type cand struct {
		term string
		termReader
	}
	var keep []cand
	seen := make(map[string]bool, len(terms))
	limit := uint64(maxDF * float64(st.Docs))
	if st.Docs < minLargeDocs {
		// In a small collection (a few local regulations) every term is
		// "common"; the cut-off only makes sense over many documents.
		maxDF = 0
	}
	for _, t := range terms {
		if seen[t] {
			continue
		}
		seen[t] = true
		tfr, err := s.r.TermFieldReader(ctx, []byte(t), field, true, true, false)
		if err != nil {
			continue
		}
		df := tfr.Count()
		if df == 0 || (maxDF > 0 && df > limit) {
			tfr.Close()
			continue
		}
		keep = append(keep, cand{t, termReader{tfr, df}})
	}
	if maxTerms > 0 && len(keep) > maxTerms {
		sort.SliceStable(keep, func(i, j int) bool { return keep[i].df < keep[j].df })
		for _, c := range keep[maxTerms:] {
			c.tfr.Close()
		}
		keep = keep[:maxTerms]
	}
	avg := st.avgLen()
	n := float64(st.Docs)
	var mass float64
	var tfd bindex.TermFieldDoc
	for _, c := range keep {
		df := float64(c.df)
		idf := weight * math.Log(1+(n-df+0.5)/(df+0.5))
		mass += idf
		for {
			d, err := c.tfr.Next(&tfd)
			if err != nil || d == nil {
				break
			}
			doc := d.ID.Value()
			if doc >= uint64(len(acc.score)) {
				continue
			}
			tf := float64(d.Freq)
			length := 1.0
			if d.Norm > 0 {
				length = 1 / (d.Norm * d.Norm)
			}
			acc.add(uint32(doc), idf*tf*(k1+1)/(tf+k1*(1-b+b*length/avg)))
		}
		c.tfr.Close()
	}
	return mass
}

// recordDocMap stores in snap the document map of the finished index idx,
// so opening it needs no external id look-ups.
func recordDocMap(idx bleve.Index, snap *snapshot) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	snap.Docs, err = readDocMap(r, snap)
	return err
}
