package outbox

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/pufabot/pufabot/internal/metrics"
)

// fakeClock is a clock whose Sleep returns at once after moving time
// forward, so the queue's waits cost no wall time.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 15, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return nil
}

// newQueue returns a queue on a fake clock, running until the test ends.
func newQueue(t *testing.T, o Options) (*Queue, *fakeClock) {
	t.Helper()
	clk := newFakeClock()
	if o.Now == nil {
		o.Now = clk.Now
		o.Sleep = clk.Sleep
	}
	q := New(o)
	startQueue(t, q)
	return q, clk
}

func startQueue(t *testing.T, q *Queue) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- q.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// waitUntil yields until cond holds; it fails the test after a generous
// deadline instead of hanging.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// goDo runs Do in a goroutine and returns a channel with its result.
func goDo(q *Queue, ctx context.Context, chatID int64, p Priority, send func(context.Context) error) <-chan error {
	c := make(chan error, 1)
	go func() { c <- q.Do(ctx, chatID, p, send) }()
	return c
}

// recorder records the order of sends.
type recorder struct {
	mu    sync.Mutex
	order []string
	at    []time.Time
	now   func() time.Time
}

func (r *recorder) send(label string) func(context.Context) error {
	return func(context.Context) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.order = append(r.order, label)
		if r.now != nil {
			r.at = append(r.at, r.now())
		}
		return nil
	}
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.order...)
}

func TestInteractiveOvertakesBroadcastBacklog(t *testing.T) {
	clk := newFakeClock()
	q := New(Options{Concurrency: 1, Now: clk.Now, Sleep: clk.Sleep})
	rec := &recorder{}
	ctx := context.Background()

	// A campaign of 20 messages is queued, then a resident asks.
	var results []<-chan error
	for i := range 20 {
		results = append(results, goDo(q, ctx, int64(1000+i), Broadcast, rec.send(fmt.Sprintf("b%d", i))))
		waitUntil(t, "broadcast queued", func() bool { return q.Len() == i+1 })
	}
	results = append(results, goDo(q, ctx, 42, Interactive, rec.send("answer")))
	waitUntil(t, "answer queued", func() bool { return q.Len() == 21 })

	startQueue(t, q)
	for _, c := range results {
		if err := <-c; err != nil {
			t.Fatal(err)
		}
	}
	got := rec.got()
	if got[0] != "answer" {
		t.Fatalf("first send = %q, want the interactive answer; order %v", got[0], got)
	}
	for i, label := range got[1:] {
		if want := fmt.Sprintf("b%d", i); label != want {
			t.Fatalf("broadcast order: got %v", got)
		}
	}
}

func TestInteractiveGoesNextWhileBroadcastInFlight(t *testing.T) {
	q, _ := newQueue(t, Options{Concurrency: 1})
	rec := &recorder{}
	ctx := context.Background()
	started, release := make(chan struct{}), make(chan struct{})
	first := goDo(q, ctx, 1, Broadcast, func(context.Context) error {
		close(started)
		<-release
		return rec.send("b0")(ctx)
	})
	<-started
	var rest []<-chan error
	for i := 1; i <= 5; i++ {
		rest = append(rest, goDo(q, ctx, int64(1+i), Broadcast, rec.send(fmt.Sprintf("b%d", i))))
		waitUntil(t, "broadcast queued", func() bool { return q.Len() == 1+i })
	}
	rest = append(rest, goDo(q, ctx, 99, Interactive, rec.send("answer")))
	waitUntil(t, "answer queued", func() bool { return q.Len() == 7 })
	close(release)
	for _, c := range append(rest, first) {
		if err := <-c; err != nil {
			t.Fatal(err)
		}
	}
	if got := rec.got(); got[0] != "b0" || got[1] != "answer" {
		t.Fatalf("order %v: want the in-flight broadcast, then the answer", got)
	}
}

