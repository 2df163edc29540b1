package knowledge

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// bleve's scorch index persists and merges segments in background
// goroutines. When one of them fails (a full disk, a folder that went
// away), it reports the error to a callback registered by name and tries
// again, forever: a build that only waited for its last batch to be
// persisted, or for a forced merge to finish, would wait until killed. A
// build therefore names asyncErrorCallback in its index config and waits
// on its watch as well.
const asyncErrorCallback = "pufabot-build"

func init() {
	// The registry must be filled before any index is opened.
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = func(err error, path string) {
		buildWatches.report(path, err)
	}
}

var buildWatches = &watchSet{m: map[string]*buildWatch{}}

// watchSet maps index folders being built to their watches.
type watchSet struct {
	mu sync.Mutex
	m  map[string]*buildWatch
}

func (s *watchSet) report(path string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for dir, w := range s.m {
		if path == dir || strings.HasPrefix(path, dir+string(filepath.Separator)) {
			w.fail(err)
		}
	}
}

// buildWatch collects the first background error of one index being built.
type buildWatch struct {
	dir  string
	once sync.Once
	err  error
	done chan struct{} // closed when err is set
}

// watchBuild starts watching the index folder dir; stop ends it.
func watchBuild(dir string) (w *buildWatch, stop func()) {
	w = &buildWatch{dir: dir, done: make(chan struct{})}
	buildWatches.mu.Lock()
	buildWatches.m[dir] = w
	buildWatches.mu.Unlock()
	return w, func() {
		buildWatches.mu.Lock()
		delete(buildWatches.m, dir)
		buildWatches.mu.Unlock()
	}
}

func (w *buildWatch) fail(err error) {
	w.once.Do(func() {
		w.err = err
		close(w.done)
	})
}

// Failed is closed once the index reported a background error.
func (w *buildWatch) failed() <-chan struct{} { return w.done }

// wait waits for ch to deliver, for the index to fail, or for ctx.
func (w *buildWatch) wait(ctx context.Context, ch <-chan error) error {
	select {
	case err := <-ch:
		if err != nil {
			return err
		}
		// A background failure may have been reported just before.
		select {
		case <-w.done:
			return w.error()
		default:
		}
		return ctx.Err()
	case <-w.done:
		return w.error()
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *buildWatch) error() error {
	return fmt.Errorf("writing %s: %w", w.dir, w.err)
}

// scorchConfig is the config of an index being built: unsafe batches are
// not persisted one by one (much faster); the last batch carries a
// callback, and the build waits for it (and for background errors).
func scorchConfig() map[string]interface{} {
	return map[string]interface{}{"unsafe_batch": true, "asyncErrorCallbackName": asyncErrorCallback}
}

// mergeDoneKey is the context key through which scorch reports the outcome
// of a forced merge (its value must be a chan error); without it a failed
// merge is only reported as a background error and ForceMerge never
// returns.
const mergeDoneKey = "mergeDone"

// forceMergeWatched merges idx into one segment, returning the merge's
// error, a background error of the index, or ctx's error, whichever comes
// first. On error the caller closes idx, which ends a ForceMerge still
// waiting.
func forceMergeWatched(ctx context.Context, idx bleve.Index, w *buildWatch) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	mergeErr := make(chan error, 1)
	//lint:ignore SA1029 scorch looks this key up as a plain string
	mctx := context.WithValue(ctx, mergeDoneKey, mergeErr)
	returned := make(chan error, 1)
	go func() { returned <- sc.ForceMerge(mctx, nil) }()
	select {
	case err := <-mergeErr:
		if err != nil {
			return err
		}
		err = w.wait(ctx, returned)
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		return err
	case err := <-returned:
		// ForceMerge returns nil when the index closes or the merge is
		// cancelled: only a reported success counts.
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case err := <-mergeErr:
			return err
		default:
			return errors.New("merge ended without finishing")
		}
	case <-w.failed():
		return w.error()
	case <-ctx.Done():
		return ctx.Err()
	}
}
