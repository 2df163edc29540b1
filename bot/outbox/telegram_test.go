package outbox_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/pufabot/pufabot/bot/outbox"
	"github.com/pufabot/pufabot/internal/telegramtest"
)

// telegramLimits are Telegram's documented limits.
var telegramLimits = telegramtest.Limits{PerSecond: 30, PerChatPerSecond: 1, PerGroupPerMinute: 20}

// newBot returns a go-telegram/bot client for srv with enough idle
// connections for the queue's concurrency.
func newBot(tb testing.TB, srv *telegramtest.Server) *bot.Bot {
	tb.Helper()
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 2 * outbox.DefaultConcurrency},
	}
	b, err := bot.New(srv.Token(),
		bot.WithServerURL(srv.URL()),
		bot.WithSkipGetMe(),
		bot.WithHTTPClient(time.Minute, outbox.HTTPClient(client)),
		bot.WithErrorsHandler(func(error) {}),
	)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(client.CloseIdleConnections)
	return b
}

func runQueue(tb testing.TB, q *outbox.Queue) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("Run: %v", err)
		}
	})
}

func sendText(b *bot.Bot, chatID int64, text string) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chatID, Text: text})
		return err
	}
}

// TestStaysWithinTelegramLimits sends a small campaign, a multi-part
// answer and group messages through the queue at 25/s to a server
// enforcing Telegram's limits, and expects no 429 at all.
func TestStaysWithinTelegramLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("sends for about three seconds")
	}
	srv := telegramtest.New(t)
	srv.Enforce(telegramLimits)
	b := newBot(t, srv)
	q := outbox.New(outbox.Options{PerSecond: 25})
	runQueue(t, q)

	ctx := context.Background()
	var wg sync.WaitGroup
	do := func(chatID int64, p outbox.Priority, text string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := q.Do(ctx, chatID, p, sendText(b, chatID, text)); err != nil {
				t.Errorf("chat %d: %v", chatID, err)
			}
		}()
	}
	for i := range 60 {
		do(int64(1000+i), outbox.Broadcast, "3·15 消费者权益日：遇到消费纠纷可拨打12315。")
	}
	for i := range 3 {
		// Parts of one answer, in order, while the campaign runs.
		if err := q.Do(ctx, 42, outbox.Interactive, sendText(b, 42, fmt.Sprintf("第%d部分", i+1))); err != nil {
			t.Fatal(err)
		}
		do(-100, outbox.Interactive, "群里的回答")
	}
	wg.Wait()

	if s := srv.Stats(); s.TooManyRequests != 0 || s.Errors != 0 {
		t.Fatalf("server stats %+v: want no 429 and no errors", s)
	}
	if s := q.Stats(); s.Sent != 66 || s.Throttled != 0 {
		t.Fatalf("queue stats %+v", s)
	}
	if got := srv.Sent(42); !slices.Equal(got, []string{"第1部分", "第2部分", "第3部分"}) {
		t.Fatalf("answer parts arrived as %q", got)
	}
}

func TestTelegramErrors(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	var blocked []int64
	var mu sync.Mutex
	// The queue waits (retry_after, backoff) on a clock that jumps ahead.
	clk := &jumpClock{now: time.Now()}
	q := outbox.New(outbox.Options{Now: clk.Now, Sleep: clk.Sleep, OnBlocked: func(id int64) {
		mu.Lock()
		blocked = append(blocked, id)
		mu.Unlock()
	}})
	runQueue(t, q)
	ctx := context.Background()

	srv.Block(7)
	err := q.Do(ctx, 7, outbox.Broadcast, sendText(b, 7, "通知"))
	if !errors.Is(err, outbox.ErrBlocked) {
		t.Fatalf("blocked user: %v, want ErrBlocked", err)
	}
	mu.Lock()
	if !slices.Equal(blocked, []int64{7}) {
		t.Errorf("OnBlocked calls %v, want [7]", blocked)
	}
	mu.Unlock()

	srv.FailNext("sendMessage", 1, http.StatusBadGateway)
	srv.FailNext("sendMessage", 1, telegramtest.HTMLBadGateway)
	srv.FailNext("sendMessage", 1, http.StatusTooManyRequests)
	if err := q.Do(ctx, 8, outbox.Interactive, sendText(b, 8, "您好")); err != nil {
		t.Fatalf("after a 502, a proxy's 502 page and a 429: %v", err)
	}
	if got := srv.Sent(8); len(got) != 1 {
		t.Fatalf("Sent(8) = %q", got)
	}

	err = q.Do(ctx, 9, outbox.Interactive, sendText(b, 9, " "))
	if !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("empty text: %v, want 400", err)
	}
	if got := len(srv.Calls("sendMessage")); got != 6 { // 1 blocked + 4 + 1 bad request
		t.Fatalf("%d sendMessage calls, want 6: a 403 or 400 is not retried", got)
	}
	if s := q.Stats(); s.Blocked != 1 || s.Retried != 2 || s.Throttled != 1 || s.Failed != 1 || s.Sent != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// TestNeverSendsTwice: a send Telegram may have carried out is never made