func TestPerChatFIFOAndSpacing(t *testing.T) {
	clk := newFakeClock()
	q := New(Options{Concurrency: 4, Now: clk.Now, Sleep: clk.Sleep})
	const private, group = int64(7), int64(-100500)
	type sent struct {
		seq int
		at  time.Time
	}
	var mu sync.Mutex
	log := map[int64][]sent{}
	var inflight [2]atomic.Int32
	send := func(chatID int64, slot, seq int) func(context.Context) error {
		return func(context.Context) error {
			if inflight[slot].Add(1) != 1 {
				t.Errorf("chat %d: two requests in flight", chatID)
			}
			defer inflight[slot].Add(-1)
			runtime.Gosched()
			mu.Lock()
			log[chatID] = append(log[chatID], sent{seq, clk.Now()})
			mu.Unlock()
			return nil
		}
	}
	ctx := context.Background()
	var results []<-chan error
	const perChat = 25
	for i := range perChat {
		results = append(results, goDo(q, ctx, private, Interactive, send(private, 0, i)))
		waitUntil(t, "queued", func() bool { return q.Len() == 2*i+1 })
		results = append(results, goDo(q, ctx, group, Interactive, send(group, 1, i)))
		waitUntil(t, "queued", func() bool { return q.Len() == 2*i+2 })
	}
	startQueue(t, q)
	for _, c := range results {
		if err := <-c; err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{private, group} {
		for i, s := range log[id] {
			if s.seq != i {
				t.Fatalf("chat %d: send %d has sequence %d", id, i, s.seq)
			}
			if i > 0 && s.at.Sub(log[id][i-1].at) < time.Second {
				t.Errorf("chat %d: sends %d and %d only %v apart", id, i-1, i, s.at.Sub(log[id][i-1].at))
			}
		}
	}
	// Group: never more than 20 in any minute.
	g := log[group]
	for i := 20; i < len(g); i++ {
		if g[i].at.Sub(g[i-20].at) < time.Minute {
			t.Errorf("group: sends %d and %d are %v apart, want ≥ 1m", i-20, i, g[i].at.Sub(g[i-20].at))
		}
	}
}

func TestGlobalRate(t *testing.T) {
	// One at a time, so the clock stands still while a request is in
	// flight and each recorded time is the request's start.
	q, clk := newQueue(t, Options{PerSecond: 25, Concurrency: 1})
	rec := &recorder{now: clk.Now}
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := q.Do(context.Background(), int64(i+1), Broadcast, rec.send("x")); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for i := 1; i < len(rec.at); i++ {
		if gap := rec.at[i].Sub(rec.at[i-1]); gap < 40*time.Millisecond {
			t.Fatalf("sends %d and %d started %v apart, want ≥ 40ms at 25/s", i-1, i, gap)
		}
	}
}

func TestTooManyRequestsHonoured(t *testing.T) {
	q, clk := newQueue(t, Options{})
	var calls []time.Time
	send := func(context.Context) error {
		calls = append(calls, clk.Now())
		if len(calls) == 1 {
			return &bot.TooManyRequestsError{Message: "too many requests, Too Many Requests: retry after 7", RetryAfter: 7}
		}
		return nil
	}
	if err := q.Do(context.Background(), 5, Interactive, send); err != nil {
		t.Fatalf("Do: %v", err)
	}
	if len(calls) != 2 {
		t.Fatalf("send called %d times, want 2", len(calls))
	}
	if gap := calls[1].Sub(calls[0]); gap < 7*time.Second {
		t.Fatalf("retried after %v, want ≥ retry_after 7s", gap)
	}
	if err := q.Do(context.Background(), 6, Interactive, func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if s := q.Stats(); s.Throttled != 1 || s.Sent != 2 || s.Failed != 0 {
		t.Fatalf("stats %+v", s)
	}
	q.mu.Lock()
	rate := q.rate
	q.mu.Unlock()
	if rate >= DefaultPerSecond {
		t.Fatalf("rate %v: want it lowered after a 429", rate)
	}
}

func TestTooManyRequestsPausesWholeQueue(t *testing.T) {
	q, clk := newQueue(t, Options{Concurrency: 1})
	var mu sync.Mutex
	var throttledAt, otherAt time.Time
	release := make(chan struct{})
	first := goDo(q, context.Background(), 1, Broadcast, func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if throttledAt.IsZero() {
			<-release
			throttledAt = clk.Now()
			return &bot.TooManyRequestsError{Message: "too many requests", RetryAfter: 30}
		}
		return nil
	})
	waitUntil(t, "first in flight", func() bool { return q.Len() == 1 })
	second := goDo(q, context.Background(), 2, Broadcast, func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		otherAt = clk.Now()
		return nil
	})
	waitUntil(t, "second queued", func() bool { return q.Len() == 2 })
	close(release)
	for _, c := range []<-chan error{first, second} {
		if err := <-c; err != nil {
			t.Fatal(err)
		}
	}
	if gap := otherAt.Sub(throttledAt); gap < 30*time.Second {
		t.Fatalf("another chat was sent to %v after the 429, want ≥ 30s", gap)
	}
}

