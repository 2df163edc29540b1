package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// purgeBatch bounds the rows one purge transaction touches, so the daily
// job never holds the write lock long enough to delay the bot.
const purgeBatch = 5000

// PurgeQuestions deletes the text of questions asked before the cutoff —
// consultations' question and hand-over tickets' question and answer —
// while the rows, and so every count, stay. It returns the number of rows
// whose text it deleted.
func (db *DB) PurgeQuestions(ctx context.Context, before time.Time) (int64, error) {
	cut := before.Unix()
	var total int64
	for _, q := range []string{
		`UPDATE consultations SET question = NULL
		 WHERE id IN (SELECT id FROM consultations INDEXED BY consultations_question_at
		              WHERE question IS NOT NULL AND at < ? LIMIT ?)`,
		`UPDATE tickets SET question = NULL, answer = NULL
		 WHERE id IN (SELECT id FROM tickets
		              WHERE created_at < ? AND (question IS NOT NULL OR answer IS NOT NULL) LIMIT ?)`,
		`DELETE FROM ticket_replies WHERE id IN (SELECT id FROM ticket_replies WHERE at < ? LIMIT ?)`,
	} {
		for {
			if err := ctx.Err(); err != nil {
				return total, err
			}
			res, err := db.db.ExecContext(ctx, q, cut, purgeBatch)
			if err != nil {
				return total, fmt.Errorf("store: purge questions: %w", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return total, fmt.Errorf("store: purge questions: %w", err)
			}
			total += n
			if n < purgeBatch {
				break
			}
		}
	}
	return total, nil
}

// MaxRetainDays bounds the retention period (a century): beyond it the
// cut-off date arithmetic could overflow.
const MaxRetainDays = 36500

// RunRetention applies the privacy retention period once: question text
// older than retainDays days before now() is deleted, and tickets idle for
// IdleTicketDays are closed (dropping their chat id). serve calls it daily
// and passes its own logger (which masks secrets); nil logs nothing.
func RunRetention(ctx context.Context, db *DB, retainDays int, now func() time.Time, log *slog.Logger) error {
	if retainDays < 1 || retainDays > MaxRetainDays {
		return fmt.Errorf("store: retention: retain_days %d: want 1 to %d", retainDays, MaxRetainDays)
	}
	if now == nil {
		now = db.Now
	}
	at := now()
	cutoff := at.AddDate(0, 0, -retainDays)
	if !cutoff.Before(at) {
		return fmt.Errorf("store: retention: cut-off %s for %d days is not before now", cutoff, retainDays)
	}
	n, err := db.PurgeQuestions(ctx, cutoff)
	if err != nil {
		return fmt.Errorf("store: retention: %w", err)
	}
	idle, err := db.CloseIdleTickets(ctx, at.AddDate(0, 0, -IdleTicketDays))
	if err != nil {
		return fmt.Errorf("store: retention: %w", err)
	}
	if log == nil {
		return nil
	}
	log.InfoContext(ctx, "question text purged", slog.Int64("rows", n), slog.Time("before", cutoff), slog.Int("retain_days", retainDays))
	if idle > 0 {
		log.InfoContext(ctx, "idle tickets closed", slog.Int("tickets", idle), slog.Int("idle_days", IdleTicketDays))
	}
	return nil
}
