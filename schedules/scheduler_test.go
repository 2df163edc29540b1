package schedules

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pufabot/pufabot/store"
)

var keyDates = []Campaign{
	{ID: "consumer-day", Title: "3·15 国际消费者权益日", Cron: "0 9 15 3 *", Message: "<b>3·15</b>", Buttons: []Button{{Text: "12315", URL: "https://www.12315.cn/"}}},
	{ID: "constitution-day", Title: "12·4 国家宪法日", Cron: "0 9 4 12 *", Message: "<b>12·4</b>"},
}

func TestFiresOnTheDayAndCatchesUpAfterDowntime(t *testing.T) {
	db := openDB(t, "")
	seedSubscribers(t, db, 1, 20)
	clock := newFakeClock(sh(2026, 3, 1, 0, 0))
	sender := newFakeSender()
	s, logs, notes := newScheduler(t, db, clock, sender, keyDates, nil)
	ctx := context.Background()
	lead(t, s)

	mustTick := func() {
		t.Helper()
		if err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := deliverNow(t, s, ctx); err != nil {
			t.Fatal(err)
		}
	}
	mustTick() // first start: the calendar begins now
	clock.Set(sh(2026, 3, 15, 8, 59))
	mustTick()
	if n := sender.total(); n != 0 {
		t.Fatalf("sent %d messages before 09:00", n)
	}
	// The server was down from 08:59 until 11:00: 3·15 is 2h late, within
	// the 6h catch-up, so it is sent.
	clock.Set(sh(2026, 3, 15, 11, 0))
	mustTick()
	if n := sender.total(); n != 20 {
		t.Fatalf("sent %d messages after catching up 3·15, want 20", n)
	}
	if len(*notes) != 1 || !strings.Contains((*notes)[0], "送达 20 人") {
		t.Errorf("staff summary = %q", *notes)
	}
	// Down again from Dec 1 to Dec 6: 12·4 is two days late and skipped.
	clock.Set(sh(2026, 12, 1, 0, 0))
	mustTick()
	clock.Set(sh(2026, 12, 6, 9, 0))
	mustTick()
	if n := sender.total(); n != 20 {
		t.Fatalf("a stale 12·4 was sent: %d messages", n)
	}
	ops := occurrences(t, db)
	if len(ops) != 2 || ops[0].Status != store.OccurrenceDone || ops[1].CampaignID != "constitution-day" || ops[1].Status != store.OccurrenceSkipped {
		t.Fatalf("occurrences:\n%s", describe(ops))
	}
	if !ops[1].ScheduledAt.Equal(sh(2026, 12, 4, 9, 0)) {
		t.Errorf("skipped occurrence at %s", ops[1].ScheduledAt)
	}
	if l := logs.String(); !strings.Contains(l, "campaign occurrence skipped") || !strings.Contains(l, "campaign=constitution-day") || !strings.Contains(l, "late=48h0m0s") {
		t.Errorf("no log line for the skipped occurrence:\n%s", l)
	}
	// Next year, on time.
	clock.Set(sh(2027, 12, 4, 9, 0))
	mustTick()
	if n := sender.total(); n != 40 {
		t.Fatalf("12·4 2027: total sent %d, want 40", n)
	}
}

func TestNoDoubleFiringAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pufabot.db")
	ctx := context.Background()
	clock := newFakeClock(sh(2026, 3, 15, 8, 0))
	sender := newFakeSender()

	// First instance: fires 3·15 and crashes after 5 of 12 sends (the
	// sender stops answering and the process dies without recording).
	db1 := openDB(t, path)
	seedSubscribers(t, db1, 1, 12)
	s1, _, _ := newScheduler(t, db1, clock, sender, keyDates, nil)
	lead(t, s1)
	if err := s1.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Set(sh(2026, 3, 15, 9, 0))
	if err := s1.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	crash, cancel := context.WithCancel(ctx)
	sender.fail = func(chatID int64, attempt int) error {
		if sender.total() >= 5 {
			cancel()
			return context.Canceled
		}
		return nil
	}
	if _, err := deliverNow(t, s1, crash); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	db1.Close()
	sender.fail = nil
	if n := sender.total(); n != 5 {
		t.Fatalf("first instance sent %d", n)
	}

	// Second instance on the same file, a minute later: the watermark and
	// the unique occurrence keep 3·15 from firing again; the unfinished one
	// resumes. Its lease is taken over once the first one's expires.
	clock.Advance(time.Minute)
	db2 := openDB(t, path)
	s2, _, notes := newScheduler(t, db2, clock, sender, keyDates, nil)
	lead(t, s2)
	for i := 0; i < 3; i++ {
		if err := s2.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := deliverNow(t, s2, ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Third instance that lost the watermark (as if the first crashed right
	// after recording the occurrence): the unique key still holds.
	if err := db2.SetSetting(ctx, watermarkKey, fmt.Sprint(sh(2026, 3, 15, 8, 0).Unix())); err != nil {
		t.Fatal(err)
	}
	clock.Advance(DefaultLeaseTTL + time.Second) // s2's lease expires
	s3, _, _ := newScheduler(t, db2, clock, sender, keyDates, nil)
	lead(t, s3)
	if err := s3.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := deliverNow(t, s3, ctx); err != nil {
		t.Fatal(err)
	}

	for id := int64(1); id <= 12; id++ {
		if n := sender.count(id); n != 1 {
			t.Errorf("chat %d received %d messages, want 1", id, n)
		}
	}
	ops := occurrences(t, db2)
	if len(ops) != 1 || ops[0].Status != store.OccurrenceDone || ops[0].Sent != 12 {
		t.Errorf("occurrences:\n%s", describe(ops))
	}
	if len(*notes) != 1 {
		t.Errorf("%d summaries, want 1", len(*notes))
	}
}

func TestDeliveryOutcomes(t *testing.T) {
	db := openDB(t, "")
	seedSubscribers(t, db, 1, 10)
	clock := newFakeClock(sh(2026, 6, 26, 9, 0))
	sender := newFakeSender()
	sender.fail = func(chatID int64, attempt int) error {
		switch chatID {
		case 2, 7:
			return fmt.Errorf("send: %w", errBlocked)
		case 3:
			if attempt == 1 {
				return errors.New("timeout")
			}
		case 4:
			return errors.New("bad gateway")
		case 5:
			panic("sender bug")
		}
		return nil
	}
	s, logs, notes := newScheduler(t, db, clock, sender, keyDates, func(o *Options) { o.MaxAttempts = 3 })
	ctx := context.Background()
	lead(t, s)
	id, err := s.Broadcast(ctx, 4242, "<b>6·26</b> 国际禁毒日")
	if err != nil {
		t.Fatal(err)
	}
	next, err := deliverNow(t, s, ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := clock.Now().Add(time.Minute); !next.Equal(want) {
		t.Fatalf("next retry at %s, want %s", next, want)
	}
	p, _ := db.OccurrenceProgress(ctx, id)
	if want := (store.Progress{Recipients: 10, Sent: 5, Blocked: 2, Pending: 3}); p != want {
		t.Fatalf("after the first pass: %+v, want %+v", p, want)
	}
	// Retries back off: 1 minute, then 2 minutes.
	clock.Advance(time.Minute)
	if _, err := deliverNow(t, s, ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if _, err := deliverNow(t, s, ctx); err != nil {
		t.Fatal(err)
	}
	if len(*notes) != 0 {
		t.Fatalf("finished too early: %q", *notes)
	}
	clock.Advance(time.Minute)
	if _, err := deliverNow(t, s, ctx); err != nil {
		t.Fatal(err)
	}
	p, _ = db.OccurrenceProgress(ctx, id)
	if want := (store.Progress{Recipients: 10, Sent: 6, Blocked: 2, Failed: 2}); p != want {
		t.Fatalf("final: %+v, want %+v", p, want)
	}
	if sender.count(2) != 0 || sender.count(3) != 1 || sender.attempts[2] != 1 || sender.attempts[4] != 3 {
		t.Errorf("attempts = %v, got = %v", sender.attempts, sender.got)
	}
	if len(*notes) != 1 || !strings.Contains((*notes)[0], "送达 6 人，已屏蔽本机器人 2 人，发送失败 2 人（共 10 人）") || !strings.Contains((*notes)[0], "广播发送完毕") {
		t.Errorf("summary = %q", *notes)
	}
	if !strings.Contains(logs.String(), "sender panicked: sender bug") {
		t.Errorf("panic not logged:\n%s", logs)
	}
	// Blocked chats leave the audience: the next broadcast skips them.
	id2, err := s.Broadcast(ctx, 4242, "再次提醒")
	if err != nil {
		t.Fatal(err)
	}
	sender.fail = nil
	if _, err := deliverNow(t, s, ctx); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.OccurrenceProgress(ctx, id2); p.Recipients != 8 || p.Sent != 8 {
		t.Errorf("second broadcast: %+v", p)
	}
}

func TestCalendarPanicIsAnError(t *testing.T) {
	db := openDB(t, "")
	clock := newFakeClock(sh(2026, 3, 15, 8, 0))
	s, _, _ := newScheduler(t, db, clock, newFakeSender(), keyDates, nil)
	s.cal.plans[0].sched = nil // a broken plan makes Next panic
	ctx := context.Background()
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	err := s.Tick(ctx)
	if err == nil || !strings.Contains(err.Error(), "calendar panicked") {
		t.Fatalf("Tick = %v, want a recovered panic", err)
	}
}

func TestNotifierPanicDoesNotStopDelivery(t *testing.T) {
	db := openDB(t, "")
	seedSubscribers(t, db, 1, 3)
	clock := newFakeClock(sh(2026, 3, 15, 8, 0))
	sender := newFakeSender()
	s, _, _ := newScheduler(t, db, clock, sender, keyDates, func(o *Options) {
		o.Notify = func(context.Context, string) error { panic("notifier bug") }
	})
	lead(t, s)
	ctx := context.Background()
	if _, err := s.Broadcast(ctx, 1, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Broadcast(ctx, 1, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := deliverNow(t, s, ctx); err != nil {
		t.Fatal(err)
	}
	if n := sender.total(); n != 6 {
		t.Errorf("sent %d, want 6", n)
	}
}

func TestBroadcastRejectsBadHTML(t *testing.T) {
	db := openDB(t, "")
	s, _, _ := newScheduler(t, db, newFakeClock(sh(2026, 1, 1, 0, 0)), newFakeSender(), nil, nil)
	if _, err := s.Broadcast(context.Background(), 1, "<b>unclosed"); err == nil || !strings.Contains(err.Error(), "<b> is not closed") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunNowResumesAnUnfinishedRun(t *testing.T) {
	db := openDB(t, "")
	seedSubscribers(t, db, 1, 3)
	clock := newFakeClock(sh(2026, 5, 1, 10, 0))
	sender := newFakeSender()
	s, _, _ := newScheduler(t, db, clock, sender, keyDates, nil)
	ctx := context.Background()
	o1, resumed, err := s.RunNow(ctx, "consumer-day")
	if err != nil || resumed || o1.Kind != store.KindManual || o1.Buttons == "" {
		t.Fatalf("RunNow = %+v %v %v", o1, resumed, err)
	}
	clock.Advance(time.Minute)
	o2, resumed, err := s.RunNow(ctx, "consumer-day")
	if err != nil || !resumed || o2.ID != o1.ID {
		t.Fatalf("second RunNow = %+v %v %v, want the first one resumed", o2, resumed, err)
	}
	if _, _, err := s.RunNow(ctx, "nope"); err == nil {
		t.Fatal("RunNow of an unknown campaign succeeded")
	}
	lead(t, s)
	if _, err := deliverNow(t, s, ctx); err != nil {
		t.Fatal(err)
	}
	o3, resumed, err := s.RunNow(ctx, "consumer-day")
	if err != nil || resumed || o3.ID == o1.ID {
		t.Fatalf("RunNow after the first finished = %+v %v %v, want a new one", o3, resumed, err)
	}
}

func TestStatus(t *testing.T) {
	db := openDB(t, "")
	seedSubscribers(t, db, 1, 4)
	clock := newFakeClock(sh(2026, 3, 15, 8, 0))
	sender := newFakeSender()
	sender.fail = func(chatID int64, attempt int) error {
		if chatID == 4 {
			return errBlocked
		}
		return nil
	}
	s, _, _ := newScheduler(t, db, clock, sender, keyDates, nil)
	ctx := context.Background()
	empty, err := s.Status(ctx)
	if err != nil || !strings.Contains(empty, "还没有发送过活动") {
		t.Fatalf("Status on a fresh database = %q, %v", empty, err)
	}
	lead(t, s)
	s.Tick(ctx)
	clock.Set(sh(2026, 3, 15, 9, 0))
	s.Tick(ctx)
	deliverNow(t, s, ctx)
	if _, err := s.Broadcast(ctx, 7, "x"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"#1 3·15 国际消费者权益日｜2026年3月15日 09:00｜已完成：送达 3，屏蔽 1，失败 0",
		"#2 工作人员广播（7）｜2026年3月15日 09:00｜等待发送",
		"2026年12月4日 09:00　12·4 国家宪法日",
		"2027年3月15日 09:00　3·15 国际消费者权益日",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Status lacks %q:\n%s", want, got)
		}
	}
}

func TestLease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pufabot.db")
	ctx := context.Background()
	clock := newFakeClock(sh(2026, 1, 1, 0, 0))
	dbA, dbB := openDB(t, path), openDB(t, path)
	a, _, _ := newScheduler(t, dbA, clock, newFakeSender(), nil, nil)
	b, _, _ := newScheduler(t, dbB, clock, newFakeSender(), nil, nil)
	lead(t, a)
	var w string
	if b.heartbeat(ctx, OwnerServe, &w) {
		t.Fatal("two schedulers lead at once")
	}
	if err := b.Drain(ctx); !errors.Is(err, ErrServing) {
		t.Fatalf("Drain while a server leads = %v, want ErrServing", err)
	}
	if h, live, err := CurrentHolder(ctx, dbB, clock.Now(), 0); err != nil || !live || h.Owner != OwnerServe {
		t.Fatalf("CurrentHolder = %+v %v %v", h, live, err)
	}
	// The holder stops renewing (it hangs, or runs on another host): after
	// the TTL the lease is free.
	clock.Advance(DefaultLeaseTTL + time.Second)
	if !b.heartbeat(ctx, OwnerServe, &w) {
		t.Fatal("an expired lease was not taken over")
	}
	if a.heartbeat(ctx, OwnerServe, &w) {
		t.Fatal("the old holder took the lease back")
	}
	// A clean release frees it at once.
	if err := b.lease.release(ctx, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, live, _ := CurrentHolder(ctx, dbA, clock.Now(), 0); live {
		t.Fatal("released lease still live")
	}
	if !a.heartbeat(ctx, OwnerServe, &w) {
		t.Fatal("a released lease was not free")
	}
}

func TestLeaseOfADeadProcessIsFree(t *testing.T) {
	db := openDB(t, "")
	ctx := context.Background()
	clock := newFakeClock(sh(2026, 1, 1, 0, 0))
	dead := &lessee{db: db, ttl: DefaultLeaseTTL, host: "", token: "dead", pid: 1 << 22}
	dead.host = newLessee(db, DefaultLeaseTTL).host
	if _, ok, err := dead.acquire(ctx, OwnerCLI, clock.Now()); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if processAlive(dead.pid) {
		t.Skip("pid 4194304 exists here")
	}
	s, _, _ := newScheduler(t, db, clock, newFakeSender(), nil, nil)
	var w string
	if !s.heartbeat(ctx, OwnerServe, &w) {
		t.Fatal("a crashed process's lease blocked a restart on the same host")
	}
}

func TestRunDeliversAndCloses(t *testing.T) {
	db := openDB(t, "")
	seedSubscribers(t, db, 1, 50)
	clock := newFakeClock(sh(2026, 4, 15, 8, 0))
	sender := newFakeSender()
	sender.sent = make(chan int64, 200)
	summaries := make(chan string, 10)
	s, _, _ := newScheduler(t, db, clock, sender, keyDates, func(o *Options) {
		o.Concurrency = 4
		o.Notify = func(_ context.Context, html string) error {
			summaries <- html
			return nil
		}
	})
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	clock.waitForTimer(t) // the loops are up and waiting
	if _, err := s.Broadcast(ctx, 99, "<b>4·15</b> 全民国家安全教育日"); err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for len(got) < 50 {
		select {
		case id := <-sender.sent:
			if got[id] {
				t.Fatalf("chat %d received the broadcast twice", id)
			}
			got[id] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of 50 delivered", len(got))
		}
	}
	select {
	case sum := <-summaries:
		if !strings.Contains(sum, "送达 50 人") {
			t.Errorf("summary = %q", sum)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no summary")
	}
	if h, live, _ := CurrentHolder(ctx, db, clock.Now(), 0); !live || h.Owner != OwnerServe {
		t.Errorf("heartbeat while running = %+v live=%v", h, live)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if _, live, _ := CurrentHolder(ctx, db, clock.Now(), 0); live {
		t.Error("lease still held after Close")
	}
	if err := s.Run(ctx); err == nil {
		t.Error("second Run succeeded")
	}
}

func TestDrainWaitsForRetries(t *testing.T) {
	db := openDB(t, "")
	seedSubscribers(t, db, 1, 5)
	clock := newFakeClock(sh(2026, 12, 4, 9, 0))
	sender := newFakeSender()
	sender.fail = func(chatID int64, attempt int) error {
		if chatID == 3 && attempt == 1 {
			return errors.New("timeout")
		}
		return nil
	}
	s, _, _ := newScheduler(t, db, clock, sender, keyDates, nil)
	ctx := context.Background()
	if _, _, err := s.RunNow(ctx, "constitution-day"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Drain(ctx) }()
	// Drain waits on the clock for the retry; the lease renewer waits too.
	for sender.total() < 4 || clock.pending() < 2 {
		clock.waitForTimer(t)
	}
	clock.Advance(time.Minute)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Drain did not finish after the retry was due")
	}
	if sender.total() != 5 || sender.count(3) != 1 {
		t.Errorf("sent %v", sender.got)
	}
	if _, live, _ := CurrentHolder(ctx, db, clock.Now(), 0); live {
		t.Error("Drain kept the lease")
	}
}

func TestNewRejectsBadCampaigns(t *testing.T) {
	db := openDB(t, "")
	_, err := New(db, Options{Campaigns: []Campaign{campaign("consumer-day", "TZ=0")}})
	if err == nil || !strings.Contains(err.Error(), `campaign "consumer-day": cron "TZ=0"`) {
		t.Fatalf("New = %v", err)
	}
}

func TestStalledSchedulerStopsSending(t *testing.T) {
	db := openDB(t, "")
	seedSubscribers(t, db, 1, 3)
	clock := newFakeClock(sh(2026, 3, 15, 8, 0))
	sender := newFakeSender()
	s, _, _ := newScheduler(t, db, clock, sender, keyDates, nil)
	ctx := context.Background()
	lead(t, s)
	if _, err := s.Broadcast(ctx, 1, "x"); err != nil {
		t.Fatal(err)
	}
	// No renewal for half the lease TTL (the process was paused): another
	// process may take over soon, so this one must not send.
	clock.Advance(DefaultLeaseTTL / 2)
	if _, err := s.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sender.total(); n != 0 {
		t.Fatalf("a stalled scheduler sent %d messages", n)
	}
	if _, err := deliverNow(t, s, ctx); err != nil {
		t.Fatal(err)
	}
	if n := sender.total(); n != 3 {
		t.Fatalf("after renewing: sent %d, want 3", n)
	}
}

func TestCloseBeforeRun(t *testing.T) {
	db := openDB(t, "")
	s, _, _ := newScheduler(t, db, newFakeClock(sh(2026, 1, 1, 0, 0)), newFakeSender(), nil, nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background()); err == nil {
		t.Fatal("Run after Close did not return an error")
	}
}

// A date recorded just before the server stopped, and never started, is not
// sent days later by the next process; one still within the catch-up window,
// and a staff broadcast however old, are.
func TestStalePendingOccurrenceIsSkippedAfterDowntime(t *testing.T) {
	for _, tc := range []struct {
		name     string
		downtime time.Duration
		wantSent int
	}{
		{"within catch-up", 2 * time.Hour, 2 * 6},
		{"two days late", 48 * time.Hour, 6}, // only the broadcast
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pufabot.db")
			ctx := context.Background()
			clock := newFakeClock(sh(2026, 12, 4, 8, 0))
			sender := newFakeSender()
			db1 := openDB(t, path)
			seedSubscribers(t, db1, 1, 6)
			s1, _, _ := newScheduler(t, db1, clock, sender, keyDates, nil)
			lead(t, s1)
			if err := s1.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			clock.Set(sh(2026, 12, 4, 9, 0))
			if err := s1.Tick(ctx); err != nil { // 12·4 recorded, then the process dies
				t.Fatal(err)
			}
			if _, err := s1.Broadcast(ctx, 42, "通知"); err != nil {
				t.Fatal(err)
			}
			db1.Close()

			clock.Advance(tc.downtime)
			db2 := openDB(t, path)
			s2, logs, _ := newScheduler(t, db2, clock, sender, keyDates, nil)
			lead(t, s2)
			if err := s2.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := deliverNow(t, s2, ctx); err != nil {
				t.Fatal(err)
			}
			if n := sender.total(); n != tc.wantSent {
				t.Errorf("sent %d messages, want %d\n%s", n, tc.wantSent, describe(occurrences(t, db2)))
			}
			if left, err := db2.UnfinishedOccurrences(ctx); err != nil || len(left) != 0 {
				t.Errorf("unfinished occurrences left: %v %v", left, err)
			}
			if tc.wantSent == 6 && !strings.Contains(logs.String(), "campaign occurrence skipped") {
				t.Errorf("no log line for the skipped occurrence:\n%s", logs.String())
			}
		})
	}
}