func TestForbiddenIsBlocked(t *testing.T) {
	var blocked []int64
	var mu sync.Mutex
	q, _ := newQueue(t, Options{OnBlocked: func(id int64) {
		mu.Lock()
		blocked = append(blocked, id)
		mu.Unlock()
	}})
	calls := 0
	err := q.Do(context.Background(), 77, Broadcast, func(context.Context) error {
		calls++
		return fmt.Errorf("%w, %s", bot.ErrorForbidden, "Forbidden: bot was blocked by the user")
	})
	if !errors.Is(err, ErrBlocked) || !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("err = %v, want ErrBlocked wrapping bot.ErrorForbidden", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 || len(blocked) != 1 || blocked[0] != 77 {
		t.Fatalf("calls %d, OnBlocked %v: want one call and OnBlocked(77) once", calls, blocked)
	}
	if s := q.Stats(); s.Blocked != 1 || s.Failed != 0 || s.Retried != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestErrorClassification(t *testing.T) {
	netErr := &url.Error{Op: "Post", URL: "https://api.telegram.org/bot***/sendMessage", Err: errors.New("connection reset by peer")}
	tests := []struct {
		name      string
		errs      []error // returned by successive calls; then nil
		maxRetry  int
		wantCalls int
		wantFail  bool
		wantErrIs error // checked with errors.Is when set
		wantStats Stats
	}{
		{
			name:      "network error retried then success",
			errs:      []error{fmt.Errorf("error do request for method sendMessage, %w", netErr), netErr},
			wantCalls: 3,
			wantStats: Stats{Sent: 1, Retried: 2},
		},
		{
			name:      "5xx retried then success",
			errs:      []error{errors.New("error response from telegram for method sendMessage, 502 Bad Gateway")},
			wantCalls: 2,
			wantStats: Stats{Sent: 1, Retried: 1},
		},
		{
			name:      "400 not retried",
			errs:      []error{fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: chat not found")},
			wantCalls: 1,
			wantFail:  true,
			wantErrIs: bot.ErrorBadRequest,
			wantStats: Stats{Failed: 1},
		},
		{
			name:      "401 not retried",
			errs:      []error{fmt.Errorf("%w, %s", bot.ErrorUnauthorized, "Unauthorized")},
			wantCalls: 1,
			wantFail:  true,
			wantErrIs: bot.ErrorUnauthorized,
			wantStats: Stats{Failed: 1},
		},
		{
			name:      "permanent marker not retried",
			errs:      []error{Permanent(errors.New("cannot build keyboard"))},
			wantCalls: 1,
			wantFail:  true,
			wantStats: Stats{Failed: 1},
		},
		{
			name:      "retries exhausted",
			errs:      []error{netErr, netErr, netErr, netErr},
			maxRetry:  2,
			wantCalls: 3,
			wantFail:  true,
			wantErrIs: netErr,
			wantStats: Stats{Retried: 2, Failed: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, clk := newQueue(t, Options{MaxRetries: tt.maxRetry})
			var at []time.Time
			err := q.Do(context.Background(), 3, Interactive, func(context.Context) error {
				at = append(at, clk.Now())
				if len(at) <= len(tt.errs) {
					return tt.errs[len(at)-1]
				}
				return nil
			})
			switch {
			case !tt.wantFail && err != nil:
				t.Fatalf("err = %v, want success", err)
			case tt.wantFail && err == nil:
				t.Fatal("err = nil, want a failure")
			case tt.wantErrIs != nil && !errors.Is(err, tt.wantErrIs):
				t.Fatalf("err = %v, want %v", err, tt.wantErrIs)
			}
			if len(at) != tt.wantCalls {
				t.Fatalf("send called %d times, want %d", len(at), tt.wantCalls)
			}
			for i := 1; i < len(at); i++ {
				if gap := at[i].Sub(at[i-1]); gap < minBackoff/2 {
					t.Errorf("retry %d after %v, want ≥ %v", i, gap, minBackoff/2)
				}
			}
			if s := q.Stats(); s != tt.wantStats {
				t.Fatalf("stats %+v, want %+v", s, tt.wantStats)
			}
		})
	}
}

func TestBackoffGrows(t *testing.T) {
	for attempt := 1; attempt <= 20; attempt++ {
		full := min(minBackoff<<min(attempt-1, 15), maxBackoff)
		for range 50 {
			d := backoff(attempt)
			if d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, full/2, full)
			}
		}
	}
}

func TestCallerCancel(t *testing.T) {
	// Not running: the request waits in the queue until its caller gives up.
	q := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	res := goDo(q, ctx, 1, Interactive, func(context.Context) error {
		t.Error("send called for a cancelled request")
		return nil
	})
	waitUntil(t, "queued", func() bool { return q.Len() == 1 })
	cancel()
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if q.Len() != 0 || q.Stats().Cancelled != 1 {
		t.Fatalf("len %d, stats %+v", q.Len(), q.Stats())
	}
	if err := q.Do(ctx, 1, Interactive, func(context.Context) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Do with a done context: %v", err)
	}
}

func TestCallerCancelInFlight(t *testing.T) {
	q, _ := newQueue(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	res := goDo(q, ctx, 1, Interactive, func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return fmt.Errorf("error do request for method sendMessage, %w", ctx.Err())
	})
	<-started
	cancel()
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	waitUntil(t, "in-flight request finished", func() bool { return q.Len() == 0 })
	if s := q.Stats(); s.Retried != 0 || s.Failed != 0 {
		t.Fatalf("stats %+v: a cancelled request is neither retried nor failed", s)
	}
}

func TestRunStopFinishesInFlightAndFailsQueued(t *testing.T) {
	q := New(Options{Concurrency: 1})
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- q.Run(ctx) }()

	started, release := make(chan struct{}), make(chan struct{})
	inflight := goDo(q, context.Background(), 1, Interactive, func(context.Context) error {
		close(started)
		<-release
		return nil
	})
	<-started
	queued := goDo(q, context.Background(), 2, Interactive, func(context.Context) error {
		t.Error("queued request sent after stop")
		return nil
	})
	waitUntil(t, "second queued", func() bool { return q.Len() == 2 })
	cancel()
	select {
	case err := <-runErr:
		t.Fatalf("Run returned %v with a request still in flight", err)
	default:
	}
	close(release)
	if err := <-runErr; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := <-inflight; err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	if err := <-queued; !errors.Is(err, ErrClosed) {
		t.Fatalf("queued request: %v, want ErrClosed", err)
	}
	if err := q.Do(context.Background(), 3, Interactive, func(context.Context) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Do after stop: %v, want ErrClosed", err)
	}
}

