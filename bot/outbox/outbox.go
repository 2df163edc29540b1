// Package outbox is the one queue every outgoing Telegram request goes
// through, so the bot as a whole stays inside Telegram's limits: about 30
// messages a second per bot, one a second per chat, 20 a minute per group.
//
// A caller hands Do a chat id, a priority and a function that makes the
// request; Do blocks until the request has been made (with retries) or has
// failed for good. Answers to residents (Interactive) always go before
// queued campaign messages (Broadcast). Requests to one chat run one at a
// time in the order they were queued, so a multi-part answer arrives in
// order. A 429 pauses the whole queue for retry_after and lowers the rate
// for a while, because Telegram's flood control counts the bot, not the
// chat; a 403 means the recipient blocked the bot and is never retried.
//
// A message is never sent twice because an answer was odd: a request is
// retried (with exponential backoff) only when it provably never reached
// Telegram (connection refused, not written in full) or Telegram said to
// (429, 5xx). An "ok" answer whose result cannot be read counts as sent;
// a request written but left without an answer fails with ErrUncertain.
// The queue tells these apart through the HTTP client HTTPClient wraps.
package outbox

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/go-telegram/bot"

	"github.com/pufabot/pufabot/internal/metrics"
)

// Priority orders queued requests: lower values go first.
type Priority int

const (
	// Interactive is for answers to residents and staff replies: someone
	// is waiting.
	Interactive Priority = iota
	// Broadcast is for campaigns; it uses whatever capacity answers leave.
	Broadcast

	numPriorities = 2
)

// String returns "interactive" or "broadcast".
func (p Priority) String() string {
	switch p {
	case Interactive:
		return "interactive"
	case Broadcast:
		return "broadcast"
	}
	return fmt.Sprintf("Priority(%d)", int(p))
}

// ErrBlocked is returned (wrapped, with Telegram's description) when
// Telegram answers 403: the user blocked the bot, deleted their account,
// or removed the bot from the group. Such sends are never retried. Test
// with errors.Is.
var ErrBlocked = errors.New("outbox: recipient blocked the bot")

// ErrUncertain is returned (wrapped, with the cause) when a request was
// sent but no answer came back (a timeout, a dropped connection) or the
// answer was not one of Telegram's: Telegram may have delivered the
// message, so it is not sent again, to never deliver it twice. Test with
// errors.Is.
var ErrUncertain = errors.New("outbox: the request may have reached Telegram; not sent again")

// ErrClosed is returned by Do when the queue has been closed, or was closed
// while the request was waiting.
var ErrClosed = errors.New("outbox: closed")

// errRunning is returned by a second concurrent Run.
var errRunning = errors.New("outbox: Run called twice")

// Defaults for zero Options fields.
const (
	DefaultPerSecond       = 25
	DefaultPrivateInterval = time.Second
	DefaultGroupPerMinute  = 20
	DefaultMaxRetries      = 5
	DefaultConcurrency     = 8
)

const (
	// maxThrottles bounds how often one request may be answered 429 before
	// it fails, so a misbehaving server cannot hold a caller forever.
	maxThrottles = 10
	// minBackoff and maxBackoff bound the wait before retrying a network
	// or server error.
	minBackoff = 500 * time.Millisecond
	maxBackoff = 30 * time.Second
	// recoverySteps is how many successful sends it takes to climb from
	// zero back to the configured rate after a 429 halved it.
	recoverySteps = 100
	// minRate is the floor the rate never drops below, in sends a second.
	minRate = 1.0
)

