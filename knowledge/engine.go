package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"path/filepath"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/pufabot/pufabot/knowledge/corpus"
	"github.com/pufabot/pufabot/knowledge/faq"
)

// Options configures an Engine.
type Options struct {
	// DataDir holds the index (under DataDir/index).
	DataDir string
	// Embedded adds the national laws and judicial interpretations built
	// into the binary under Laws (texts in Laws win for the same law).
	Embedded bool
	// Laws are corpus folders (LawRefBook layout or plain .txt files).
	Laws []string
	// FAQ are extra FAQ files added to the embedded starter pack.
	FAQ []string
	// Examples are JSONL files of labelled questions.
	Examples []string
	// Progress receives build progress; nil is silent.
	Progress io.Writer
	// Rebuild forces a rebuild even when the index is current.
	Rebuild bool
	Logger  *slog.Logger
	// Now is the clock that decides whether a known revision of a law is in
	// force yet; nil means time.Now.
	Now func() time.Time
}

// Engine answers questions from the knowledge base. It is safe for
// concurrent use.
type Engine struct {
	idx    bleve.Index
	scorer *scorer
	snap   *snapshot
	texts  *textStore
	res    *resolver
	log    *slog.Logger
	params Params
	// topics labels answers made of articles (topic.go).
	topics *topicRules
	// faqm returns the FAQ matcher, built once on first use (see
	// startFAQMatcher).
	faqm func() *faqMatcher
	// citedBy lists, for each article, the labelled examples citing it.
	citedBy map[int32][]int32
	// dates holds, for each law, what decides its version label and
	// warnings (see currency.go); now is the clock for them.
	dates []lawDates
	now   func() time.Time
	// builtin is set when the index includes the embedded corpus.
	builtin bool

	closeOnce sync.Once
}

// Stats describes an open index.
type Stats struct {
	Laws, Articles, FAQ, Examples int
	Built                         time.Time
	Warnings                      []string
}

// ErrNoIndex is returned when the index cannot be opened or built.
var ErrNoIndex = errors.New("knowledge: no index")

// Open opens the index under o.DataDir, building or rebuilding it first
// when its inputs (corpus files, FAQ, examples, analysis) changed.
func Open(ctx context.Context, o Options) (*Engine, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	src := o.sources()
	fp, err := src.fingerprint()
	if err != nil {
		return nil, fmt.Errorf("knowledge: %w", err)
	}
	dir := filepath.Join(o.DataDir, indexDirName)
	if !o.Rebuild {
		e, err := openCurrent(dir, fp, o.Logger)
		if err == nil {
			return o.finish(e), nil
		}
		if errors.Is(err, errDamaged) {
			o.Logger.Warn("index damaged: rebuilding it", slog.String("dir", dir), slog.Any("error", err))
		}
	}
	// One build at a time per data folder; one that waited may find the
	// index built by the other.
	unlock, err := lockBuild(ctx, o.DataDir, o.Logger)
	if err != nil {
		return nil, fmt.Errorf("knowledge: %w", err)
	}
	defer unlock()
	if !o.Rebuild {
		if e, err := openCurrent(dir, fp, o.Logger); err == nil {
			return o.finish(e), nil
		}
	}
	start := time.Now()
	o.Logger.Info("building index", slog.String("dir", dir), slog.Int("corpus_dirs", len(o.Laws)))
	p := newProgress(o.Progress)
	switch {
	case o.Embedded && !o.Rebuild:
		p.note("正在为内置的法律法规建立索引（首次运行或法规有变化时进行，约需十几秒，以后直接使用）…")
	case len(o.Laws) == 0 && !o.Embedded:
		p.note("准备内置常见问题库（未配置法律全文 knowledge.laws，只能回答常见问题）…")
	}
	if err := buildIndex(ctx, dir, src, fp, p.update, o.Logger); err != nil {
		return nil, fmt.Errorf("knowledge: build index: %w", err)
	}
	p.finish()
	o.Logger.Info("index built", slog.Duration("took", time.Since(start)))
	// A build leaves a few hundred MB of garbage behind; return it to the
	// system now rather than keep it as the resident size of a server.
	debug.FreeOSMemory()
	e, err := openCurrent(dir, fp, o.Logger)
	if err != nil {
		return nil, fmt.Errorf("knowledge: open the index just built: %w", err)
	}
	return o.finish(e), nil
}

