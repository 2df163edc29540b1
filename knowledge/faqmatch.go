package knowledge

import (
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/pufabot/pufabot/knowledge/faq"
)

// faqAnswerWeight (measured with TestFAQMatcherCalibration) is the share
// of the match score that comes from the entry's answer text rather than
// its phrasings.
var faqAnswerWeight = 0.45

// faqSpreadWeight is the share of the phrasing score that comes from how
// much of the question the entry's phrasings cover on average, rather than
// from its best phrasing alone. Measured with TestFAQMatcherCalibration
// (PUFABOT_FAQ_CALIBRATE=1, held-out paraphrase top-1 accuracy): 0 → 0.575,
// 0.15 → 0.579, 0.3 → 0.600, 0.5 → 0.613; 0.3 keeps the scores of correct
// matches near where faqDirect and faqSuggest were chosen (median 0.35 → 0.33).
var faqSpreadWeight = 0.3

// faqMatcher scores how well a question matches each curated FAQ entry. It
// compares IDF-weighted Han bigrams and single characters of the question
// with every phrasing of an entry (the question and its paraphrases), which
// suits the short, colloquial questions residents type; the entry's answer
// adds some evidence. Inverted lists keep a match proportional to the
// entries that share words with the question, not to the size of the FAQ.
type faqMatcher struct {
	idf       map[string]float64
	defIDF    float64
	phrasing  []phrasingInfo     // every phrasing of every entry
	post      map[string][]int32 // feature → phrasings holding it
	ansPost   map[string][]int32 // feature → entries whose answer holds it
	entries   int
	phrasings []int // number of phrasings of each entry
}

type phrasingInfo struct {
	entry, index int     // entry and the phrasing's position (0 = question)
	weight       float64 // total weight of the phrasing's features
}

// features returns the matching units of s: analysed terms (of s and of
// its lay→legal expansion) plus single Han characters (prefixed, so they
// never collide with a term).
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
	m := &faqMatcher{idf: map[string]float64{}, post: map[string][]int32{}, ansPost: map[string][]int32{}, entries: len(entries)}
	df := map[string]int{}
	var phrasings [][]map[string]bool
	for i, e := range entries {
		seen := map[string]bool{}
		var phs []map[string]bool
		for _, p := range append([]string{e.Question}, e.Paraphrases...) {
			ph := features(p)
			phs = append(phs, ph)
			for t := range ph {
				seen[t] = true
			}
		}
		phrasings = append(phrasings, phs)
		m.phrasings = append(m.phrasings, len(phs))
		for t := range seen {
			df[t]++
		}
		for t := range features(e.Answer) {
			m.ansPost[t] = append(m.ansPost[t], int32(i))
		}
	}
	n := float64(len(entries))
	for t, d := range df {
		m.idf[t] = math.Log(1 + (n+1)/(float64(d)+0.5))
	}
	m.defIDF = math.Log(1 + (n+1)/0.5)
	for i, phs := range phrasings {
		for j, ph := range phs {
			pi := int32(len(m.phrasing))
			var w float64
			for t := range ph {
				w += m.weight(t)
				m.post[t] = append(m.post[t], pi)
			}
			m.phrasing = append(m.phrasing, phrasingInfo{entry: i, index: j, weight: w})
		}
	}
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
	return m.bestExcept(question, nil)
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
	common := map[int32]float64{}
	ans := map[int32]float64{}
	for t := range q {
		w := m.weight(t)
		qw += w
		for _, p := range m.post[t] {
			common[p] += w
		}
		for _, e := range m.ansPost[t] {
			ans[e] += w
		}
	}
	best := map[int]float64{}
	spread := map[int]float64{} // sum over the entry's phrasings of their recall
	peak := map[int]float64{}   // the best recall of one of its phrasings
	for p, c := range common {
		info := m.phrasing[p]
		if skip != nil && skip(info.entry, info.index) {
			continue
		}
		spread[info.entry] += c / qw
		peak[info.entry] = max(peak[info.entry], c/qw)
		recall := c / qw             // how much of the question the phrasing covers
		precision := c / info.weight // how much of the phrasing the question covers
		// F-measure leaning to recall: residents add detail to a common
		// question, rarely leave out its core.
		const beta2 = 2.0
		f := (1 + beta2) * precision * recall / (beta2*precision + recall)
		if f > best[info.entry] {
			best[info.entry] = f
		}
	}
	out := make([]faqMatch, 0, len(best))
	for e, f := range best {
		// An entry that is about the question's words says them in most
		// of its phrasings; one that mentions them in a single aside
		// (见义勇为能不能申请法律援助 for 法律援助怎么申请) is about something
		// else. The damping only lowers a score, so it never lifts chatter
		// over faqDirect.
		if peak[e] > 0 {
			f *= 1 - faqSpreadWeight + faqSpreadWeight*spread[e]/float64(m.phrasings[e])/peak[e]
		}
		out = append(out, faqMatch{e, (1-faqAnswerWeight)*f + faqAnswerWeight*(ans[int32(e)]/qw)})
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
