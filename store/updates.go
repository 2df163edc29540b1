package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Settings keys for the Telegram update offset.
const (
	settingUpdateOffset   = "telegram_update_offset"
	settingUpdateOffsetAt = "telegram_update_offset_at"
)

// InboundUpdate is a Telegram update as received, kept until handled.
type InboundUpdate struct {
	ID       int64  // update_id
	ChatID   int64  // the chat it belongs to, 0 when none (for /forget)
	Payload  []byte // the update's JSON; nil once handled
	Attempts int    // times its handling was restarted after a stop
}

// ReceiveUpdates stores newly received updates durably, in one transaction,
// before they are handled (or acknowledged to Telegram), and records the
// batch's highest id as the update offset. It returns the updates not seen
// before; updates already stored (delivered twice) are left out.
//
// The offset follows the latest batch rather than only growing: after a
// week without updates Telegram may restart ids at a lower value, and an
// offset that is too low only means updates delivered again, which are
// recognised, while one that is too high would skip updates.
func (db *DB) ReceiveUpdates(ctx context.Context, ups []InboundUpdate) ([]InboundUpdate, error) {
	if len(ups) == 0 {
		return nil, nil
	}
	var fresh []InboundUpdate
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		fresh = fresh[:0]
		now := db.now()
		stmt, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO telegram_updates(update_id, chat_id, received_at, payload) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		var max int64
		for _, u := range ups {
			res, err := stmt.ExecContext(ctx, u.ID, u.ChatID, now, u.Payload)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n > 0 {
				fresh = append(fresh, u)
			}
			if u.ID > max {
				max = u.ID
			}
		}
		return setOffset(ctx, tx, max, now)
	})
	if err != nil {
		return nil, fmt.Errorf("store: receive updates: %w", err)
	}
	return fresh, nil
}

func setOffset(ctx context.Context, tx *sql.Tx, id, now int64) error {
	for k, v := range map[string]string{settingUpdateOffset: strconv.FormatInt(id, 10), settingUpdateOffsetAt: strconv.FormatInt(now, 10)} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
			return err
		}
	}
	return nil
}

// UpdateOffset returns the highest update id of the latest batch received
// and when it was stored; 0 and the zero time before the first update.
func (db *DB) UpdateOffset(ctx context.Context) (int64, time.Time, error) {
	v, err := db.Setting(ctx, settingUpdateOffset)
	if errors.Is(err, ErrNotFound) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, err
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: update offset %q: %w", v, err)
	}
	var at time.Time
	if s, err := db.Setting(ctx, settingUpdateOffsetAt); err == nil {
		if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
			at = time.Unix(sec, 0)
		}
	}
	return id, at, nil
}

// ResumeUpdates returns the updates received but not handled yet (the
// process stopped first), oldest first, counting one more attempt for
// each. Call it once at start-up, before receiving new updates.
func (db *DB) ResumeUpdates(ctx context.Context) ([]InboundUpdate, error) {
	var out []InboundUpdate
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE telegram_updates SET attempts = attempts + 1 WHERE done_at IS NULL`); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT update_id, chat_id, payload, attempts FROM telegram_updates WHERE done_at IS NULL ORDER BY update_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u InboundUpdate
			if err := rows.Scan(&u.ID, &u.ChatID, &u.Payload, &u.Attempts); err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: resume updates: %w", err)
	}
	return out, nil
}

// FinishUpdate records that an update was handled and drops its payload
// and chat id: the id is kept a while to recognise a repeat delivery, but a
// chat id with its time could be matched with the consultation it carried.
func (db *DB) FinishUpdate(ctx context.Context, id int64) error {
	_, err := db.db.ExecContext(ctx, `UPDATE telegram_updates SET done_at = ?, payload = NULL, chat_id = 0 WHERE update_id = ?`, db.now(), id)
	if err != nil {
		return fmt.Errorf("store: finish update %d: %w", id, err)
	}
	return nil
}

// PruneUpdates deletes the record of handled updates received before the
// given time (Telegram does not deliver an update again after a day) and
// returns how many were deleted. Unhandled updates are kept.
func (db *DB) PruneUpdates(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.db.ExecContext(ctx, `DELETE FROM telegram_updates WHERE done_at IS NOT NULL AND received_at < ?`, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("store: prune updates: %w", err)
	}
	return res.RowsAffected()
}