func TestCloseAndRunTwice(t *testing.T) {
	t.Run("close before run", func(t *testing.T) {
		q := New(Options{})
		res := goDo(q, context.Background(), 1, Broadcast, func(context.Context) error { return nil })
		waitUntil(t, "queued", func() bool { return q.Len() == 1 })
		if err := q.Close(); err != nil {
			t.Fatal(err)
		}
		if err := q.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-res; !errors.Is(err, ErrClosed) {
			t.Fatalf("queued request: %v, want ErrClosed", err)
		}
		if err := q.Run(context.Background()); !errors.Is(err, ErrClosed) {
			t.Fatalf("Run after Close: %v, want ErrClosed", err)
		}
	})
	t.Run("run twice", func(t *testing.T) {
		q := New(Options{})
		runErr := make(chan error, 1)
		go func() { runErr <- q.Run(context.Background()) }()
		if err := q.Do(context.Background(), 1, Interactive, func(context.Context) error { return nil }); err != nil {
			t.Fatal(err) // Run is dispatching
		}
		if err := q.Run(context.Background()); err == nil {
			t.Fatal("second Run returned nil")
		}
		if err := q.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-runErr; err != nil {
			t.Fatalf("Run: %v", err)
		}
		if err := q.Close(); err != nil {
			t.Fatal(err)
		}
		if err := q.Run(context.Background()); !errors.Is(err, ErrClosed) {
			t.Fatalf("Run after stop: %v, want ErrClosed", err)
		}
	})
}

