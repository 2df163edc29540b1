package knowledge

import (
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"

	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/pufabot/pufabot/knowledge/corpus"
	"github.com/pufabot/pufabot/knowledge/corpus/embedded"
	"github.com/pufabot/pufabot/knowledge/faq"
)

// Field names in the bleve index. Articles and labelled examples use
// disjoint fields, so a query on a field only meets its kind. FAQ entries
// are matched in memory (faqMatcher); their questions reach the index
// through the articles they cite (faqref).
const (
	fieldLaw      = "law"      // article: law title and short name
	fieldHeadings = "headings" // article: 编/章/节 path
	fieldText     = "text"     // article: the article's text
	fieldTextUni  = "text1"    // article: the article's text, Han unigrams
	fieldFAQRef   = "faqref"   // article: questions of FAQ entries citing it
	fieldExample  = "example"  // labelled question
	fieldExUni    = "example1" // labelled question, Han unigrams
	fieldKind     = "kind"     // article, faq, example
)

// snapshotVersion changes when the on-disk snapshot layout changes.
const snapshotVersion = 6

// lawRec is a law as the engine keeps it.
type lawRec struct {
	ID         string
	Title      string
	Short      string
	Category   string
	Version    string
	Event      string // how the text was made: 通过, 修正, 修订, 公布 or ""
	Superseded bool   // a newer text of the law is loaded and in force
	// InForce is the day the text takes effect, when the revision table
	// knows it; Pending says it was not in force when the index was built.
	InForce string
	Pending bool
}

// rank orders the texts of one law: in force, pending, superseded.
func (l lawRec) rank() int {
	switch {
	case l.Superseded:
		return 2
	case l.Pending:
		return 1
	}
	return 0
}

// clock is the time currency is decided at: now, unless a test set it.
func (s sources) clock() time.Time {
	if s.now.IsZero() {
		return time.Now()
	}
	return s.now
}

// artRec is an article as the engine keeps it.
type artRec struct {
	ID       string
	Law      int32
	Number   int
	Suffix   string
	Headings []string
	Indexed  bool // superseded and pending texts are kept for look-ups, not searched
}

// exRec is a labelled question and the articles it points to.
type exRec struct {
	ID      string
	Query   string
	Targets []int32
}

// snapshot is everything the engine needs besides the bleve index; it is
// written beside the index so opening needs no corpus parsing.
type snapshot struct {
	Version     int
	Fingerprint string
	Built       time.Time
	Laws        []lawRec
	Articles    []artRec
	Examples    []exRec
	FAQ         []faq.Entry
	Topics      []faq.Topic
	Warnings    []string
	// Fields holds per-field document and token counts for BM25.
	Fields map[string]fieldStat
	// Docs maps the bleve index's internal document numbers to articles
	// (>= 0) and labelled examples (-2-i), as mapDocs would find them.
	Docs []int32

	// texts are the articles' texts while the index is built; they are
	// written to their own file (texts.go), not into the snapshot.
	texts []string
}

// sources is what an index is built from.
type sources struct {
	embedded bool // the corpus built into the binary, under laws
	// now decides which loaded texts are in force (see markPending).
	now      time.Time
	laws     []string
	faqFiles []string
	examples []string
}

// fingerprint identifies the inputs of an index: if it changes, rebuild.
func (s sources) fingerprint() (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "analysis=%s snapshot=%d %s\n", analysisVersion, snapshotVersion, inForceEpoch(s.clock()))
	if len(s.laws) > 0 {
		fp, err := corpus.Fingerprint(s.laws)
		if err != nil {
			return "", fmt.Errorf("fingerprint corpus: %w", err)
		}
		fmt.Fprintf(h, "laws=%s\n", fp)
	}
	if s.embedded {
		fmt.Fprintf(h, "embedded=%s\n", embedded.Digest())
	}
	starter, err := faq.StarterDigest()
	if err != nil {
		return "", fmt.Errorf("starter FAQ: %w", err)
	}
	fmt.Fprintf(h, "starter=%s\n", starter)
	for _, group := range [][]string{s.faqFiles, s.examples} {
		for _, p := range group {
			f, err := os.Open(p)
			if err != nil {
				return "", err
			}
			io.WriteString(h, p+"\n")
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				return "", err
			}
		}
		io.WriteString(h, "--\n")
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// articleID is a short id, stable while the law's title and version and the
// article's number stay the same: "a" + 8 hex digits + "-" + number[.k].
func articleID(lawID string, number int, suffix string) string {
	f := fnv.New32a()
	io.WriteString(f, lawID)
	id := fmt.Sprintf("a%08x-%d", f.Sum32(), number)
	if suffix != "" {
		id += "." + strconv.Itoa(suffixIndex(suffix))
	}
	return id
}

