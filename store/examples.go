package store

import (
	"context"
	"fmt"
	"time"
)

// HelpfulConsultations returns consultations since the given time that a
// resident marked helpful and that still hold their question text and
// cited articles, oldest first: labelled examples for retrieval.
func (db *DB) HelpfulConsultations(ctx context.Context, since time.Time) ([]Consultation, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+consultationColumns+` FROM consultations
WHERE feedback = ? AND question IS NOT NULL AND question <> '' AND articles <> '' AND at >= ?
ORDER BY at, id`, FeedbackHelpful, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: helpful consultations: %w", err)
	}
	defer rows.Close()
	var out []Consultation
	for rows.Next() {
		c, err := scanConsultation(rows)
		if err != nil {
			return nil, fmt.Errorf("store: helpful consultations: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