// Options configures a Queue. Zero fields take the defaults above.
type Options struct {
	// PerSecond caps all requests (telegram.rate_per_second); Telegram
	// allows about 30.
	PerSecond float64
	// PrivateInterval is the least time between the end of one request
	// and the start of the next to the same chat (Telegram: about one
	// message a second per chat). It applies to group chats too.
	PrivateInterval time.Duration
	// GroupPerMinute caps requests per group chat (chat id < 0) in any
	// minute.
	GroupPerMinute int
	// MaxRetries is how many times a network or server error is retried;
	// negative means never.
	MaxRetries int
	// Concurrency is how many requests may be in flight at once, so a slow
	// round trip does not cap the rate.
	Concurrency int

	// Now returns the current time; tests pass a fake clock.
	Now func() time.Time
	// Sleep waits for d or until ctx is done; tests pass one that advances
	// a fake clock. All timed waits of the queue go through it.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnBlocked, if set, is called once for each request answered 403,
	// before Do returns. It must not call Close.
	OnBlocked func(chatID int64)
	// Metrics, if set, receives queue length, sends, retries, 429s,
	// blocks, failures and latencies.
	Metrics *metrics.Registry
	// Logger receives retries, flood waits and failures; nil discards.
	Logger *slog.Logger
}

// Stats counts what the queue has done since it was created.
type Stats struct {
	Sent      int // requests that succeeded
	Retried   int // attempts repeated after a network or server error
	Throttled int // 429 answers
	Blocked   int // 403 answers
	Failed    int // requests that failed for good (not counting blocked)
	Uncertain int // of those, requests that may have reached Telegram
	Cancelled int // requests whose caller gave up first
}

// Queue is the outgoing queue. Create it with New, start Run, and send
// with Do from any goroutine.
type Queue struct {
	o   Options
	log *slog.Logger
	m   instruments

	wake chan struct{} // signalled when there may be new work

	mu          sync.Mutex
	pending     [numPriorities]*list.List // of *job, oldest first; in-flight jobs stay in place
	chats       map[int64]*chat
	n           int           // jobs queued or in flight
	idle        chan struct{} // closed when n drops to 0; nil while n == 0
	inflight    int
	rate        float64   // current sends per second (≤ PerSecond)
	nextStart   time.Time // global spacing: earliest start of the next request
	pausedUntil time.Time // flood wait after a 429
	lastSweep   time.Time
	stats       Stats
	running     bool
	closed      bool
	stopRun     context.CancelFunc
	runDone     chan struct{}
}

// job is one request waiting in the queue.
type job struct {
	ctx      context.Context
	chatID   int64
	prio     Priority
	send     func(ctx context.Context) error
	done     chan error // buffered: the result is never blocked on
	elem     *list.Element
	queuedAt time.Time
	started  bool // has been attempted at least once
	inflight bool
	finished bool
	attempts int // failed attempts counted against MaxRetries
	throttle int // 429s received
}

// chat is the per-chat state: whether a request is in flight, and when the
// next may start.
type chat struct {
	busy    bool
	pending int       // jobs queued or in flight for this chat
	next    time.Time // earliest start of the next request
	recent  []time.Time
}

// New returns a queue; nothing is sent until Run is called.
func New(o Options) *Queue {
	if o.PerSecond <= 0 {
		o.PerSecond = DefaultPerSecond
	}
	if o.PrivateInterval <= 0 {
		o.PrivateInterval = DefaultPrivateInterval
	}
	if o.GroupPerMinute <= 0 {
		o.GroupPerMinute = DefaultGroupPerMinute
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	} else if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	q := &Queue{
		o:     o,
		log:   log.With(slog.String("component", "outbox")),
		m:     newInstruments(o.Metrics),
		wake:  make(chan struct{}, 1),
		chats: map[int64]*chat{},
		rate:  o.PerSecond,
	}
	for p := range q.pending {
		q.pending[p] = list.New()
	}
	q.m.rate.Set(q.rate)
	return q
}