// finish applies the options that concern an open engine.
func (o Options) finish(e *Engine) *Engine {
	if o.Now != nil {
		e.now = o.Now
	}
	e.builtin = o.Embedded
	return e
}

// ErrNeedsBuild is returned by OpenExisting when the index must be built
// first: there is none yet, its inputs changed, or it is damaged.
var ErrNeedsBuild = errors.New("knowledge: the index needs building")

// sources are the inputs of the index o describes, with the clock that
// decides which loaded texts are in force.
func (o Options) sources() sources {
	src := sources{embedded: o.Embedded, laws: o.Laws, faqFiles: o.FAQ, examples: o.Examples}
	if o.Now != nil {
		src.now = o.Now()
	}
	return src
}

// OpenExisting opens the index under o.DataDir if it is current and sound,
// and never builds: it returns an error wrapping ErrNeedsBuild, and saying
// why, when Open would build. o.Rebuild and o.Progress are ignored.
func OpenExisting(o Options) (*Engine, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	src := o.sources()
	fp, err := src.fingerprint()
	if err != nil {
		return nil, fmt.Errorf("knowledge: %w", err)
	}
	e, err := openCurrent(filepath.Join(o.DataDir, indexDirName), fp, o.Logger)
	if err != nil {
		return nil, err
	}
	return o.finish(e), nil
}

// openCurrent opens the index in dir if it was built from the inputs with
// fingerprint fp and its files are as they were written; otherwise the
// error wraps ErrNeedsBuild (and errDamaged when it is damaged).
func openCurrent(dir, fp string, log *slog.Logger) (*Engine, error) {
	m, err := readMeta(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: there is no index in %s yet", ErrNeedsBuild, dir)
	case err != nil:
		return nil, fmt.Errorf("%w: %w: %v", ErrNeedsBuild, errDamaged, err)
	case m.Fingerprint != fp:
		return nil, fmt.Errorf("%w: the laws, FAQ or labelled questions changed since it was built", ErrNeedsBuild)
	}
	e, err := openChecked(dir, m, log)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNeedsBuild, err)
	}
	return e, nil
}

func openDir(dir string, log *slog.Logger) (*Engine, error) {
	snap, err := readSnapshot(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v (run pufabot index)", ErrNoIndex, err)
	}
	idx, err := bleve.OpenUsing(filepath.Join(dir, bleveDirName), map[string]interface{}{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("%w: open %s: %v (run pufabot index)", ErrNoIndex, dir, err)
	}
	texts, err := openTexts(dir, len(snap.Articles))
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("%w: %v (run pufabot index)", ErrNoIndex, err)
	}
	snap.texts = nil
	e, err := newEngine(idx, snap, log)
	if err != nil {
		texts.close()
		return nil, err
	}
	e.texts = texts
	return e, nil
}

// newEngine makes an engine of an open bleve index and its snapshot; it
// closes idx when it fails.
func newEngine(idx bleve.Index, snap *snapshot, log *slog.Logger) (*Engine, error) {
	sc, err := newScorer(idx, snap)
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("%w: %v", ErrNoIndex, err)
	}
	e := &Engine{idx: idx, scorer: sc, snap: snap, texts: &textStore{mem: snap.texts}, res: newResolver(snap), log: log, params: DefaultParams()}
	e.topics = newTopicRules(snap.Topics)

	e.faqm = startFAQMatcher(snap.FAQ)
	e.citedBy = citations(snap.Examples)
	e.dates = newLawDates(snap, e.res)
	e.now = time.Now
	return e, nil
}

