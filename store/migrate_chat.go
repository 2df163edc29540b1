package store

import (
	"context"
	"database/sql"
	"fmt"
)

// MigrateChat moves a group's registration and subscriptions to its new
// chat id when Telegram upgrades a group to a supergroup (the old id stops
// working), so campaigns keep reaching the village. Pending deliveries
// follow too. A chat that was never stored is left alone.
func (db *DB) MigrateChat(ctx context.Context, from, to int64) error {
	if from == to || from == 0 || to == 0 {
		return nil
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM chats WHERE chat_id = ?`, from).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO chats (chat_id, kind, title, group_registered, blocked_at, created_at, updated_at)
SELECT ?, 'supergroup', title, group_registered, NULL, created_at, ? FROM chats WHERE chat_id = ?
ON CONFLICT(chat_id) DO UPDATE SET
    group_registered = CASE WHEN chats.group_registered > excluded.group_registered THEN chats.group_registered ELSE excluded.group_registered END,
    title = CASE WHEN chats.title = '' THEN excluded.title ELSE chats.title END,
    updated_at = excluded.updated_at`, to, now, from); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO subscriptions (chat_id, topic, created_at)
SELECT ?, topic, created_at FROM subscriptions WHERE chat_id = ?`, to, from); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET chat_id = ? WHERE chat_id = ? AND status = 'pending'
AND NOT EXISTS (SELECT 1 FROM deliveries d2 WHERE d2.occurrence_id = deliveries.occurrence_id AND d2.chat_id = ?)`, to, from, to); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM chats WHERE chat_id = ?`, from)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: migrate chat %d to %d: %w", from, to, err)
	}
	return nil
}
