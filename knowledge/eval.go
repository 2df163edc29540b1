package knowledge

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/pufabot/pufabot/knowledge/corpus"
)

// EvalKs are the cut-offs Recall is reported at.
var EvalKs = []int{1, 3, 5, 10, 20, 30, 50, 100}

// EvalResult holds retrieval metrics over a labelled set.
type EvalResult struct {
	Questions int             `json:"questions"`
	Recall    map[int]float64 `json:"recall"` // k → mean |gold ∩ top k| / |gold|
	MRR10     float64         `json:"mrr@10"`
	Hit10     float64         `json:"hit@10"`
	LatencyMS struct {
		P50 float64 `json:"p50"`
		P95 float64 `json:"p95"`
		P99 float64 `json:"p99"`
	} `json:"latency_ms"`
	// GoldMissing counts gold articles whose law is not in the index; they
	// are left out of the recall denominators and reported here instead.
	GoldMissing    int                    `json:"gold_missing"`
	MissingLaws    map[string]int         `json:"missing_laws,omitempty"`
	NoGoldInIndex  int                    `json:"questions_without_indexed_gold"`
	Breakdown      map[string]*EvalResult `json:"breakdown,omitempty"`
	recallSums     map[int]float64
	mrrSum, hitSum float64
	lat            []time.Duration
}

// EvalOptions control an evaluation run.
type EvalOptions struct {
	// LeaveOneOut ignores, for each question, labelled examples with the
	// same id or the same text, so no question is scored with its own label.
	LeaveOneOut bool
	// Fold selects questions: with Folds > 0, only those whose id hashes to
	// Fold (mod Folds) are scored; Fold < 0 scores all others.
	Folds, Fold int
	// Progress, when set, receives a line every 100 questions.
	Progress io.Writer
}

// InFold reports whether a question id belongs to fold f of n.
func InFold(id string, f, n int) bool {
	h := fnv.New32a()
	io.WriteString(h, id)
	return int(h.Sum32()%uint32(n)) == f
}

