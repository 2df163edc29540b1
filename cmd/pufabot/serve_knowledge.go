package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/pufabot/pufabot/knowledge"
)

// openKnowledge opens the knowledge base for serve without making
// residents wait for an index build. When the index must be built (the
// first start, changed laws, a damaged index), serve answers from the FAQ
// alone meanwhile, builds in the background and swaps the full engine in
// when it is ready; /healthz says why until then, and if the build fails.
func (s *server) openKnowledge(ctx context.Context, cleanups *[]func()) (*knowledge.Live, error) {
	o := engineOptions(s.cfg, s.progress, s.log, false)
	e, err := knowledge.OpenExisting(o)
	if err == nil {
		*cleanups = append(*cleanups, func() { closeLogged(s.log, "knowledge", e.Close) })
		return knowledge.NewLive(e), nil
	}
	if !errors.Is(err, knowledge.ErrNeedsBuild) {
		return nil, err
	}
	faqOnly, ferr := knowledge.OpenFAQ(ctx, o)
	if ferr != nil {
		return nil, ferr
	}
	live := knowledge.NewLive(faqOnly)
	s.setDegraded("building the search index, answering from the FAQ only meanwhile (" + err.Error() + ")")
	s.log.Warn("answering from the FAQ only while the index is built", slog.Any("reason", err))
	build := s.buildIndex
	if build == nil {
		build = knowledge.Open
	}
	buildCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		start := time.Now()
		full, err := build(buildCtx, o)
		if err != nil {
			if buildCtx.Err() == nil {
				s.log.Error("index build failed: answering from the FAQ only", slog.Any("error", err))
				s.setDegraded("the search index could not be built, answering from the FAQ only (" + err.Error() + ")")
			}
			return
		}
		live.Swap(full)
		s.setDegraded("")
		s.log.Info("index ready: answering from the laws", slog.Duration("took", time.Since(start)))
	}()
	*cleanups = append(*cleanups, func() {
		cancel()
		<-done
		if e := live.Engine(); e != faqOnly {
			closeLogged(s.log, "knowledge", e.Close)
		}
		closeLogged(s.log, "knowledge", faqOnly.Close)
	})
	return live, nil
}

// setDegraded records why serve answers less than it should ("" once it
// answers fully); /healthz reports it.
func (s *server) setDegraded(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.degraded = reason
}
