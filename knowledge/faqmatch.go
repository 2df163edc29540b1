package knowledge

import (
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/pufabot/pufabot/knowledge/faq"
)

// faqMatcher scores how well a question matches each curated FAQ entry. It
// compares IDF-weighted Han bigrams and single characters of the question
// with every phrasing of an entry (the question and its paraphrases), which
// suits the short, colloquial questions residents type; the entry's answer
// adds a little evidence.
// faqAnswerWeight (measured with TestFAQMatcherCalibration) is the share of the match score that comes from the
// entry's answer text rather than its phrasings.
var faqAnswerWeight = 0.45

type faqMatcher struct {
	entries []faqFeatures
	idf     map[string]float64
	defIDF  float64
}

type faqFeatures struct {
	phrasings []map[string]bool
	answer    map[string]bool
}

// features returns the matching units of s: analysed terms plus single Han
// characters (prefixed, so they never collide with a term).
func features(s string) map[string]bool {
	s = CleanQuestion(s)
	out := map[string]bool{}
	for _, t := range Terms(s) {
		out[t] = true
	}
	for _, t := range Terms(Expand(s)) {
		out[t] = true
	}
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			out["1"+string(r)] = true
		}
	}
	return out
}

func newFAQMatcher(entries []faq.Entry) *faqMatcher {
	m := &faqMatcher{idf: map[string]float64{}}
	df := map[string]int{}
	for _, e := range entries {
		var f faqFeatures
		seen := map[string]bool{}
		for _, p := range append([]string{e.Question}, e.Paraphrases...) {
			ph := features(p)
			f.phrasings = append(f.phrasings, ph)
			for t := range ph {
				seen[t] = true
			}
		}
		f.answer = features(e.Answer)
		for t := range seen {
			df[t]++
		}
		m.entries = append(m.entries, f)
	}
	n := float64(len(entries))
	for t, d := range df {
		m.idf[t] = math.Log(1 + (n+1)/(float64(d)+0.5))
	}
	m.defIDF = math.Log(1 + (n+1)/0.5)
	return m
}

func (m *faqMatcher) weight(t string) float64 {
	w, ok := m.idf[t]
	if !ok {
		w = m.defIDF
	}
	if strings.HasPrefix(t, "1") {
		w *= 0.5 // single characters say less than words
	}
	return w
}

// faqMatch is one scored entry.
type faqMatch struct {
	entry int
	score float64
}

// best returns the index and score (0..1) of the closest entry, -1 if none.
func (m *faqMatcher) best(question string) (int, float64) {
	top := m.top(question, 1, nil)
	if len(top) == 0 {
		return -1, 0
	}
	return top[0].entry, top[0].score
}

// bestExcept is best, ignoring phrasing j of entry i where skip(i, j).
func (m *faqMatcher) bestExcept(question string, skip func(i, j int) bool) (int, float64) {
	top := m.top(question, 1, skip)
	if len(top) == 0 {
		return -1, 0
	}
	return top[0].entry, top[0].score
}

// top returns the n best-scoring entries, best first.
func (m *faqMatcher) top(question string, n int, skip func(i, j int) bool) []faqMatch {
	q := features(question)
	if len(q) == 0 {
		return nil
	}
	var qw float64
	for t := range q {
		qw += m.weight(t)
	}
	var out []faqMatch
	for i, e := range m.entries {
		entryScore := 0.0
		var ans float64
		for t := range q {
			if e.answer[t] {
				ans += m.weight(t)
			}
		}
		for j, ph := range e.phrasings {
			if skip != nil && skip(i, j) {
				continue
			}
			var common, pw float64
			for t := range ph {
				w := m.weight(t)
				pw += w
				if q[t] {
					common += w
				}
			}
			if common == 0 {
				continue
			}
			recall := common / qw    // how much of the question the phrasing covers
			precision := common / pw // how much of the phrasing the question covers
			// F-measure leaning to recall: residents add detail to a
			// common question, rarely leave out its core.
			const beta2 = 2.0
			score := (1 + beta2) * precision * recall / (beta2*precision + recall)
			score = (1-faqAnswerWeight)*score + faqAnswerWeight*(ans/qw)
			if score > entryScore {
				entryScore = score
			}
		}
		if entryScore > 0 {
			out = append(out, faqMatch{i, entryScore})
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].score != out[b].score {
			return out[a].score > out[b].score
		}
		return out[a].entry < out[b].entry
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
