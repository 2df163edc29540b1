package store

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"
	"time"
)

// seedChat inserts a chat with subscriptions to the given topics.
func seedChat(t *testing.T, db *DB, chatID int64, kind string, groupRegistered bool, topics ...string) {
	t.Helper()
	reg := 0
	if groupRegistered {
		reg = 1
	}
	if _, err := db.SQL().Exec(`INSERT INTO chats(chat_id, kind, group_registered, created_at, updated_at) VALUES (?, ?, ?, 0, 0)`, chatID, kind, reg); err != nil {
		t.Fatal(err)
	}
	for _, topic := range topics {
		if _, err := db.SQL().Exec(`INSERT INTO subscriptions(chat_id, topic, created_at) VALUES (?, ?, 0)`, chatID, topic); err != nil {
			t.Fatal(err)
		}
	}
}

func mustCreate(t *testing.T, db *DB, o Occurrence) Occurrence {
	t.Helper()
	stored, created, err := db.CreateOccurrence(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Fatalf("occurrence %s at %s already existed", o.CampaignID, o.ScheduledAt)
	}
	return stored
}

func TestCreateOccurrenceIsIdempotent(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 15, 1, 0, 0, 0, time.UTC)
	a := mustCreate(t, db, Occurrence{CampaignID: "consumer-day", ScheduledAt: at, Title: "3·15", Message: "m1"})
	if a.ID == 0 || a.Status != OccurrencePending || a.Kind != KindScheduled || a.Audience != AudienceSubscribers {
		t.Fatalf("stored = %+v", a)
	}
	b, created, err := db.CreateOccurrence(ctx, Occurrence{CampaignID: "consumer-day", ScheduledAt: at, Message: "m2"})
	if err != nil {
		t.Fatal(err)
	}
	if created || b.ID != a.ID || b.Message != "m1" {
		t.Fatalf("second create: created=%v %+v, want the first row", created, b)
	}
	skipped, created, err := db.CreateOccurrence(ctx, Occurrence{CampaignID: "consumer-day", ScheduledAt: at.AddDate(1, 0, 0), Status: OccurrenceSkipped, Message: "m"})
	if err != nil || !created {
		t.Fatal(created, err)
	}
	if !skipped.Finished() || skipped.FinishedAt.IsZero() {
		t.Errorf("skipped occurrence not finished: %+v", skipped)
	}
	un, err := db.UnfinishedOccurrences(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(un) != 1 || un[0].ID != a.ID {
		t.Errorf("unfinished = %+v, want only #%d", un, a.ID)
	}
}

func TestAddOccurrenceNeverMerges(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	at := time.Unix(1_800_000_000, 0)
	var ids []int64
	for i := 0; i < 3; i++ {
		o, err := db.AddOccurrence(ctx, Occurrence{CampaignID: "broadcast", Kind: KindBroadcast, ScheduledAt: at, Message: "hi"})
		if err != nil {
			t.Fatal(err)
		}
		if want := at.Add(time.Duration(i) * time.Second); !o.ScheduledAt.Equal(want) {
			t.Errorf("broadcast %d scheduled at %s, want %s", i, o.ScheduledAt, want)
		}
		ids = append(ids, o.ID)
	}
	if ids[0] == ids[1] || ids[1] == ids[2] {
		t.Errorf("ids = %v, want distinct", ids)
	}
}

func TestAudiences(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	seedChat(t, db, 1, "private", false, "*")
	seedChat(t, db, 2, "private", false, "*", "family")
	seedChat(t, db, 3, "private", false, "family")
	seedChat(t, db, 4, "private", false, "labour")
	seedChat(t, db, 5, "private", false, "*")
	seedChat(t, db, -100, "supergroup", true)
	seedChat(t, db, -200, "group", false, "*") // a group that subscribed itself
	seedChat(t, db, -300, "group", true)
	if _, err := db.SQL().Exec(`UPDATE chats SET blocked_at = 1 WHERE chat_id IN (5, -300)`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		audience string
		want     []int64
	}{
		{"subscribers", []int64{-200, 1, 2}},
		{"", []int64{-200, 1, 2}},
		{"topic:family", []int64{-200, 1, 2, 3}},
		{"groups", []int64{-100}},
		{"all", []int64{-200, -100, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.audience, func(t *testing.T) {
			got, err := db.Audience(ctx, tt.audience)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Audience(%q) = %v, want %v", tt.audience, got, tt.want)
			}
			n, err := db.AudienceSize(ctx, tt.audience)
			if err != nil || n != len(tt.want) {
				t.Errorf("AudienceSize(%q) = %d, %v", tt.audience, n, err)
			}
		})
	}
	for _, bad := range []string{"topic:", "everyone", "topic:*"} {
		if err := ValidAudience(bad); err == nil {
			t.Errorf("ValidAudience(%q) = nil, want an error", bad)
		}
	}
}