func TestDrain(t *testing.T) {
	q, _ := newQueue(t, Options{})
	if err := q.Drain(context.Background()); err != nil {
		t.Fatalf("Drain on an empty queue: %v", err)
	}
	release := make(chan struct{})
	res := goDo(q, context.Background(), 1, Interactive, func(context.Context) error {
		<-release
		return nil
	})
	waitUntil(t, "queued", func() bool { return q.Len() == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := q.Drain(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Drain with a done context: %v", err)
	}
	close(release)
	if err := q.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-res; err != nil {
		t.Fatal(err)
	}
}

func TestBadArguments(t *testing.T) {
	q := New(Options{})
	if err := q.Do(context.Background(), 1, Priority(7), func(context.Context) error { return nil }); err == nil {
		t.Error("unknown priority accepted")
	}
	if err := q.Do(context.Background(), 1, Interactive, nil); err == nil {
		t.Error("nil send accepted")
	}
}

func TestPanickingSendFails(t *testing.T) {
	q, _ := newQueue(t, Options{})
	err := q.Do(context.Background(), 1, Interactive, func(context.Context) error { panic("boom") })
	if err == nil {
		t.Fatal("want an error from a panicking send")
	}
	if s := q.Stats(); s.Failed != 1 || s.Retried != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestMetrics(t *testing.T) {
	reg := metrics.NewRegistry()
	q, _ := newQueue(t, Options{Metrics: reg})
	n := 0
	_ = q.Do(context.Background(), 1, Interactive, func(context.Context) error {
		n++
		if n == 1 {
			return &bot.TooManyRequestsError{RetryAfter: 1}
		}
		return nil
	})
	_ = q.Do(context.Background(), 2, Broadcast, func(context.Context) error {
		return fmt.Errorf("%w, Forbidden: bot was blocked by the user", bot.ErrorForbidden)
	})
	if got := reg.Counter("pufabot_outbox_sent_total", "", "priority").Value("interactive"); got != 1 {
		t.Errorf("sent{interactive} = %v", got)
	}
	if got := reg.Counter("pufabot_outbox_throttled_total", "").Value(); got != 1 {
		t.Errorf("throttled = %v", got)
	}
	if got := reg.Counter("pufabot_outbox_blocked_total", "").Value(); got != 1 {
		t.Errorf("blocked = %v", got)
	}
	if got := reg.Gauge("pufabot_outbox_queue_length", "", "priority").Value("broadcast"); got != 0 {
		t.Errorf("queue length = %v", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	q, _ := newQueue(t, Options{Concurrency: 6, Metrics: metrics.NewRegistry()})
	var sent, ok atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 60 {
				chat := r.Int64N(20) - 5 // private and group chats
				p := Priority(r.IntN(2))
				ctx, cancel := context.WithCancel(context.Background())
				if r.IntN(10) == 0 {
					cancel() // some callers give up at once
				}
				err := q.Do(ctx, chat, p, func(context.Context) error {
					if r := rand.IntN(8); r == 0 {
						return errors.New("flaky network")
					}
					sent.Add(1)
					return nil
				})
				cancel()
				switch {
				case err == nil:
					ok.Add(1)
				case !errors.Is(err, context.Canceled):
					t.Error(err)
				}
				_ = q.Len()
				_ = q.Stats()
			}
		}()
	}
	wg.Wait()
	s := q.Stats()
	if int64(s.Sent) != sent.Load() || int64(s.Sent) != ok.Load() || s.Failed != 0 {
		t.Fatalf("stats %+v, sends %d, successful Do calls %d", s, sent.Load(), ok.Load())
	}
	if q.Len() != 0 {
		t.Fatalf("len %d after all calls returned", q.Len())
	}
}
