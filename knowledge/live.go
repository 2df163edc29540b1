package knowledge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"

	"github.com/pufabot/pufabot/knowledge/faq"
)

// OpenFAQ returns an engine that answers from the FAQ alone (the embedded
// starter pack and o.FAQ), held in memory: it opens in a moment, so a
// server can answer the common questions while the index of the laws is
// built or rebuilt.
func OpenFAQ(ctx context.Context, o Options) (*Engine, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	snap, err := buildSnapshot(ctx, sources{faqFiles: o.FAQ}, func(string, int, int) {})
	if err != nil {
		return nil, fmt.Errorf("knowledge: FAQ: %w", err)
	}
	idx, err := bleve.NewMemOnly(newMapping())
	if err != nil {
		return nil, fmt.Errorf("knowledge: FAQ: %w", err)
	}
	e, err := newEngine(idx, snap, o.Logger)
	if err != nil {
		return nil, err
	}
	o.Embedded = false // no law texts here
	return o.finish(e), nil
}

// Live is an Engine that can be replaced while in use: a server answers
// from a FAQ-only engine while the index is rebuilt, then swaps the full
// one in. Its methods are the Engine's, on the engine current at the call.
type Live struct {
	cur atomic.Pointer[Engine]
}

// NewLive returns a Live answering from e.
func NewLive(e *Engine) *Live {
	l := &Live{}
	l.cur.Store(e)
	return l
}

// Engine returns the engine in use.
func (l *Live) Engine() *Engine { return l.cur.Load() }

// Swap puts e in use and returns the engine it replaces, which requests
// already under way may still be using: close it only when they are done.
func (l *Live) Swap(e *Engine) *Engine {
	if e == nil {
		panic(errors.New("knowledge: Live.Swap(nil)"))
	}
	return l.cur.Swap(e)
}

// Answer is Engine.Answer.
func (l *Live) Answer(ctx context.Context, question string) (*Answer, error) {
	return l.Engine().Answer(ctx, question)
}

// Search is Engine.Search.
func (l *Live) Search(ctx context.Context, q string, k, offset int) ([]Hit, error) {
	return l.Engine().Search(ctx, q, k, offset)
}

// Article is Engine.Article.
func (l *Live) Article(id string) (Hit, bool) { return l.Engine().Article(id) }

// LookupArticle is Engine.LookupArticle.
func (l *Live) LookupArticle(law string, number int, suffix string) (Hit, bool) {
	return l.Engine().LookupArticle(law, number, suffix)
}

// FAQEntry is Engine.FAQEntry.
func (l *Live) FAQEntry(id string) (*Answer, bool) { return l.Engine().FAQEntry(id) }

// FAQ is Engine.FAQ.
func (l *Live) FAQ() []faq.Entry { return l.Engine().FAQ() }

// Topics is Engine.Topics.
func (l *Live) Topics() []faq.Topic { return l.Engine().Topics() }

// Topic is Engine.Topic.
func (l *Live) Topic(id string) (faq.Topic, bool) { return l.Engine().Topic(id) }

// Stats is Engine.Stats.
func (l *Live) Stats() Stats { return l.Engine().Stats() }

// Laws is Engine.Laws.
func (l *Live) Laws() []LawInfo { return l.Engine().Laws() }

// HasCorpus is Engine.HasCorpus.
func (l *Live) HasCorpus() bool { return l.Engine().HasCorpus() }

// StaleFAQ is Engine.StaleFAQ.
func (l *Live) StaleFAQ() []faq.StaleRef { return l.Engine().StaleFAQ() }

// OpenPrevious opens the index under o.DataDir as it is, even when it was
// built from other inputs than o's, provided its files are sound: a server
// can answer from it while the index of the new inputs is built.
func OpenPrevious(o Options) (*Engine, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	dir := filepath.Join(o.DataDir, indexDirName)
	m, err := readMeta(dir)
	if err != nil {
		return nil, fmt.Errorf("knowledge: %w", err)
	}
	e, err := openChecked(dir, m, o.Logger)
	if err != nil {
		return nil, fmt.Errorf("knowledge: %w", err)
	}
	return o.finish(e), nil
}