func suffixIndex(s string) int {
	n, ok := corpus.ParseNumber(strings.TrimPrefix(s, "之"))
	if !ok {
		return 0
	}
	return n
}

// newMapping returns the index mapping: BM25 scoring, the Chinese analyzer
// on every text field, nothing stored (the snapshot holds the text).
func newMapping() mapping.IndexMapping {
	im := bleve.NewIndexMapping()
	im.ScoringModel = bindex.BM25Scoring
	im.DefaultAnalyzer = analyzerName
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range []string{fieldLaw, fieldHeadings, fieldText, fieldFAQRef, fieldExample} {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = analyzerName
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = false
		doc.AddFieldMappingsAt(f, fm)
	}
	uni := bleve.NewTextFieldMapping()
	uni.Analyzer = unigramAnalyzerName
	uni.Store = false
	uni.IncludeInAll = false
	uni.IncludeTermVectors = false
	uni.DocValues = false
	doc.AddFieldMappingsAt(fieldTextUni, uni)
	doc.AddFieldMappingsAt(fieldExUni, uni)
	kind := bleve.NewKeywordFieldMapping()
	kind.Analyzer = keyword.Name
	kind.Store = false
	kind.IncludeInAll = false
	kind.DocValues = false
	doc.AddFieldMappingsAt(fieldKind, kind)
	im.DefaultMapping = doc
	return im
}

// buildSnapshot loads the corpus, FAQ and examples into a snapshot.
func buildSnapshot(ctx context.Context, src sources, progress func(stage string, done, total int)) (*snapshot, error) {
	snap := &snapshot{Version: snapshotVersion, Built: time.Now().UTC()}
	if len(src.laws) > 0 || src.embedded {
		c, warns, err := loadCorpus(src, progress)
		if err != nil {
			return nil, fmt.Errorf("load corpus: %w", err)
		}
		for _, w := range warns {
			snap.Warnings = append(snap.Warnings, w.String())
		}
		snap.Warnings = append(snap.Warnings, datedTexts(c.Laws)...)
		pending := markPending(c.Laws, src.clock())
		for _, law := range c.Laws {
			if law.Amendment || len(law.Articles) == 0 {
				continue
			}
			li := int32(len(snap.Laws))
			snap.Laws = append(snap.Laws, lawRec{ID: law.ID, Title: law.Title, Short: law.ShortName, Category: law.Category, Version: law.Version, Event: law.Event,
				Superseded: law.Superseded, InForce: inForceDate(law), Pending: pending[law]})
			seen := map[string]bool{}
			for _, a := range law.Articles {
				id := articleID(law.ID, a.Number, a.Suffix)
				if seen[id] {
					snap.Warnings = append(snap.Warnings, fmt.Sprintf("%s: %s appears twice; the first is kept", law.Title, a.Label()))
					continue
				}
				seen[id] = true
				snap.Articles = append(snap.Articles, artRec{ID: id, Law: li, Number: a.Number, Suffix: a.Suffix, Headings: a.Headings, Indexed: !law.Superseded && !pending[law]})
				snap.texts = append(snap.texts, a.Text())
			}
		}
	}
	pack, err := faq.Starter()
	if err != nil {
		return nil, fmt.Errorf("starter FAQ: %w", err)
	}
	for _, p := range src.faqFiles {
		entries, err := faq.LoadFile(p)
		if err != nil {
			return nil, err
		}
		if err := pack.Merge(entries); err != nil {
			return nil, err
		}
	}
	snap.FAQ = pack.Entries
	snap.Topics = pack.Topics
	res := newResolver(snap)
	for _, p := range src.examples {
		exs, err := ReadExamples(p)
		if err != nil {
			return nil, err
		}
		for _, ex := range exs {
			rec := exRec{ID: ex.ID, Query: ex.Query}
			for _, g := range ex.Gold {
				if ai, ok := res.article(g.Law, g.Article, g.Suffix); ok {
					rec.Targets = append(rec.Targets, ai)
				}
			}
			if len(rec.Targets) > 0 {
				snap.Examples = append(snap.Examples, rec)
			}
		}
	}
	return snap, ctx.Err()
}

// resolver finds articles by law name and number.
type resolver struct {
	snap   *snapshot
	byName map[string][]int32 // normalised title → law indexes, current first
	byArt  map[string]int32   // article ID → article index
}

