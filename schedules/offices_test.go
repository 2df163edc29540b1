package schedules

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/pufabot/pufabot/store"
)

// The shared calendar reaches the subscribers of every office; an office's
// own campaign and broadcasts reach its own chats only, and its summary
// goes to its own staff.
func TestOfficeCampaignsReachTheirOffice(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "")
	seedSubscribers(t, db, 1, 6)
	// 1–3 belong to shiqiao, 4–5 to xintian, 6 chose none.
	for id := int64(1); id <= 5; id++ {
		office := "shiqiao"
		if id >= 4 {
			office = "xintian"
		}
		if err := db.SetResidentOffice(ctx, id, office); err != nil {
			t.Fatal(err)
		}
	}
	campaigns := []Campaign{
		{ID: "constitution-day", Cron: "0 9 4 12 *", Message: "宪法日"},
		{ID: "xintian-market", Cron: "0 9 1 * *", Message: "赶集日", Office: "xintian"},
	}
	clock := newFakeClock(sh(2026, 3, 10, 9, 0))
	sender := newFakeSender()
	var mu sync.Mutex
	var officeNotes []string
	s, _, notes := newScheduler(t, db, clock, sender, campaigns, func(o *Options) {
		o.NotifyOffice = func(ctx context.Context, office, html string) error {
			mu.Lock()
			defer mu.Unlock()
			officeNotes = append(officeNotes, office+":"+html)
			return nil
		}
	})

	run := func(id string) {
		t.Helper()
		o, _, err := s.RunNow(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := deliverNow(t, s, ctx); err != nil {
			t.Fatal(err)
		}
		op, err := db.OccurrenceProgress(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if op.Pending != 0 {
			t.Fatalf("%s: %+v still pending", id, op)
		}
	}
	run("xintian-market")
	for id := int64(1); id <= 6; id++ {
		if want := map[bool]int{true: 1, false: 0}[id == 4 || id == 5]; sender.count(id) != want {
			t.Errorf("office campaign: chat %d got %d messages, want %d", id, sender.count(id), want)
		}
	}
	if len(officeNotes) != 1 || !strings.HasPrefix(officeNotes[0], "xintian:") || len(*notes) != 0 {
		t.Errorf("office summary went to %q, shared notes %d", officeNotes, len(*notes))
	}
	run("constitution-day")
	for id := int64(1); id <= 6; id++ {
		if want := map[bool]int{true: 2, false: 1}[id == 4 || id == 5]; sender.count(id) != want {
			t.Errorf("after the shared campaign: chat %d got %d messages, want %d", id, sender.count(id), want)
		}
	}
	if len(*notes) != 1 {
		t.Errorf("shared campaign summary: %d notes", len(*notes))
	}
	// A broadcast of shiqiao's staff.
	if _, err := s.BroadcastOffice(ctx, "shiqiao", 7001, "石桥镇通知"); err != nil {
		t.Fatal(err)
	}
	if _, err := deliverNow(t, s, ctx); err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 6; id++ {
		want := map[bool]int{true: 2, false: 1}[id == 4 || id == 5]
		if id <= 3 {
			want++
		}
		if sender.count(id) != want {
			t.Errorf("after shiqiao's broadcast: chat %d got %d messages, want %d", id, sender.count(id), want)
		}
	}
	// Deliveries keep each recipient's office for the office reports.
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM deliveries WHERE office = 'xintian' AND status = ?`, store.DeliverySent).Scan(&n); err != nil || n != 4 {
		t.Errorf("xintian deliveries %d, %v; want 4", n, err)
	}
}