// Do queues send for chatID and blocks until it has succeeded, failed for
// good, or ctx is done. send receives ctx and should make exactly one
// Telegram request; it may be called again after a 429, a network error or
// a server error. Errors: ErrBlocked (wrapped) after a 403; the request's
// own error after a 400 or once retries are exhausted; ctx.Err() if ctx
// ends first; ErrClosed if the queue is or gets closed.
//
// Requests to the same chat and priority run in the order Do was called;
// an Interactive request overtakes queued Broadcast ones, even to the same
// chat. Do may be called before Run starts: requests wait for it.
func (q *Queue) Do(ctx context.Context, chatID int64, p Priority, send func(ctx context.Context) error) error {
	if send == nil {
		return errors.New("outbox: nil send function")
	}
	if p < 0 || p >= numPriorities {
		return fmt.Errorf("outbox: unknown priority %d", int(p))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{ctx: ctx, chatID: chatID, prio: p, send: send, done: make(chan error, 1)}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	j.queuedAt = q.o.Now()
	q.enqueueLocked(j)
	q.mu.Unlock()
	q.signal()

	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
	}
	q.mu.Lock()
	if !j.finished && !j.inflight {
		q.stats.Cancelled++
		q.finishLocked(j, ctx.Err())
	}
	finished := j.finished
	q.mu.Unlock()
	if finished {
		// Finished just now, by us or by the dispatcher: report what
		// happened rather than guess.
		return <-j.done
	}
	// In flight: the send sees the same ctx and ends soon; its result is
	// dropped, and the chat stays busy until it returns.
	return ctx.Err()
}

// Len returns the number of requests queued or in flight.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// Stats returns counters of what the queue has done.
func (q *Queue) Stats() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.stats
}

// Drain blocks until no request is queued or in flight, or ctx is done. It
// needs Run to be running to make progress; serve calls it on shutdown,
// with a deadline, after the bot has stopped taking updates.
func (q *Queue) Drain(ctx context.Context) error {
	q.mu.Lock()
	idle := q.idle
	n := q.n
	q.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("outbox: drain: %d requests left: %w", n, ctx.Err())
	}
}

// Run dispatches requests until ctx is done or Close is called, then waits
// for the requests in flight to finish, fails the ones still queued with
// ErrClosed, and returns nil. The queue cannot be run again afterwards; a
// second Run (concurrent or later) returns an error at once.
func (q *Queue) Run(ctx context.Context) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	if q.running {
		q.mu.Unlock()
		return errRunning
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	q.running = true
	q.stopRun = cancel
	q.runDone = make(chan struct{})
	done := q.runDone
	q.mu.Unlock()
	defer close(done)

	q.log.Debug("outbox started", slog.Float64("per_second", q.o.PerSecond))
	var wg sync.WaitGroup
	for ctx.Err() == nil {
		j, wait := q.next()
		if j != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				q.attempt(j)
			}()
			continue
		}
		q.waitFor(ctx, wait)
	}
	wg.Wait()

	q.mu.Lock()
	q.closed = true
	q.running = false
	left := q.failQueuedLocked(ErrClosed)
	q.mu.Unlock()
	q.log.Debug("outbox stopped", slog.Int("dropped", left))
	return nil
}

// Close stops the queue: Do returns ErrClosed from now on, Run (if
// running) stops after the requests in flight, and queued requests fail
// with ErrClosed. It is safe to call more than once; it must not be called
// from a send function.
func (q *Queue) Close() error {
	q.mu.Lock()
	q.closed = true
	stop, done := q.stopRun, q.runDone
	q.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	q.mu.Lock()
	q.failQueuedLocked(ErrClosed)
	q.mu.Unlock()
	return nil
}