// Close releases the index; calling it twice is safe.
func (e *Engine) Close() error {
	var err error
	e.closeOnce.Do(func() {
		e.scorer.close()
		err = errors.Join(e.idx.Close(), e.texts.close())
	})
	return err
}

// Stats describes the open index.
func (e *Engine) Stats() Stats {
	return Stats{Laws: len(e.snap.Laws), Articles: len(e.snap.Articles), FAQ: len(e.snap.FAQ), Examples: len(e.snap.Examples), Built: e.snap.Built, Warnings: e.snap.Warnings}
}

// SetParams replaces the ranking parameters (for tuning and evaluation).
func (e *Engine) SetParams(p Params) { e.params = p }

// Params returns the ranking parameters in use.
func (e *Engine) Params() Params { return e.params }

// Topics returns the 专题 of the FAQ pack.
func (e *Engine) Topics() []faq.Topic { return e.snap.Topics }

// Topic returns one 专题 by id.
func (e *Engine) Topic(id string) (faq.Topic, bool) {
	for _, t := range e.snap.Topics {
		if t.ID == id {
			return t, true
		}
	}
	return faq.Topic{}, false
}

// FAQ returns the FAQ entries in use.
func (e *Engine) FAQ() []faq.Entry { return e.snap.FAQ }

// HasCorpus reports whether law texts are indexed (not just the FAQ).
func (e *Engine) HasCorpus() bool { return len(e.snap.Articles) > 0 }

// Article returns the article with the given Hit.ID, with its full text.
func (e *Engine) Article(id string) (Hit, bool) {
	ai, ok := e.res.byArt[id]
	if !ok {
		return Hit{}, false
	}
	h := e.hit(ai, 0, nil)
	return h, true
}

// LookupArticle finds an article of the current version of a law by name
// (full title, short name or alias) and number.
func (e *Engine) LookupArticle(law string, number int, suffix string) (Hit, bool) {
	ai, ok := e.res.article(law, number, suffix)
	if !ok {
		return Hit{}, false
	}
	return e.hit(ai, 0, nil), true
}

// hit builds a Hit for article ai; terms, when given, choose the snippet.
func (e *Engine) hit(ai int32, score float64, terms []string) Hit {
	a := e.snap.Articles[ai]
	l := e.snap.Laws[a.Law]
	text := e.texts.text(ai)
	h := Hit{
		ID:         a.ID,
		Law:        l.Title,
		LawID:      l.ID,
		Article:    a.Number,
		Suffix:     a.Suffix,
		Citation:   "《" + l.Title + "》" + corpus.ArticleLabel(a.Number, a.Suffix),
		Headings:   a.Headings,
		Snippet:    snippet(text, terms, 90),
		Text:       text,
		Version:    l.Version,
		Category:   l.Category,
		Superseded: l.Superseded,
		Loaded:     true,
		Score:      score,
	}
	e.date(&h, a.Law)
	return h
}

// Search returns ranked statute articles for a question: results offset
// to offset+k, best first.
func (e *Engine) Search(ctx context.Context, q string, k, offset int) ([]Hit, error) {
	ranked, terms, err := e.rank(ctx, q, offset+k, nil)
	if err != nil {
		return nil, err
	}
	if offset >= len(ranked) {
		return nil, nil
	}
	ranked = ranked[offset:]
	if len(ranked) > k {
		ranked = ranked[:k]
	}
	out := make([]Hit, len(ranked))
	for i, r := range ranked {
		out[i] = e.hit(r.art, r.score, terms)
	}
	return out, nil
}

