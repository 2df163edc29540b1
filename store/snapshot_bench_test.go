package store

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// BenchmarkStartOccurrence10k snapshots an occurrence's 10,000 recipients
// (stored in their stand-ins' order, see deliveryOrder), on SQLite, and
// on PostgreSQL with PUFABOT_TEST_POSTGRES set.
func BenchmarkStartOccurrence10k(b *testing.B) {
	db, err := openTestDB(testLocation(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		for id := int64(1); id <= 10000; id++ {
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
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		o, _, err := db.CreateOccurrence(ctx, Occurrence{CampaignID: "c", ScheduledAt: time.Unix(int64(1_800_000_000+i), 0), Message: "m"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.StartOccurrence(ctx, o.ID); err != nil {
			b.Fatal(err)
		}
	}
}
