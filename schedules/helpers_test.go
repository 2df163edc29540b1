package schedules

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pufabot/pufabot/store"
)

var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// sh is a wall time in Shanghai.
func sh(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, shanghai)
}

// fakeClock is a Clock that moves only when the test says so.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
	added   chan struct{} // signalled when After registers a waiter
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, added: make(chan struct{}, 1000)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{c.now.Add(d), ch})
	select {
	case c.added <- struct{}{}:
	default:
	}
	return ch
}

// Set moves the clock to t and fires the timers that are due.
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(t) {
			w.ch <- t
			continue
		}
		keep = append(keep, w)
	}
	c.waiters = keep
}

func (c *fakeClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// pending counts the goroutines waiting on the clock.
func (c *fakeClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

// waitForTimer blocks until some goroutine waits on the clock.
func (c *fakeClock) waitForTimer(t *testing.T) {
	t.Helper()
	select {
	case <-c.added:
	case <-time.After(10 * time.Second):
		t.Fatal("nobody waited on the clock")
	}
}

//lint:ignore ST1005 Telegram's own wording
var errBlocked = errors.New("Forbidden: bot was blocked by the user")

// fakeSender records what it sends; fail decides, per chat and attempt
// (1-based), whether to fail.
type fakeSender struct {
	mu       sync.Mutex
	got      map[int64]int
	attempts map[int64]int
	texts    []string
	fail     func(chatID int64, attempt int) error
	sent     chan int64 // optional: receives each successful chat id
}

func newFakeSender() *fakeSender {
	return &fakeSender{got: map[int64]int{}, attempts: map[int64]int{}}
}

func (f *fakeSender) SendCampaign(ctx context.Context, chatID int64, html string, buttons []Button) error {
	f.mu.Lock()
	f.attempts[chatID]++
	n := f.attempts[chatID]
	fail := f.fail
	f.mu.Unlock()
	if fail != nil {
		if err := fail(chatID, n); err != nil {
			return err
		}
	}
	f.mu.Lock()
	f.got[chatID]++
	f.texts = append(f.texts, html)
	f.mu.Unlock()
	if f.sent != nil {
		f.sent <- chatID
	}
	return nil
}

func (f *fakeSender) count(chatID int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got[chatID]
}

func (f *fakeSender) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.got {
		n += c
	}
	return n
}

// syncBuffer is a bytes.Buffer safe for concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func openDB(t *testing.T, path string) *store.DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "pufabot.db")
	}
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// seedSubscribers adds private chats first..last subscribed to every campaign.
func seedSubscribers(t testing.TB, db *store.DB, first, last int64) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		for id := first; id <= last; id++ {
			if _, err := tx.Exec(`INSERT INTO chats(chat_id, kind, created_at, updated_at) VALUES (?, 'private', 0, 0)`, id); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO subscriptions(chat_id, topic, created_at) VALUES (?, '*', 0)`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// newScheduler builds a scheduler over db with a fake clock and sender.
func newScheduler(t *testing.T, db *store.DB, clock *fakeClock, sender *fakeSender, campaigns []Campaign, tweak func(*Options)) (*Scheduler, *syncBuffer, *[]string) {
	t.Helper()
	logs := &syncBuffer{}
	var mu sync.Mutex
	notes := &[]string{}
	db.Now = clock.Now
	opt := Options{
		Campaigns: campaigns,
		Location:  shanghai,
		CatchUp:   6 * time.Hour,
		Clock:     clock,
		Sender:    sender,
		IsBlocked: func(err error) bool { return errors.Is(err, errBlocked) },
		Notify: func(ctx context.Context, html string) error {
			mu.Lock()
			defer mu.Unlock()
			*notes = append(*notes, html)
			return nil
		},
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		RetryBackoff: time.Minute,
	}
	if tweak != nil {
		tweak(&opt)
	}
	s, err := New(db, opt)
	if err != nil {
		t.Fatal(err)
	}
	return s, logs, notes
}

// lead gives s the sender lease, as Run or Drain would.
func lead(t *testing.T, s *Scheduler) {
	t.Helper()
	var w string
	if !s.heartbeat(context.Background(), OwnerServe, &w) {
		t.Fatal("could not take the sender lease")
	}
}

// deliverNow renews the lease at the clock's now, as the running loops do
// every poll, and makes one delivery pass.
func deliverNow(t *testing.T, s *Scheduler, ctx context.Context) (time.Time, error) {
	t.Helper()
	lead(t, s)
	return s.Deliver(ctx)
}

func occurrences(t *testing.T, db *store.DB) []store.OccurrenceProgress {
	t.Helper()
	ops, err := db.RecentOccurrences(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	// oldest first
	for i, j := 0, len(ops)-1; i < j; i, j = i+1, j-1 {
		ops[i], ops[j] = ops[j], ops[i]
	}
	return ops
}

func describe(ops []store.OccurrenceProgress) string {
	var b bytes.Buffer
	for _, op := range ops {
		fmt.Fprintf(&b, "#%d %s %s %s %s %+v\n", op.ID, op.CampaignID, op.Kind, op.ScheduledAt.In(shanghai).Format(time.DateTime), op.Status, op.Progress)
	}
	return b.String()
}