// SearchExcluding is Search for evaluation: labelled examples for which
// skip returns true are ignored, so a question is never scored with its own
// label.
func (e *Engine) SearchExcluding(ctx context.Context, q string, k int, skip func(id, query string) bool) ([]Hit, error) {
	ranked, _, err := e.rank(ctx, q, k, skip)
	if err != nil {
		return nil, err
	}
	if len(ranked) > k {
		ranked = ranked[:k]
	}
	out := make([]Hit, len(ranked))
	for i, r := range ranked {
		// Evaluation needs neither text nor snippet; leaving them out
		// keeps the measured latency that of ranking.
		a := e.snap.Articles[r.art]
		l := e.snap.Laws[a.Law]
		out[i] = Hit{ID: a.ID, Law: l.Title, LawID: l.ID, Article: a.Number, Suffix: a.Suffix, Category: l.Category, Loaded: true, Score: r.score}
	}
	return out, nil
}

type scored struct {
	art   int32
	score float64
}

// rank is the retrieval core. An article's score is the sum of
//   - its BM25 score over the article fields, divided by the best one, plus
//     WRank/(RankK+rank) for its rank among the BM25 hits;
//   - the votes of the ExampleDepth labelled questions most like q that
//     are close enough to vote (see votes): each gives its articles
//     (score/q's idf mass)^ExamplePower, shared among them, times
//     WExamples, plus WExampleRank/(RankK+rank) for the article's rank by
//     votes, times the trust of its closest voter;
//
// times the prior of its law's category, plus a share of the score of a
// top result it is cited together with (by labelled questions, times the
// trust of the closest labelled question) or next to. Below the first
// TailFrom places the list is re-ranked for recall (see tail). The
// reciprocal-rank terms let the head of either list reach the top whatever
// the scale of its scores; the idf-mass normalisation lets a near-duplicate
// question outvote a loose one, and trust keeps questions unlike every
// labelled one ranked as without them. skip, when set, hides labelled
// questions (a question's own label in evaluation).
func (e *Engine) rank(ctx context.Context, q string, k int, skip func(id, query string) bool) ([]scored, []string, error) {
	p := e.params
	cleaned := CleanQuestion(q)
	expansion := Expand(cleaned)
	terms := Terms(cleaned + " " + expansion)
	if len(terms) == 0 || !e.HasCorpus() {
		return nil, terms, nil
	}
	depth := p.Depth
	if depth < k {
		depth = k
	}
	qTerms := Terms(cleaned)
	xTerms := Terms(expansion)
	acc := e.scorer.pool.Get().(*accumulator)
	defer func() {
		acc.reset()
		e.scorer.pool.Put(acc)
	}()
	// 1. BM25 over the article fields, and over the labelled questions
	// (disjoint documents). The single-character and labelled-question
	// fields are scored on a second core into their own accumulator and
	// merged, which roughly halves a question's latency on an idle machine.
	useExamples := len(e.snap.Examples) > 0 && (p.WExamples > 0 || p.WExampleRank > 0)
	side := e.scorer.pool.Get().(*accumulator)
	side2 := e.scorer.pool.Get().(*accumulator)
	defer func() {
		side.reset()
		side2.reset()
		e.scorer.pool.Put(side)
		e.scorer.pool.Put(side2)
	}()
	var exMass float64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if p.WTextUni > 0 && e.scorer.large(fieldTextUni) {
			e.scorer.score(ctx, side, fieldTextUni, Unigrams(cleaned), p.WTextUni, p.K1, p.B, p.UniMaxDF, p.UniMaxTerms)
		}
		if useExamples {
			exMass = e.scoreExamples(ctx, side, cleaned, qTerms)
		}
	}()
	type field struct {
		name   string
		weight float64
		expand bool
	}
	scoreFields := func(a *accumulator, fields []field) {
		for _, f := range fields {
			if f.weight <= 0 {
				continue
			}
			e.scorer.score(ctx, a, f.name, qTerms, f.weight, p.K1, p.B, p.MaxDF, p.MaxTerms)
			if f.expand && len(xTerms) > 0 && p.WExpand > 0 {
				e.scorer.score(ctx, a, f.name, xTerms, f.weight*p.WExpand, p.K1, p.B, p.MaxDF, p.MaxTerms)
			}
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		scoreFields(side2, []field{{fieldLaw, p.WLaw, false}, {fieldHeadings, p.WHeadings, true}, {fieldFAQRef, p.WFAQRef, false}})
	}()
	scoreFields(acc, []field{{fieldText, p.WText, true}})
	wg.Wait()
	for _, d := range side2.touched {
		acc.add(d, side2.score[d])
	}
	for _, d := range side.touched {
		acc.add(d, side.score[d])
	}
	if err := ctx.Err(); err != nil {
		return nil, terms, err
	}
	arts, exs := acc.arts[:0], acc.exs[:0]
	for _, d := range acc.touched {
		switch v := e.scorer.docs[d]; {
		case v >= 0:
			if e.snap.Articles[v].Indexed {
				arts = append(arts, scored{v, acc.score[d]})
			}
		case v <= -2:
			exs = append(exs, scored{-2 - v, acc.score[d]})
		}
	}
	acc.arts, acc.exs = arts[:0], exs[:0] // keep the grown buffers
	arts = topScored(arts, depth)
	scores := make(map[int32]float64, len(arts)+4*p.ExampleDepth)
	var top float64
	if len(arts) > 0 {
		top = arts[0].score
		for i, a := range arts {
			scores[a.art] += a.score/top + p.WRank/(p.RankK+float64(i+1))
		}
	}
	// 2. Votes from similar labelled questions, each counting in
	// proportion to how close its question is to q.
	var nearest float64
	if useExamples {
		var votes []vote
		votes, nearest = e.votes(exs, exMass, skip)
		for i, v := range votes {
			bm, seen := scores[v.art]
			if !seen && top > 0 && p.CheckVotes {
				// Below the BM25 depth, but its score is at hand.
				if d := e.scorer.artDoc[v.art]; d >= 0 {
					bm = acc.score[d] / top
				}
			}
			rankW := p.WExampleRank
			if p.ExampleRankByCloseness {
				rankW *= v.near
			}
			scores[v.art] = bm + p.WExamples*v.score + rankW/(p.RankK+float64(i+1))
		}
	}
	// 3. Priors for the laws residents need most.
	out := make([]scored, 0, len(scores))
	for ai, s := range scores {
		l := e.snap.Laws[e.snap.Articles[ai].Law]
		s *= p.prior(l)
		out = append(out, scored{art: ai, score: s})
	}
	// Co-citation learns from labelled questions too: it counts only as
	// much as the closest of them is close to q, and not at all when none
	// is, so a question unlike every labelled one ranks as without them.
	coCited := 1.0
	if p.CoCitedByCloseness {
		coCited = trust(nearest, p.ExampleFloor, math.Max(p.ExampleNear, p.CoCitedNear))
	}
	if w := p.WCoCited * coCited; w > 0 && p.CoCitedDepth > 0 {
		out = e.addCoCited(out, w, p.CoCitedDepth, skip)
	}
	if p.WNeighbour > 0 && p.NeighbourDepth > 0 {
		out = e.addNeighbours(out, p.WNeighbour, p.NeighbourDepth, 1)
	}
	if p.TailFrom > 0 && k > p.TailFrom && len(out) > p.TailFrom {
		var prf map[int32]float64
		if p.WTailPRF > 0 && p.PRFDocs > 0 {
			prf = e.feedback(ctx, out, qTerms, p)
		}
		return e.tail(out, k, p, skip, prf, coCited), terms, nil
	}
	return topScored(out, k), terms, nil
}