// again, whatever became of the answer; one that provably never reached
// it is.
func TestNeverSendsTwice(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	clk := &jumpClock{now: time.Now()}
	q := outbox.New(outbox.Options{Now: clk.Now, Sleep: clk.Sleep, MaxRetries: 3})
	runQueue(t, q)
	ctx := context.Background()
	calls := func(chatID int64) int {
		n := 0
		for _, c := range srv.Calls("sendMessage") {
			if c.Form.Get("chat_id") == strconv.FormatInt(chatID, 10) {
				n++
			}
		}
		return n
	}

	// "ok": true with a result the client cannot decode: sent, done.
	srv.FailNext("sendMessage", 1, telegramtest.GarbledResult)
	if err := q.Do(ctx, 10, outbox.Broadcast, sendText(b, 10, "3·15 通知")); err != nil {
		t.Errorf("acknowledged send with an unreadable result: %v, want success", err)
	}
	if n, got := calls(10), srv.Sent(10); n != 1 || len(got) != 1 {
		t.Errorf("acknowledged send: %d calls, %d messages delivered; want 1 and 1", n, len(got))
	}

	// Carried out, then the connection dropped before the answer: the
	// message may be out; not sent again.
	srv.FailNext("sendMessage", 1, telegramtest.DropAnswer)
	err := q.Do(ctx, 11, outbox.Broadcast, sendText(b, 11, "3·15 通知"))
	if !errors.Is(err, outbox.ErrUncertain) {
		t.Errorf("answer lost after the send: %v, want ErrUncertain", err)
	}
	if n, got := calls(11), srv.Sent(11); n != 1 || len(got) != 1 {
		t.Errorf("answer lost: %d calls, %d messages delivered; want 1 and 1", n, len(got))
	}

	if s := q.Stats(); s.Sent != 1 || s.Uncertain != 1 || s.Retried != 0 {
		t.Errorf("stats %+v", s)
	}

	// Connection refused: Telegram never saw it, so it is tried again.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	down, err := bot.New(srv.Token(), bot.WithServerURL("http://"+addr), bot.WithSkipGetMe(),
		bot.WithHTTPClient(time.Minute, outbox.HTTPClient(&http.Client{Timeout: 5 * time.Second})))
	if err != nil {
		t.Fatal(err)
	}
	before := q.Stats()
	err = q.Do(ctx, 12, outbox.Broadcast, sendText(down, 12, "通知"))
	if err == nil || errors.Is(err, outbox.ErrUncertain) {
		t.Errorf("connection refused: %v, want a failure after retries", err)
	}
	if s := q.Stats(); s.Retried-before.Retried != 3 || s.Uncertain != 1 {
		t.Errorf("connection refused: stats %+v, want 3 retries", s)
	}
}

// jumpClock is a clock whose Sleep returns at once after moving it ahead.
type jumpClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *jumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *jumpClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return ctx.Err()
}

var recipients = flag.Int("recipients", envInt("PUFABOT_BENCH_RECIPIENTS", 500),
	"recipients per BenchmarkBroadcastRate run (Telegram-scale: 10000, about 400s at 25/s)")

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkBroadcastRate sends a campaign to -recipients private chats at
// PerSecond 25 through go-telegram/bot to a fake server enforcing
// Telegram's limits (30/s), while a resident asks a question every half
// second. It reports the achieved rate, the 429s the server answered and
// the worst wait of an interactive answer. Full size (about 400 s):
//
//	go test -run '^$' -bench BroadcastRate -benchtime 1x ./bot/outbox -recipients 10000
//
// or PUFABOT_BENCH_RECIPIENTS=10000.
func BenchmarkBroadcastRate(b *testing.B) {
	for b.Loop() {
		srv := telegramtest.New(b)
		srv.Enforce(telegramLimits)
		client := newBot(b, srv)
		q := outbox.New(outbox.Options{PerSecond: 25})
		ctx, cancel := context.WithCancel(context.Background())
		runDone := make(chan error, 1)
		go func() { runDone <- q.Run(ctx) }()

		n := *recipients
		var failed atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := int64(1_000_000 + i)
				if err := q.Do(context.Background(), id, outbox.Broadcast, sendText(client, id, "12·4 国家宪法日：宪法是国家的根本法。")); err != nil {
					failed.Add(1)
				}
			}()
		}

		// A resident asks every half second while the campaign runs.
		stopAsking := make(chan struct{})
		askDone := make(chan time.Duration)
		go func() {
			var worst time.Duration
			tick := time.NewTicker(500 * time.Millisecond)
			defer tick.Stop()
			for i := int64(1); ; i++ {
				select {
				case <-stopAsking:
					askDone <- worst
					return
				case <-tick.C:
				}
				t0 := time.Now()
				if err := q.Do(context.Background(), i, outbox.Interactive, sendText(client, i, "您的问题的回答")); err != nil {
					failed.Add(1)
				}
				worst = max(worst, time.Since(t0))
			}
		}()

		wg.Wait()
		elapsed := time.Since(start)
		close(stopAsking)
		worst := <-askDone
		cancel()
		if err := <-runDone; err != nil {
			b.Fatal(err)
		}
		st := q.Stats()
		b.ReportMetric(float64(st.Sent)/elapsed.Seconds(), "msgs/s")
		b.ReportMetric(float64(srv.Stats().TooManyRequests), "429s")
		b.ReportMetric(float64(worst.Milliseconds()), "max-interactive-ms")
		b.ReportMetric(float64(failed.Load()), "failed")
	}
}
