package store

import (
	"context"
	"testing"
	"time"
)

func TestUpdatesInbox(t *testing.T) {
	path := testLocation(t)
	ctx := context.Background()
	db, err := openTestDB(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 4, 15, 8, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }

	if off, at, err := db.UpdateOffset(ctx); err != nil || off != 0 || !at.IsZero() {
		t.Fatalf("initial offset = %d, %v, %v", off, at, err)
	}
	batch := []InboundUpdate{{ID: 10, ChatID: 1, Payload: []byte(`{"update_id":10}`)}, {ID: 11, ChatID: 2, Payload: []byte(`{"update_id":11}`)}}
	fresh, err := db.ReceiveUpdates(ctx, batch)
	if err != nil || len(fresh) != 2 {
		t.Fatalf("ReceiveUpdates = %v, %v", fresh, err)
	}
	// The same updates again (a lost acknowledgement) plus a new one.
	fresh, err = db.ReceiveUpdates(ctx, append(batch, InboundUpdate{ID: 12, ChatID: 1, Payload: []byte(`{"update_id":12}`)}))
	if err != nil || len(fresh) != 1 || fresh[0].ID != 12 {
		t.Fatalf("ReceiveUpdates with duplicates = %v, %v", fresh, err)
	}
	if off, at, _ := db.UpdateOffset(ctx); off != 12 || !at.Equal(now) {
		t.Fatalf("offset = %d at %v; want 12 at %v", off, at, now)
	}
	// Telegram restarted its ids lower (after a quiet week): the offset
	// follows, so the next getUpdates does not skip them.
	if _, err := db.ReceiveUpdates(ctx, []InboundUpdate{{ID: 3, Payload: []byte(`{}`)}}); err != nil {
		t.Fatal(err)
	}
	if off, _, _ := db.UpdateOffset(ctx); off != 3 {
		t.Fatalf("offset after lower ids = %d, want 3", off)
	}
	if _, err := db.ReceiveUpdates(ctx, []InboundUpdate{{ID: 12, Payload: []byte(`{}`)}}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{10, 3} {
		if err := db.FinishUpdate(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	// After a restart: the unhandled updates come back, with their payload.
	db, err = openTestDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return now }
	pending, err := db.ResumeUpdates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].ID != 11 || pending[1].ID != 12 || string(pending[0].Payload) != `{"update_id":11}` || pending[0].Attempts != 1 {
		t.Fatalf("ResumeUpdates = %+v", pending)
	}
	if pending, _ = db.ResumeUpdates(ctx); pending[0].Attempts != 2 {
		t.Fatalf("attempts not counted: %+v", pending)
	}
	if off, _, _ := db.UpdateOffset(ctx); off != 12 {
		t.Fatalf("offset after restart = %d", off)
	}
	if fresh, _ := db.ReceiveUpdates(ctx, []InboundUpdate{{ID: 10, Payload: []byte(`{}`)}}); len(fresh) != 0 {
		t.Fatal("a handled update was accepted again after a restart")
	}

	// Pruning removes old handled updates only.
	now = now.Add(8 * 24 * time.Hour)
	n, err := db.PruneUpdates(ctx, now.Add(-7*24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneUpdates = %d, %v", n, err)
	}
	if pending, _ := db.ResumeUpdates(ctx); len(pending) != 2 {
		t.Fatalf("pruning dropped unhandled updates: %v", pending)
	}
	var payload []byte
	if err := db.SQL().QueryRow(`SELECT payload FROM telegram_updates WHERE update_id = 11`).Scan(&payload); err != nil || payload == nil {
		t.Fatalf("pending payload = %v, %v", payload, err)
	}
}
