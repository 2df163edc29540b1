package main

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"time"

	"github.com/pufabot/pufabot/knowledge"
)

// replacedEngineGrace is how long an engine swapped out stays open for the
// requests still using it.
const replacedEngineGrace = time.Minute

// openKnowledge opens the knowledge base for serve without making
// residents wait for an index build. When the index must be built (the
// first start, changed laws, a damaged index), serve answers meanwhile from
// the previous index if it is sound, else from the FAQ alone, builds in the
// background and swaps the full engine in when it is ready; /healthz says
// why until then, and if the build fails.
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
	reason := err.Error()
	// Windows cannot replace the folder of an index in use, so there the
	// build never runs beside the previous index.
	var interim *knowledge.Engine
	if runtime.GOOS != "windows" {
		if prev, err := knowledge.OpenPrevious(o); err == nil {
			interim = prev
		}
	}
	serving := "the previous index"
	if interim == nil {
		serving = "the FAQ only"
		faqOnly, err := knowledge.OpenFAQ(ctx, o)
		if err != nil {
			return nil, err
		}
		interim = faqOnly
	}
	live := knowledge.NewLive(interim)
	s.setDegraded("building the search index, answering from " + serving + " meanwhile (" + reason + ")")
	s.log.Warn("answering from "+serving+" while the index is built", slog.Any("reason", err))
	build := s.buildIndex
	if build == nil {
		build = knowledge.Open
	}
	buildCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	var closeInterim *time.Timer
	go func() {
		defer close(done)
		start := time.Now()
		full, err := build(buildCtx, o)
		if err != nil {
			if buildCtx.Err() == nil {
				s.log.Error("index build failed: answering from "+serving, slog.Any("error", err))
				s.setDegraded("the search index could not be built, answering from " + serving + " (" + err.Error() + ")")
			}
			return
		}
		live.Swap(full)
		s.setDegraded("")
		s.log.Info("index ready: answering from the laws", slog.Duration("took", time.Since(start)))
		closeInterim = time.AfterFunc(replacedEngineGrace, func() { closeLogged(s.log, "knowledge", interim.Close) })
	}()
	*cleanups = append(*cleanups, func() {
		cancel()
		<-done
		if closeInterim != nil {
			closeInterim.Stop()
		}
		if e := live.Engine(); e != interim {
			closeLogged(s.log, "knowledge", e.Close)
		}
		closeLogged(s.log, "knowledge", interim.Close) // safe if already closed
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