// scoreExamples adds the BM25 scores of the labelled questions like the
// cleaned question (terms are its bigrams) to acc and returns the
// question's own idf mass over those fields, the scale of a near
// duplicate's score.
func (e *Engine) scoreExamples(ctx context.Context, acc *accumulator, cleaned string, terms []string) float64 {
	p := e.params
	mass := e.scorer.score(ctx, acc, fieldExample, terms, 1, p.ExampleK1, p.ExampleB, p.MaxDF, p.MaxTerms)
	if p.ExampleUnseen {
		mass += e.scorer.unseenMass(ctx, fieldExample, terms, 1)
	}
	if p.WExampleUni > 0 && e.scorer.large(fieldExUni) {
		uni := Unigrams(cleaned)
		mass += e.scorer.score(ctx, acc, fieldExUni, uni, p.WExampleUni, p.ExampleK1, p.ExampleB, p.UniMaxDF, p.UniMaxTerms)
		if p.ExampleUnseen {
			mass += e.scorer.unseenMass(ctx, fieldExUni, uni, p.WExampleUni)
		}
	}
	return mass
}

// vote is an article's share of the votes of the labelled questions like
// the question, and how close the closest of them is.
type vote struct {
	art   int32
	score float64
	near  float64
}

// votes lets the ExampleDepth labelled questions most like the question
// vote for their articles. A labelled question's similarity s is its BM25
// score over the question's own idf mass (mass): about 1 for a near
// duplicate, small for one sharing a word or two. Its vote, s^ExamplePower,
// is shared among its articles. Its trust runs from 0 at ExampleFloor (and
// below: it does not vote) to 1 at ExampleNear (and above); an article's
// vote carries the trust of its closest voter, which scales its
// reciprocal-rank bonus in rank. It returns the votes, best first, and the
// similarity of the closest labelled question that votes (0 when none
// does). skip hides labelled questions, as in rank.
func (e *Engine) votes(exs []scored, mass float64, skip func(id, query string) bool) ([]vote, float64) {
	p := e.params
	exs = topScored(exs, p.ExampleDepth+8)
	by := make(map[int32]int, 4*p.ExampleDepth)
	var out []vote
	var norm, nearest float64 // nearest: the closest voter's similarity
	used := 0
	for _, h := range exs {
		ex := e.snap.Examples[h.art]
		if skip != nil && skip(ex.ID, ex.Query) {
			continue
		}
		if norm == 0 {
			norm = h.score
			if p.ExampleSelfNorm {
				norm = mass
			}
		}
		used++
		if used > p.ExampleDepth {
			break
		}
		s := h.score / norm
		t := trust(s, p.ExampleFloor, p.ExampleNear)
		if t <= 0 {
			break // the rest are further still
		}
		nearest = math.Max(nearest, s)
		w := pow(s, p.ExamplePower) / float64(len(ex.Targets))
		for _, a := range ex.Targets {
			i, ok := by[a]
			if !ok {
				i = len(out)
				by[a] = i
				out = append(out, vote{art: a})
			}
			out[i].score += w
			out[i].near = math.Max(out[i].near, t)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].art < out[j].art
	})
	return out, nearest
}