func newResolver(s *snapshot) *resolver {
	r := &resolver{snap: s, byName: map[string][]int32{}, byArt: make(map[string]int32, len(s.Articles))}
	for i, l := range s.Laws {
		k := corpus.NormalizeTitle(l.Title)
		r.byName[k] = append(r.byName[k], int32(i))
	}
	for k, ls := range r.byName {
		sort.SliceStable(ls, func(i, j int) bool {
			a, b := s.Laws[ls[i]], s.Laws[ls[j]]
			// The text in force first, then texts not yet in force, then
			// superseded ones; newest first within each.
			if ra, rb := a.rank(), b.rank(); ra != rb {
				return ra < rb
			}
			return a.Version > b.Version
		})
		r.byName[k] = ls
	}
	for i, a := range s.Articles {
		r.byArt[a.ID] = int32(i)
	}
	return r
}

// law returns the current version of the named law.
func (r *resolver) law(name string) (int32, bool) {
	ls := r.byName[corpus.NormalizeTitle(name)]
	if len(ls) == 0 {
		return 0, false
	}
	return ls[0], true
}

// article finds an article of the current version of the named law.
func (r *resolver) article(name string, number int, suffix string) (int32, bool) {
	li, ok := r.law(name)
	if !ok {
		return 0, false
	}
	ai, ok := r.byArt[articleID(r.snap.Laws[li].ID, number, suffix)]
	return ai, ok
}

// indexDocs writes every searchable document into idx in batches.
func indexDocs(ctx context.Context, idx bleve.Index, w *buildWatch, s *snapshot, progress func(stage string, done, total int)) error {
	faqRefs := map[int32][]string{}
	res := newResolver(s)
	for _, e := range s.FAQ {
		for _, a := range e.Articles {
			if ai, ok := res.article(a.Law, a.Article, a.Suffix); ok {
				faqRefs[ai] = append(faqRefs[ai], e.Question)
				faqRefs[ai] = append(faqRefs[ai], e.Paraphrases...)
			}
		}
	}
	total := len(s.Articles) + len(s.Examples)
	progress("建立索引", 0, total)
	done := 0
	s.Fields = map[string]fieldStat{}
	count := func(field, text string) {
		if n := len(tokenize(text, nil)); n > 0 {
			st := s.Fields[field]
			st.Docs++
			st.Tokens += n
			s.Fields[field] = st
		}
	}
	countUni := func(field, text string) {
		if n := len(Unigrams(text)); n > 0 {
			st := s.Fields[field]
			st.Docs++
			st.Tokens += n
			s.Fields[field] = st
		}
	}
	batch := idx.NewBatch()
	flush := func(force bool) error {
		if batch.Size() == 0 || (!force && batch.Size() < 4000) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := idx.Batch(batch); err != nil {
			return err
		}
		batch.Reset()
		progress("建立索引", done, total)
		return nil
	}
	for i, a := range s.Articles {
		done++
		if !a.Indexed {
			continue
		}
		law := s.Laws[a.Law]
		doc := map[string]any{
			fieldKind:     "article",
			fieldLaw:      law.Title,
			fieldHeadings: strings.Join(a.Headings, " "),
			fieldText:     s.texts[i],
			fieldTextUni:  s.texts[i],
		}
		if refs := faqRefs[int32(i)]; len(refs) > 0 {
			doc[fieldFAQRef] = strings.Join(refs, "\n")
		}
		for _, f := range []string{fieldLaw, fieldHeadings, fieldText, fieldFAQRef} {
			if v, ok := doc[f].(string); ok {
				count(f, v)
			}
		}
		countUni(fieldTextUni, s.texts[i])
		if err := batch.Index(a.ID, doc); err != nil {
			return err
		}
		if err := flush(false); err != nil {
			return err
		}
	}
	for i, ex := range s.Examples {
		done++
		count(fieldExample, ex.Query)
		countUni(fieldExUni, ex.Query)
		if err := batch.Index("e"+strconv.Itoa(i), map[string]any{fieldKind: "example", fieldExample: ex.Query, fieldExUni: ex.Query}); err != nil {
			return err
		}
		if err := flush(false); err != nil {
			return err
		}
	}
	// The final batch (possibly empty of documents) is on disk once it,
	// and so every batch before it, is persisted.
	batch.SetInternal([]byte("pufabot_built"), []byte(time.Now().UTC().Format(time.RFC3339)))
	if err := persistBatch(ctx, idx, w, batch); err != nil {
		return err
	}
	progress("建立索引", total, total)
	return nil
}

// meta is written last into a finished index folder.
type meta struct {
	Fingerprint string    `json:"fingerprint"`
	Built       time.Time `json:"built"`
	Articles    int       `json:"articles"`
	Laws        int       `json:"laws"`
	Examples    int       `json:"examples"`
	FAQ         int       `json:"faq"`
	// Docs is the number of documents in the bleve index.
	Docs uint64 `json:"docs,omitempty"`
	// Files lists every other file of the finished index (see verify.go).
	Files map[string]fileSum `json:"files,omitempty"`
}