// signal wakes the dispatcher without blocking.
func (q *Queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// waitFor waits until the dispatcher is signalled, d has passed (d < 0:
// no time limit), or ctx is done.
func (q *Queue) waitFor(ctx context.Context, d time.Duration) {
	if d < 0 {
		select {
		case <-q.wake:
		case <-ctx.Done():
		}
		return
	}
	sctx, cancel := context.WithCancel(ctx)
	slept := make(chan struct{})
	go func() {
		defer close(slept)
		_ = q.o.Sleep(sctx, d)
	}()
	select {
	case <-slept:
	case <-q.wake:
	case <-ctx.Done():
	}
	cancel()
	<-slept
}

func (q *Queue) enqueueLocked(j *job) {
	c := q.chats[j.chatID]
	if c == nil {
		c = &chat{}
		q.chats[j.chatID] = c
	}
	c.pending++
	j.elem = q.pending[j.prio].PushBack(j)
	q.n++
	if q.n == 1 {
		q.idle = make(chan struct{})
	}
	q.m.queued.Set(float64(q.pending[j.prio].Len()), j.prio.String())
}

// finishLocked removes j from the queue and delivers its result.
func (q *Queue) finishLocked(j *job, err error) {
	if j.finished {
		return
	}
	j.finished = true
	q.pending[j.prio].Remove(j.elem)
	q.chats[j.chatID].pending--
	q.n--
	if q.n == 0 {
		close(q.idle)
		q.idle = nil
	}
	q.m.queued.Set(float64(q.pending[j.prio].Len()), j.prio.String())
	j.done <- err
}

// failQueuedLocked fails every job not in flight with err and returns how
// many there were.
func (q *Queue) failQueuedLocked(err error) int {
	n := 0
	for _, l := range q.pending {
		for e := l.Front(); e != nil; {
			j := e.Value.(*job)
			e = e.Next()
			if !j.inflight {
				q.finishLocked(j, err)
				n++
			}
		}
	}
	return n
}

// next picks the request to start now and marks it in flight. When none
// can start, it returns how long until one may (negative: nothing is
// waiting on time, only on a signal).
func (q *Queue) next() (*job, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.o.Now()
	q.sweepLocked(now)
	if q.inflight >= q.o.Concurrency {
		return nil, -1
	}
	gate := later(q.nextStart, q.pausedUntil)
	var wake time.Time
	// Scan oldest first, interactive before broadcast. The first job met
	// for a chat is that chat's head for this priority, and any later job
	// for the same chat fails the same busy/next test, so FIFO per chat
	// holds without extra bookkeeping.
	for p := range q.pending {
		for e := q.pending[p].Front(); e != nil; {
			j := e.Value.(*job)
			e = e.Next()
			if j.inflight {
				continue
			}
			if err := j.ctx.Err(); err != nil {
				q.stats.Cancelled++
				q.finishLocked(j, err)
				continue
			}
			c := q.chats[j.chatID]
			if c.busy {
				continue
			}
			if now.Before(c.next) {
				if wake.IsZero() || c.next.Before(wake) {
					wake = c.next
				}
				continue
			}
			if now.Before(gate) {
				return nil, gate.Sub(now)
			}
			j.inflight = true
			c.busy = true
			q.inflight++
			// Space starts from the previous slot, not from when the
			// dispatcher woke up, so timer lateness does not lower the
			// rate; an idle queue earns no credit for a burst.
			interval := time.Duration(float64(time.Second) / q.rate)
			base := q.nextStart
			if now.Sub(base) >= interval {
				base = now
			}
			q.nextStart = base.Add(interval)
			if !j.started {
				j.started = true
				q.m.wait.Observe(now.Sub(j.queuedAt).Seconds(), j.prio.String())
			}
			return j, 0
		}
	}
	if wake.IsZero() {
		return nil, -1
	}
	return nil, wake.Sub(now)
}

// sweepLocked forgets, at most once a minute, chats with nothing queued
// whose spacing no longer matters.
func (q *Queue) sweepLocked(now time.Time) {
	if now.Sub(q.lastSweep) < time.Minute {
		return
	}
	q.lastSweep = now
	for id, c := range q.chats {
		if c.pending > 0 || c.busy || now.Before(c.next) {
			continue
		}
		if n := len(c.recent); n > 0 && now.Sub(c.recent[n-1]) < time.Minute {
			continue
		}
		delete(q.chats, id)
	}
}

// outcome classifies the result of one attempt.
type outcome int

const (
	outcomeSent outcome = iota
	outcomeCancelled
	outcomeThrottled
	outcomeBlocked
	outcomePermanent
	outcomeTransient
	outcomeUncertain
)

func classify(ctx context.Context, err error, x *exchange) (outcome, time.Duration) {
	var tooMany *bot.TooManyRequestsError
	var migrate *bot.MigrateError
	var perm *permanentError
	v := x.verdict()
	switch {
	case err == nil:
		return outcomeSent, 0
	case v == verdictDone:
		// Telegram answered ok but the library could not read the result:
		// the message is out, and sending it again would duplicate it.
		return outcomeSent, 0
	case ctx.Err() != nil:
		return outcomeCancelled, 0
	case errors.As(err, &tooMany):
		return outcomeThrottled, max(time.Duration(tooMany.RetryAfter)*time.Second, time.Second)
	case errors.Is(err, bot.ErrorForbidden):
		return outcomeBlocked, 0
	case errors.Is(err, bot.ErrorBadRequest), errors.Is(err, bot.ErrorUnauthorized),
		errors.Is(err, bot.ErrorNotFound), errors.Is(err, bot.ErrorConflict),
		errors.As(err, &migrate), errors.As(err, &perm):
		return outcomePermanent, 0
	}
	switch v {
	case verdictNotSent, verdictRetry:
		return outcomeTransient, 0
	case verdictUncertain:
		return outcomeUncertain, 0
	case verdictRefused:
		return outcomePermanent, 0
	}
	// The send function did not go through HTTPClient: network errors,
	// 5xx answers (go-telegram/bot reports them untyped) and unreadable
	// bodies are worth another try.
	return outcomeTransient, 0
}

// attempt makes one request for j and decides what happens next.
func (q *Queue) attempt(j *job) {
	start := q.o.Now()
	x := &exchange{}
	err := call(withExchange(j.ctx, x), j)
	end := q.o.Now()
	q.m.send.Observe(end.Sub(start).Seconds())

	kind, retryAfter := classify(j.ctx, err, x)
	if kind == outcomeBlocked && q.o.OnBlocked != nil {
		// Before Do returns, so the caller sees its effect.
		q.o.OnBlocked(j.chatID)
	}
	log := q.log.With(slog.Int64("chat_id", j.chatID), slog.String("priority", j.prio.String()))

	q.mu.Lock()
	c := q.chats[j.chatID]
	c.busy = false
	j.inflight = false
	q.inflight--
	q.spaceLocked(c, j.chatID, end)
	switch kind {
	case outcomeSent:
		if err != nil {
			log.Warn("Telegram accepted the request but its answer could not be read; counted as sent, not sent again", slog.Any("error", err))
		}
		q.stats.Sent++
		q.m.sent.Inc(j.prio.String())
		q.setRateLocked(q.rate + q.o.PerSecond/recoverySteps)
		q.finishLocked(j, nil)
	case outcomeCancelled:
		q.stats.Cancelled++
		q.finishLocked(j, j.ctx.Err())
	case outcomeThrottled:
		q.stats.Throttled++
		q.m.throttled.Inc()
		j.throttle++
		q.pausedUntil = later(q.pausedUntil, end.Add(retryAfter))
		q.setRateLocked(q.rate / 2)
		log.Warn("telegram flood control: pausing", slog.Duration("retry_after", retryAfter), slog.Float64("rate_per_second", q.rate))
		if j.throttle >= maxThrottles {
			q.stats.Failed++
			q.m.failed.Inc()
			q.finishLocked(j, fmt.Errorf("outbox: still throttled after %d tries: %w", j.throttle, err))
		}
	case outcomeBlocked:
		q.stats.Blocked++
		q.m.blocked.Inc()
		log.Debug("recipient blocked the bot", slog.Any("error", err))
		q.finishLocked(j, fmt.Errorf("%w: %w", ErrBlocked, err))
	case outcomePermanent:
		q.stats.Failed++
		q.m.failed.Inc()
		log.Warn("send failed", slog.Any("error", err))
		q.finishLocked(j, err)
	case outcomeUncertain:
		q.stats.Failed++
		q.stats.Uncertain++
		q.m.failed.Inc()
		log.Warn("send may have reached Telegram; not sending it again", slog.Any("error", err))
		q.finishLocked(j, fmt.Errorf("%w: %w", ErrUncertain, err))
	case outcomeTransient:
		j.attempts++
		if j.attempts > q.o.MaxRetries {
			q.stats.Failed++
			q.m.failed.Inc()
			log.Warn("send failed, giving up", slog.Int("attempts", j.attempts), slog.Any("error", err))
			q.finishLocked(j, fmt.Errorf("outbox: giving up after %d attempts: %w", j.attempts, err))
			break
		}
		q.stats.Retried++
		q.m.retried.Inc()
		d := backoff(j.attempts)
		c.next = later(c.next, end.Add(d))
		log.Debug("send failed, will retry", slog.Int("attempt", j.attempts), slog.Duration("backoff", d), slog.Any("error", err))
	}
	q.mu.Unlock()
	q.signal()
}

// call runs the job's send function, turning a panic into an error so one
// bad request cannot take the process down.
func call(ctx context.Context, j *job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Permanent(fmt.Errorf("outbox: send panicked: %v", r))
		}
	}()
	return j.send(ctx)
}