// trust maps a similarity s to 0 at or below floor, 1 at or above near,
// and linearly between.
func trust(s, floor, near float64) float64 {
	switch {
	case s <= floor:
		return 0
	case s >= near:
		return 1
	}
	return (s - floor) / (near - floor)
}

// lawAffinity multiplies every candidate's score by 1 + weight × its law's share of the score of
// the best depth results: a question is usually about one or two
// laws, and a weak match inside them is likelier than one elsewhere.
// Multiplying keeps the head (which defines those laws) in its order while
// it reorders the tail.
func (e *Engine) lawAffinity(out []scored, weight float64, depth int) {
	best := topScored(append([]scored(nil), out...), depth)
	if len(best) == 0 {
		return
	}
	mass := make(map[int32]float64, 8)
	var total float64
	for _, b := range best {
		mass[e.snap.Articles[b.art].Law] += b.score
		total += b.score
	}
	if total <= 0 {
		return
	}
	for i, s := range out {
		if m, ok := mass[e.snap.Articles[s.art].Law]; ok {
			out[i].score = s.score * (1 + weight*m/total)
		}
	}
}

// citations maps each article to the labelled examples citing it.
func citations(exs []exRec) map[int32][]int32 {
	m := make(map[int32][]int32)
	for i, ex := range exs {
		if len(ex.Targets) < 2 {
			continue // cites nothing alongside
		}
		for _, t := range ex.Targets {
			m[t] = append(m[t], int32(i))
		}
	}
	return m
}