func TestDeliveriesLifecycle(t *testing.T) {
	path := testLocation(t)
	db, err := openTestDB(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	db.Now = func() time.Time { return now }
	for id := int64(1); id <= 5; id++ {
		seedChat(t, db, id, "private", false, "*")
	}
	o := mustCreate(t, db, Occurrence{CampaignID: "c", ScheduledAt: now, Message: "m"})
	other := mustCreate(t, db, Occurrence{CampaignID: "d", ScheduledAt: now, Message: "m"})
	if o, err = db.StartOccurrence(ctx, o.ID); err != nil || o.Status != OccurrenceRunning {
		t.Fatalf("start: %+v %v", o, err)
	}
	if _, err := db.StartOccurrence(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	// A subscriber arriving after the snapshot is not added on resume.
	seedChat(t, db, 6, "private", false, "*")
	if _, err := db.StartOccurrence(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	page, err := db.PendingDeliveries(ctx, o.ID, 0, now, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 {
		t.Fatalf("first page = %+v", page)
	}
	rest, err := db.PendingDeliveries(ctx, o.ID, page[1].Seq, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	// Each recipient once, in the snapshot's order (which is not chat
	// id order: see TestDeliveryRowsTellNothing).
	var paged []int64
	for _, d := range append(page, rest...) {
		paged = append(paged, d.ChatID)
	}
	sorted := append([]int64(nil), paged...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	if len(rest) != 3 || !reflect.DeepEqual(sorted, []int64{1, 2, 3, 4, 5}) {
		t.Fatalf("pages = %+v then %+v", page, rest)
	}

	record := func(chatID int64, r DeliveryResult) {
		t.Helper()
		if err := db.RecordDelivery(ctx, o.ID, chatID, r); err != nil {
			t.Fatal(err)
		}
	}
	record(1, DeliveryResult{Status: DeliverySent})
	record(1, DeliveryResult{Status: DeliveryFailed, Error: "late duplicate"}) // ignored: already final
	record(2, DeliveryResult{Status: DeliveryBlocked, Error: "Forbidden: bot was blocked by the user"})
	record(3, DeliveryResult{Status: DeliveryPending, Error: "timeout", RetryAt: now.Add(time.Minute)})
	record(4, DeliveryResult{Status: DeliveryFailed, Error: "chat not found"})

	due, err := db.PendingDeliveries(ctx, o.ID, 0, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].ChatID != 5 {
		t.Fatalf("due now = %+v, want only chat 5 (chat 3 waits for its retry)", due)
	}
	if next, ok, err := db.NextAttempt(ctx, o.ID); err != nil || !ok || next.After(now) {
		t.Fatalf("next attempt = %s %v %v", next, ok, err)
	}
	later, _ := db.PendingDeliveries(ctx, o.ID, 0, now.Add(time.Minute), 10)
	if len(later) != 2 || later[0].ChatID+later[1].ChatID != 8 || later[0].Attempts+later[1].Attempts != 1 {
		t.Fatalf("due after a minute = %+v", later)
	}

	// The block closed the chat's delivery in the other occurrence.
	if p, _ := db.OccurrenceProgress(ctx, other.ID); p.Blocked != 1 || p.Pending != 4 {
		t.Errorf("other occurrence progress = %+v, want 1 blocked", p)
	}
	// Marked blocked (by the sender's caller), the chat leaves every audience.
	if _, err := db.MarkBlocked(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if ids, _ := db.Audience(ctx, "subscribers"); !reflect.DeepEqual(ids, []int64{1, 3, 4, 5, 6}) {
		t.Errorf("subscribers after chat 2 blocked = %v", ids)
	}

	if _, fin, err := db.FinishOccurrence(ctx, o.ID); err != nil || fin {
		t.Fatalf("finish with pending deliveries: %v %v", fin, err)
	}

	// Restart: the occurrence is still unfinished and resumes where it was.
	db.Close()
	db, err = openTestDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return now }
	un, err := db.UnfinishedOccurrences(ctx)
	if err != nil || len(un) != 2 || un[0].ID != o.ID || un[0].Status != OccurrenceRunning {
		t.Fatalf("unfinished after restart = %+v, %v", un, err)
	}
	if u, err := db.UnfinishedOccurrence(ctx, "c"); err != nil || u.ID != o.ID {
		t.Fatalf("UnfinishedOccurrence(c) = %+v, %v", u, err)
	}
	if _, err := db.UnfinishedOccurrence(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("UnfinishedOccurrence(nope) err = %v", err)
	}
	record(3, DeliveryResult{Status: DeliverySent})
	record(5, DeliveryResult{Status: DeliverySent})
	op, fin, err := db.FinishOccurrence(ctx, o.ID)
	if err != nil || !fin {
		t.Fatalf("finish: %v %v", fin, err)
	}
	want := Progress{Recipients: 5, Sent: 3, Blocked: 1, Failed: 1}
	if op.Progress != want || op.Status != OccurrenceDone {
		t.Errorf("finished progress = %+v %s, want %+v done", op.Progress, op.Status, want)
	}
	if _, fin, _ := db.FinishOccurrence(ctx, o.ID); fin {
		t.Errorf("second FinishOccurrence reported finishing again")
	}
	// Finished deliveries name no private chat, only its keyed stand-in.
	var attempts, raw int
	db.SQL().QueryRow(`SELECT attempts FROM deliveries WHERE occurrence_id = ? AND chat_id = ?`, o.ID, db.DeliveryRef(3)).Scan(&attempts)
	if attempts != 2 {
		t.Errorf("chat 3 attempts = %d, want 2", attempts)
	}
	db.SQL().QueryRow(`SELECT COUNT(*) FROM deliveries WHERE status <> 'pending' AND chat_id BETWEEN 1 AND 6`).Scan(&raw)
	if raw != 0 {
		t.Errorf("%d finished deliveries keep a private chat id", raw)
	}

	recent, err := db.RecentOccurrences(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 2 || recent[0].ID != other.ID || recent[1].Progress != want {
		t.Errorf("recent = %+v", recent)
	}
}

func TestCampaignCounts(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	for id := int64(1); id <= 3; id++ {
		seedChat(t, db, id, "private", false, "*")
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 1, 0, 0, 0, time.UTC) }
	run := func(campaign string, at time.Time, statuses ...string) {
		t.Helper()
		o := mustCreate(t, db, Occurrence{CampaignID: campaign, ScheduledAt: at, Title: campaign + at.Format("2006"), Message: "m"})
		if _, err := db.StartOccurrence(ctx, o.ID); err != nil {
			t.Fatal(err)
		}
		for i, st := range statuses {
			if st == DeliveryPending {
				continue
			}
			if err := db.RecordDelivery(ctx, o.ID, int64(i+1), DeliveryResult{Status: st}); err != nil {
				t.Fatal(err)
			}
		}
	}
	run("consumer-day", day(2025, 3, 15), DeliverySent, DeliverySent, DeliverySent)
	run("consumer-day", day(2026, 3, 15), DeliverySent, DeliveryFailed, DeliveryPending)
	run("consumer-day", day(2026, 3, 16), DeliverySent, DeliverySent, DeliverySent)
	run("drugs-day", day(2026, 6, 26), DeliverySent, DeliverySent, DeliveryBlocked)
	mustCreate(t, db, Occurrence{CampaignID: "drugs-day", ScheduledAt: day(2026, 6, 27), Status: OccurrenceSkipped, Message: "m"})
	run("constitution-day", day(2027, 12, 4), DeliverySent)

	got, err := db.CampaignCounts(ctx, day(2026, 1, 1), day(2027, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	want := []CampaignCount{
		// Chat 3's pending delivery became blocked when chat 3 blocked the bot on 6·26.
		{CampaignID: "consumer-day", Title: "consumer-day2026", Occurrences: 2, Sent: 4, Blocked: 1, Failed: 1, Reached: 3},
		{CampaignID: "drugs-day", Title: "", Occurrences: 1, Skipped: 1, Sent: 2, Blocked: 1, Reached: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CampaignCounts =\n%+v\nwant\n%+v", got, want)
	}
}

func TestUpdateSetting(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	take := func(cur string, ok bool) (string, bool, error) {
		if ok {
			return "", false, nil
		}
		return "me", true, nil
	}
	if err := db.UpdateSetting(ctx, "lease", take); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateSetting(ctx, "lease", func(cur string, ok bool) (string, bool, error) {
		if !ok || cur != "me" {
			t.Errorf("cur = %q, %v", cur, ok)
		}
		return "", false, nil
	}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := db.UpdateSetting(ctx, "lease", func(string, bool) (string, bool, error) { return "x", true, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if v, _ := db.Setting(ctx, "lease"); v != "me" {
		t.Errorf("value after failed update = %q", v)
	}
}
