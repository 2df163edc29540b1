package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// AnswerStaff is the answer kind of consultations that staff answered
// themselves, outside the bot.
const AnswerStaff = "staff"

// OfflineChannels are the channels of consultations that staff answered
// outside the bot and record afterwards.
var OfflineChannels = []string{"phone", "visit", "event", "other"}

// AddOfflineConsultation records a consultation that staff answered outside
// the bot (by phone, at the office, at a publicity event), so the report
// counts it. It has no resident pseudonym; note, if any, is kept like
// question text and deleted after the retention period.
func (db *DB) AddOfflineConsultation(ctx context.Context, at time.Time, topic, channel, note string) (int64, error) {
	ids, err := db.AddOfflineConsultations(ctx, at, topic, channel, note, 1)
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// AddOfflineConsultations records n identical offline consultations in one
// transaction (staff often log a morning's calls at once) and returns their
// ids.
func (db *DB) AddOfflineConsultations(ctx context.Context, at time.Time, topic, channel, note string, n int) ([]int64, error) {
	if n < 1 {
		return nil, fmt.Errorf("store: offline consultation: count %d: want at least 1", n)
	}
	if !isOfflineChannel(channel) {
		return nil, fmt.Errorf("store: offline consultation: channel %q: want one of %v", channel, OfflineChannels)
	}
	if at.IsZero() {
		return nil, fmt.Errorf("store: offline consultation: time is missing")
	}
	var question any
	if note != "" {
		question = note
	}
	ids := make([]int64, 0, n)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO consultations(at, resident, channel, topic, answer_kind, question) VALUES (?, '', ?, ?, ?, ?) RETURNING id`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for range n {
			var id int64
			if err := stmt.QueryRowContext(ctx, at.Unix(), channel, topic, AnswerStaff, question).Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: offline consultation: %w", err)
	}
	return ids, nil
}

func isOfflineChannel(c string) bool { return slices.Contains(OfflineChannels, c) }