// addCoCited gives the articles that labelled questions cite together with
// each of the best CoCitedDepth results a share of its score: the share of
// the questions citing the result that also cite the article. Lawyers cite
// runs of related provisions (a rule and its penalty, a right and its
// remedy) across laws, which no wording of the question reveals. skip hides
// labelled questions, as in rank.
func (e *Engine) addCoCited(out []scored, weight float64, depth int, skip func(id, query string) bool) []scored {
	best := topScored(append([]scored(nil), out...), depth)
	at := make(map[int32]int, len(out))
	for i, s := range out {
		at[s.art] = i
	}
	for _, b := range best {
		exs := e.citedBy[b.art]
		if len(exs) == 0 {
			continue
		}
		n := 0
		for _, xi := range exs {
			if ex := e.snap.Examples[xi]; skip == nil || !skip(ex.ID, ex.Query) {
				n++
			}
		}
		if n == 0 {
			continue
		}
		w := b.score * weight / float64(n)
		for _, xi := range exs {
			ex := e.snap.Examples[xi]
			if skip != nil && skip(ex.ID, ex.Query) {
				continue
			}
			for _, t := range ex.Targets {
				if t == b.art || !e.snap.Articles[t].Indexed {
					continue
				}
				if i, ok := at[t]; ok {
					out[i].score += w
				} else {
					at[t] = len(out)
					out = append(out, scored{t, w})
				}
			}
		}
	}
	return out
}

// addNeighbours gives the articles up to span before and after each of the
// best depth results a share of its score, weight/distance: lawyers often
// cite a run of consecutive articles, and the one next to a good match is a
// good guess.
func (e *Engine) addNeighbours(out []scored, weight float64, depth, span int) []scored {
	best := topScored(append([]scored(nil), out...), depth)
	at := make(map[int32]int, len(out))
	for i, s := range out {
		at[s.art] = i
	}
	for _, b := range best {
		a := e.snap.Articles[b.art]
		lawID := e.snap.Laws[a.Law].ID
		for dist := 1; dist <= span; dist++ {
			for _, d := range []int{-dist, dist} {
				if a.Suffix != "" && d < 0 {
					continue
				}
				ni, ok := e.res.byArt[articleID(lawID, a.Number+d, "")]
				if !ok || !e.snap.Articles[ni].Indexed {
					continue
				}
				add := b.score * weight / float64(dist)
				if i, ok := at[ni]; ok {
					out[i].score += add
				} else {
					at[ni] = len(out)
					out = append(out, scored{ni, add})
				}
			}
		}
	}
	return out
}

// feedback is pseudo-relevance feedback for the tail: the terms found in at
// least two of the best PRFDocs results but not in the question are
// searched in the article texts, and each article gets its score over them
// divided by the best one's.
func (e *Engine) feedback(ctx context.Context, out []scored, qTerms []string, p Params) map[int32]float64 {
	best := topScored(append([]scored(nil), out...), p.PRFDocs)
	inQ := make(map[string]bool, len(qTerms))
	for _, t := range qTerms {
		inQ[t] = true
	}
	seen := map[string]int{}
	for _, b := range best {
		once := map[string]bool{}
		for _, t := range Terms(e.texts.text(b.art)) {
			if !inQ[t] && !once[t] {
				once[t] = true
				seen[t]++
			}
		}
	}
	var fb []string
	for t, n := range seen {
		if n >= 2 {
			fb = append(fb, t)
		}
	}
	if len(fb) == 0 {
		return nil
	}
	sort.Strings(fb) // the scorer keeps the rarest; ties need a fixed order
	acc := e.scorer.pool.Get().(*accumulator)
	defer func() {
		acc.reset()
		e.scorer.pool.Put(acc)
	}()
	e.scorer.score(ctx, acc, fieldText, fb, 1, p.K1, p.B, p.MaxDF, p.PRFTerms)
	arts := make([]scored, 0, len(acc.touched))
	for _, d := range acc.touched {
		if v := e.scorer.docs[d]; v >= 0 && e.snap.Articles[v].Indexed {
			arts = append(arts, scored{v, acc.score[d]})
		}
	}
	arts = topScored(arts, p.PRFDepth)
	if len(arts) == 0 || arts[0].score <= 0 {
		return nil
	}
	m := make(map[int32]float64, len(arts))
	for _, a := range arts {
		m[a.art] = a.score / arts[0].score
	}
	return m
}