// spaceLocked records a request to chat c that ended at end and sets when
// the next may start. Spacing runs from the end of a request, not its
// start, so Telegram sees the gap even when round trips vary.
func (q *Queue) spaceLocked(c *chat, chatID int64, end time.Time) {
	c.next = later(c.next, end.Add(q.o.PrivateInterval))
	if chatID >= 0 {
		return
	}
	c.recent = append(c.recent, end)
	if len(c.recent) > q.o.GroupPerMinute {
		c.recent = c.recent[len(c.recent)-q.o.GroupPerMinute:]
	}
	if len(c.recent) == q.o.GroupPerMinute {
		c.next = later(c.next, c.recent[0].Add(time.Minute))
	}
}

func (q *Queue) setRateLocked(r float64) {
	q.rate = min(max(r, minRate), q.o.PerSecond)
	q.m.rate.Set(q.rate)
}

// backoff returns the wait before retry number attempt (1-based):
// exponential from minBackoff, capped at maxBackoff, with jitter in the
// upper half so many failing sends do not retry in step.
func backoff(attempt int) time.Duration {
	d := maxBackoff
	if attempt < 16 {
		d = min(minBackoff<<(attempt-1), maxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Permanent marks err as not worth retrying, for send functions that fail
// before reaching Telegram (a message that cannot be built, say).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// instruments are the queue's metrics; all are nil (and no-ops) without a
// registry.
type instruments struct {
	queued    *metrics.Gauge
	rate      *metrics.Gauge
	sent      *metrics.Counter
	retried   *metrics.Counter
	throttled *metrics.Counter
	blocked   *metrics.Counter
	failed    *metrics.Counter
	wait      *metrics.Histogram
	send      *metrics.Histogram
}

func newInstruments(r *metrics.Registry) instruments {
	return instruments{
		queued:    r.Gauge("pufabot_outbox_queue_length", "Telegram requests queued or in flight.", "priority"),
		rate:      r.Gauge("pufabot_outbox_rate_per_second", "Current cap on Telegram requests a second (lowered after a 429)."),
		sent:      r.Counter("pufabot_outbox_sent_total", "Telegram requests that succeeded.", "priority"),
		retried:   r.Counter("pufabot_outbox_retries_total", "Telegram requests repeated after a network or server error."),
		throttled: r.Counter("pufabot_outbox_throttled_total", "429 Too Many Requests answers from Telegram."),
		blocked:   r.Counter("pufabot_outbox_blocked_total", "403 answers: the recipient blocked the bot."),
		failed:    r.Counter("pufabot_outbox_failed_total", "Telegram requests that failed for good."),
		wait:      r.Histogram("pufabot_outbox_wait_seconds", "Time from queueing to the first attempt.", []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900}, "priority"),
		send:      r.Histogram("pufabot_outbox_send_seconds", "Duration of one Telegram request.", nil),
	}
}