const (
	indexDirName = "index"
	bleveDirName = "bleve"
	snapshotName = "snapshot.gob"
	metaName     = "meta.json"
)

// buildIndex builds a complete index into a fresh folder next to final and
// swaps it in only when it is complete, so a crash, a full disk or a write
// error mid-build leaves the old index in service; the partial build is
// removed, now or by the next build.
func buildIndex(ctx context.Context, final string, src sources, fp string, progress func(stage string, done, total int), log *slog.Logger) error {
	parent := filepath.Dir(final)
	if err := os.MkdirAll(parent, 0o700); err != nil { // data_dir holds residents' data
		return err
	}
	removeStaleBuilds(parent, log)
	tmp, err := os.MkdirTemp(parent, buildPrefix)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	snap, err := buildSnapshot(ctx, src, progress)
	if err != nil {
		return err
	}
	snap.Fingerprint = fp
	if err := checkSpace(parent, expectedIndexBytes(snap)); err != nil {
		return err
	}
	bleveDir := filepath.Join(tmp, bleveDirName)
	w, stop := watchBuild(bleveDir)
	defer stop()
	idx, err := bleve.NewUsing(bleveDir, newMapping(), "scorch", "scorch", scorchConfig())
	if err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	buildHook("created", bleveDir)
	if err := indexDocs(ctx, idx, w, snap, progress); err != nil {
		idx.Close()
		return fmt.Errorf("index documents: %w", err)
	}
	buildHook("indexed", bleveDir)
	// One segment makes queries fastest; the index is read-only afterwards.
	if err := forceMergeWatched(ctx, idx, w); err != nil {
		idx.Close()
		return fmt.Errorf("merge index: %w", err)
	}
	// The merged segment is in use once the root that lists it is persisted.
	b := idx.NewBatch()
	b.SetInternal([]byte("pufabot_merged"), []byte("1"))
	if err := persistBatch(ctx, idx, w, b); err != nil {
		idx.Close()
		return fmt.Errorf("merge index: %w", err)
	}
	docs, err := idx.DocCount()
	if err == nil {
		err = recordDocMap(idx, snap)
	}
	if err != nil {
		idx.Close()
		return err
	}
	if err := idx.Close(); err != nil {
		return err
	}
	if err := writeTexts(filepath.Join(tmp, textsName), snap.texts); err != nil {
		return err
	}
	if err := writeGob(filepath.Join(tmp, snapshotName), snap); err != nil {
		return err
	}
	// Reopen what was written before it replaces anything: a write the
	// index library lost without an error shows here.
	if err := checkWritten(bleveDir, docs); err != nil {
		return err
	}
	files, err := sumFiles(tmp)
	if err != nil {
		return err
	}
	m := meta{Fingerprint: fp, Built: snap.Built, Articles: len(snap.Articles), Laws: len(snap.Laws), Examples: len(snap.Examples), FAQ: len(snap.FAQ), Docs: docs, Files: files}
	mb, _ := json.MarshalIndent(m, "", "  ")
	if err := writeFileSync(filepath.Join(tmp, metaName), mb); err != nil {
		return err
	}
	old := final + ".old"
	os.RemoveAll(old)
	if _, err := os.Stat(final); err == nil {
		if err := os.Rename(final, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	os.RemoveAll(old)
	return nil
}

// buildHook lets tests break a build at a stage: "created" (the bleve
// index exists, nothing is written yet) and "indexed" (every document is
// on disk, the merge is next).
var buildHook = func(stage, bleveDir string) {}

// persistBatch applies b and waits until it, and every batch before it, is
// on disk, or until the index reports a background error.
func persistBatch(ctx context.Context, idx bleve.Index, w *buildWatch, b *bleve.Batch) error {
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { persisted <- err })
	if err := idx.Batch(b); err != nil {
		return err
	}
	return w.wait(ctx, persisted)
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func writeGob(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(f).Encode(v); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readMeta(dir string) (meta, error) {
	var m meta
	b, err := os.ReadFile(filepath.Join(dir, metaName))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("index meta: %w", err)
	}
	return m, nil
}

func readSnapshot(dir string) (*snapshot, error) {
	f, err := os.Open(filepath.Join(dir, snapshotName))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var s snapshot
	if err := gob.NewDecoder(f).Decode(&s); err != nil {
		return nil, fmt.Errorf("index snapshot: %w", err)
	}
	if s.Version != snapshotVersion {
		return nil, errors.New("index snapshot: old layout")
	}
	return &s, nil
}