// Evaluate scores the engine's retrieval on labelled questions.
func (e *Engine) Evaluate(ctx context.Context, set []Example, o EvalOptions) (*EvalResult, error) {
	all := newEvalResult()
	civil := newEvalResult()
	other := newEvalResult()
	maxK := EvalKs[len(EvalKs)-1]
	n := 0
	for _, ex := range set {
		if o.Folds > 0 {
			in := InFold(ex.ID, abs(o.Fold), o.Folds)
			if (o.Fold >= 0) != in {
				continue
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var gold []string
		missing := map[string]bool{}
		civilOnly := len(ex.Gold) > 0
		for _, g := range ex.Gold {
			if corpus.NormalizeTitle(g.Law) != "民法典" {
				civilOnly = false
			}
			if _, ok := e.res.law(g.Law); !ok {
				missing[corpus.NormalizeTitle(g.Law)] = true
				continue
			}
			gold = append(gold, goldKey(g.Law, g.Article, g.Suffix))
		}
		var skip func(id, q string) bool
		if o.LeaveOneOut {
			qid, qtext := ex.ID, strings.TrimSpace(ex.Query)
			skip = func(id, q string) bool { return id == qid || strings.TrimSpace(q) == qtext }
		}
		start := time.Now()
		hits, err := e.SearchExcluding(ctx, ex.Query, maxK, skip)
		if err != nil {
			return nil, err
		}
		took := time.Since(start)
		keys := make([]string, len(hits))
		for i, h := range hits {
			keys[i] = goldKey(h.Law, h.Article, h.Suffix)
		}
		for _, r := range []*EvalResult{all, map[bool]*EvalResult{true: civil, false: other}[civilOnly]} {
			r.add(gold, keys, took, missing)
		}
		n++
		if o.Progress != nil && n%100 == 0 {
			fmt.Fprintf(o.Progress, "evaluated %d questions\n", n)
		}
	}
	all.finish()
	civil.finish()
	other.finish()
	all.Breakdown = map[string]*EvalResult{"民法典": civil, "其他": other}
	return all, nil
}

func abs(x int) int {
	if x < 0 {
		return -x - 1
	}
	return x
}

func goldKey(law string, article int, suffix string) string {
	return fmt.Sprintf("%s#%d%s", corpus.NormalizeTitle(law), article, suffix)
}

func newEvalResult() *EvalResult {
	return &EvalResult{Recall: map[int]float64{}, recallSums: map[int]float64{}, MissingLaws: map[string]int{}}
}

func (r *EvalResult) add(gold, ranked []string, took time.Duration, missing map[string]bool) {
	r.lat = append(r.lat, took)
	for l := range missing {
		r.MissingLaws[l]++
		r.GoldMissing++
	}
	if len(gold) == 0 {
		r.NoGoldInIndex++
		return
	}
	r.Questions++
	goldSet := map[string]bool{}
	for _, g := range gold {
		goldSet[g] = true
	}
	for _, k := range EvalKs {
		found := 0
		for i := 0; i < k && i < len(ranked); i++ {
			if goldSet[ranked[i]] {
				found++
			}
		}
		r.recallSums[k] += float64(found) / float64(len(goldSet))
	}
	for i := 0; i < 10 && i < len(ranked); i++ {
		if goldSet[ranked[i]] {
			r.mrrSum += 1 / float64(i+1)
			r.hitSum++
			break
		}
	}
}

func (r *EvalResult) finish() {
	if r.Questions > 0 {
		for k, s := range r.recallSums {
			r.Recall[k] = s / float64(r.Questions)
		}
		r.MRR10 = r.mrrSum / float64(r.Questions)
		r.Hit10 = r.hitSum / float64(r.Questions)
	}
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	pct := func(p float64) float64 {
		if len(r.lat) == 0 {
			return 0
		}
		i := int(p * float64(len(r.lat)-1))
		return float64(r.lat[i].Microseconds()) / 1000
	}
	r.LatencyMS.P50, r.LatencyMS.P95, r.LatencyMS.P99 = pct(0.50), pct(0.95), pct(0.99)
}

// WriteText prints the result as a small table.
func (r *EvalResult) WriteText(w io.Writer) {
	fmt.Fprintf(w, "questions scored: %d (without any indexed gold article: %d; gold articles of laws not in the index: %d)\n", r.Questions, r.NoGoldInIndex, r.GoldMissing)
	write := func(name string, x *EvalResult) {
		fmt.Fprintf(w, "%-8s n=%-5d", name, x.Questions)
		for _, k := range EvalKs {
			fmt.Fprintf(w, " R@%d=%.3f", k, x.Recall[k])
		}
		fmt.Fprintf(w, " MRR@10=%.3f Hit@10=%.3f\n", x.MRR10, x.Hit10)
	}
	write("all", r)
	for _, name := range []string{"民法典", "其他"} {
		if b := r.Breakdown[name]; b != nil {
			write(name, b)
		}
	}
	fmt.Fprintf(w, "latency ms: p50=%.2f p95=%.2f p99=%.2f\n", r.LatencyMS.P50, r.LatencyMS.P95, r.LatencyMS.P99)
	if len(r.MissingLaws) > 0 {
		type kv struct {
			k string
			v int
		}
		var l []kv
		for k, v := range r.MissingLaws {
			l = append(l, kv{k, v})
		}
		sort.Slice(l, func(i, j int) bool { return l[i].v > l[j].v || (l[i].v == l[j].v && l[i].k < l[j].k) })
		if len(l) > 10 {
			l = l[:10]
		}
		fmt.Fprint(w, "laws not in the index (most cited):")
		for _, x := range l {
			fmt.Fprintf(w, " %s×%d", x.k, x.v)
		}
		fmt.Fprintln(w)
	}
}