// tail keeps the best TailFrom results of out in their order and fills the
// rest of the k places by a recall-minded score: out's score plus larger
// shares for co-cited, same-law and nearby articles than the head can
// afford. The head decides what a reader sees first; the tail only decides
// which further candidates are listed at all. coCited scales the
// co-citation share, as in rank.
func (e *Engine) tail(out []scored, k int, p Params, skip func(id, query string) bool, prf map[int32]float64, coCited float64) []scored {
	head := topScored(append([]scored(nil), out...), p.TailFrom)
	rest := append([]scored(nil), out...)
	if len(prf) > 0 {
		at := make(map[int32]int, len(rest))
		for i, s := range rest {
			at[s.art] = i
		}
		for ai, v := range prf {
			if i, ok := at[ai]; ok {
				rest[i].score += p.WTailPRF * v
			} else {
				rest = append(rest, scored{ai, p.WTailPRF * v})
			}
		}
	}
	if w := p.WTailCoCited * coCited; w > 0 && p.TailDepth > 0 {
		rest = e.addCoCited(rest, w, p.TailDepth, skip)
	}
	if p.WTailNeighbour > 0 && p.TailDepth > 0 && p.TailSpan > 0 {
		rest = e.addNeighbours(rest, p.WTailNeighbour, p.TailDepth, p.TailSpan)
	}
	if p.WTailLaw > 0 && p.TailDepth > 0 {
		e.lawAffinity(rest, p.WTailLaw, p.TailDepth)
	}
	inHead := make(map[int32]bool, len(head))
	for _, h := range head {
		inHead[h.art] = true
	}
	keep := rest[:0]
	for _, r := range rest {
		if !inHead[r.art] {
			keep = append(keep, r)
		}
	}
	keep = topScored(keep, k-len(head))
	// Below the head, scores only need to keep the order.
	if len(head) > 0 {
		floor := head[len(head)-1].score
		if len(keep) > 0 && keep[0].score >= floor {
			f := floor / (keep[0].score * 1.0001)
			for i := range keep {
				keep[i].score *= f
			}
		}
	}
	return append(head, keep...)
}

// topScored returns the n best of s, best first (ties by article order),
// reordering s in place.
// It keeps a bounded min-heap, so a broad query touching tens of thousands
// of articles costs O(len(s)·log n), not a full sort.
func topScored(s []scored, n int) []scored {
	less := func(a, b scored) bool { // a ranks below b
		if a.score != b.score {
			return a.score < b.score
		}
		return a.art > b.art
	}
	if n <= 0 {
		return s[:0]
	}
	if len(s) > n {
		h := s[:n] // the heap lives in place, at the front of s
		for i := n/2 - 1; i >= 0; i-- {
			siftDown(h, i, less)
		}
		for _, x := range s[n:] {
			if less(h[0], x) {
				h[0] = x
				siftDown(h, 0, less)
			}
		}
		s = h
	}
	sort.Slice(s, func(i, j int) bool { return less(s[j], s[i]) })
	return s
}

func siftDown(h []scored, i int, less func(a, b scored) bool) {
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && less(h[c+1], h[c]) {
			c++
		}
		if !less(h[c], h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

func pow(x, y float64) float64 {
	if y == 1 {
		return x
	}
	return math.Pow(x, y)
}
