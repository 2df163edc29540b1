package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// Copy moves a township's SQLite history into another database (the
// county's PostgreSQL when the suite runs on it) with every count intact.
func TestCopyMovesEverything(t *testing.T) {
	ctx := context.Background()
	key := []byte("0123456789abcdef0123456789abcdef")
	src, err := OpenWith(filepath.Join(t.TempDir(), "town.db"), Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	src.Now = func() time.Time { return now }
	alice, _ := src.Pseudonym(ctx, 1001)
	var ids []int64
	for i, topic := range []string{"family", "labor", "family"} {
		id, err := src.RecordConsultation(ctx, Consultation{At: now.Add(time.Duration(i) * time.Hour), Resident: alice, Topic: topic, AnswerKind: AnswerArticles, Articles: []string{"《中华人民共和国民法典》第一千零七十九条"}, Question: "离婚"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := src.Subscribe(ctx, 1001, "*"); err != nil {
		t.Fatal(err)
	}
	tid, err := src.OpenTicket(ctx, Ticket{ConsultationID: ids[0], ChatID: 1001, Resident: alice, Question: "离婚"})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.AddTicketMessage(ctx, tid, -100, 55); err != nil {
		t.Fatal(err)
	}
	o, err := src.AddOccurrence(ctx, Occurrence{CampaignID: "c", ScheduledAt: now, Message: "m", Audience: AudienceSubscribers})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.StartOccurrence(ctx, o.ID); err != nil {
		t.Fatal(err)
	}

	loc := testLocation(t)
	dst, err := OpenWith(loc, Options{Key: key, KeyFile: filepath.Join(t.TempDir(), "k")})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	dst.Now = src.Now
	copied := map[string]int64{}
	if err := Copy(ctx, src, dst, func(table string, n int64) { copied[table] = n }); err != nil {
		t.Fatal(err)
	}
	if copied["consultations"] != 3 || copied["tickets"] != 1 || copied["deliveries"] != 1 {
		t.Fatalf("copied %v", copied)
	}
	from, to := now.Add(-time.Hour), now.Add(24*time.Hour)
	a, err := src.ConsultationTotals(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	b, err := dst.ConsultationTotals(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if a.Total() != b.Total() || a.Residents != b.Residents || b.Total() != 3 || b.Residents != 1 {
		t.Fatalf("totals %+v, copied %+v", a, b)
	}
	// The same key keeps the same resident: a new question counts as the
	// same person.
	if p, _ := dst.Pseudonym(ctx, 1001); p != alice {
		t.Fatal("pseudonym changed in the copy")
	}
	if tk, err := dst.TicketForMessage(ctx, -100, 55); err != nil || tk.ID != tid {
		t.Fatalf("ticket link: %+v %v", tk, err)
	}
	// New rows continue after the copied ids.
	id, err := dst.RecordConsultation(ctx, Consultation{Resident: alice, Topic: "labor"})
	if err != nil || id <= ids[len(ids)-1] {
		t.Fatalf("new id %d after %v: %v", id, ids, err)
	}
	// A second copy into a database with history is refused.
	if err := Copy(ctx, src, dst, nil); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("second copy: %v", err)
	}
}

// Two processes sharing one database (replicas) update a setting in turn:
// no update is lost, so two cannot both take a free lease.
func TestUpdateSettingAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	loc := testLocation(t)
	a, err := openTestDB(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := openTestDB(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const each = 40
	errs := make(chan error, 2)
	for _, db := range []*DB{a, b} {
		go func(db *DB) {
			for i := 0; i < each; i++ {
				err := db.UpdateSetting(ctx, "counter", func(cur string, ok bool) (string, bool, error) {
					n := 0
					if ok {
						fmt.Sscan(cur, &n)
					}
					return fmt.Sprint(n + 1), true, nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}(db)
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	v, err := a.Setting(ctx, "counter")
	if err != nil || v != fmt.Sprint(2*each) {
		t.Fatalf("counter = %q (%v), want %d", v, err, 2*each)
	}
}
