package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// copyTables are the tables Copy moves, parents before children. Left out:
// the schema record (each database has its own), the Telegram inbox (the
// updates of one bot process, handled or dropped within days) and console
// logins (short-lived).
var copyTables = []string{
	"settings", "chats", "subscriptions", "subscription_events", "resident_offices",
	"consultations", "tickets", "ticket_messages", "ticket_relays", "web_tickets", "ticket_replies",
	"occurrences", "deliveries",
}

// serialTables have an id that PostgreSQL numbers from a sequence, which
// must continue after the copied rows.
var serialTables = []string{"subscription_events", "consultations", "tickets", "ticket_replies", "occurrences"}

// settingsNotCopied are the settings of one running process, not history.
var settingsNotCopied = []string{settingUpdateOffset, settingUpdateOffsetAt, "serve_heartbeat"}

// ErrNotEmpty is returned by Copy when the destination already holds
// consultations: Copy moves one office's history into a new database.
var ErrNotEmpty = errors.New("store: the destination database already holds consultations")

// CopyProgress is told each table's copied row count.
type CopyProgress func(table string, rows int64)

// Copy moves every record from src to dst (a township's SQLite file into
// the county's PostgreSQL, say), in one transaction on dst: either all of
// it arrives or nothing. Both are migrated to the same schema first (Open
// does that). The pseudonyms stay valid when dst is opened with the key
// src was opened with.
func Copy(ctx context.Context, src, dst *DB, progress CopyProgress) error {
	return CopyToOffice(ctx, src, dst, "", progress)
}

// CopyToOffice is Copy into a county's database: every copied record of
// the implicit office ("") becomes office's, and every resident who asked
// belongs to it. office "" copies as they are.
func CopyToOffice(ctx context.Context, src, dst *DB, office string, progress CopyProgress) error {
	var have int64
	if err := dst.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM consultations`).Scan(&have); err != nil {
		return fmt.Errorf("store: copy: %w", err)
	}
	if have > 0 {
		return fmt.Errorf("%w (%d); copy into an empty database", ErrNotEmpty, have)
	}
	// The copied pseudonyms only keep counting the same residents when
	// the destination is opened with the source's key.
	ps, err := src.Pseudonym(ctx, 0)
	if err != nil {
		return err
	}
	pd, err := dst.Pseudonym(ctx, 0)
	if err != nil {
		return err
	}
	if ps != pd {
		return errors.New("store: copy: the two databases are opened with different pseudonym keys; open the destination with the source's key")
	}
	sv, err := src.schemaVersion(ctx)
	if err != nil {
		return err
	}
	dv, err := dst.schemaVersion(ctx)
	if err != nil {
		return err
	}
	if sv != dv {
		return fmt.Errorf("store: copy: schema versions differ (%d and %d); open both with this pufabot first", sv, dv)
	}
	return dst.Tx(ctx, func(tx *sql.Tx) error {
		for _, t := range copyTables {
			n, err := copyTable(ctx, src, tx, t)
			if err != nil {
				return fmt.Errorf("store: copy %s: %w", t, err)
			}
			if progress != nil {
				progress(t, n)
			}
		}
		if err := assignOffice(ctx, tx, office); err != nil {
			return fmt.Errorf("store: copy: office %s: %w", office, err)
		}
		if dst.dialect == dialectPostgres {
			for _, t := range serialTables {
				if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), COALESCE((SELECT MAX(id) FROM `+t+`), 0) + 1, false)`); err != nil {
					return fmt.Errorf("store: copy %s: sequence: %w", t, err)
				}
			}
		}
		return nil
	})
}

func (db *DB) schemaVersion(ctx context.Context) (int64, error) {
	var v sql.NullInt64
	if err := db.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v.Int64, nil
}

// copyTable copies one table's rows, column by column as the source names
// them (both databases have the same columns; PostgreSQL's own rowid of
// deliveries is left to number itself).
func copyTable(ctx context.Context, src *DB, dst *sql.Tx, table string) (int64, error) {
	cols, err := columns(ctx, src, table)
	if err != nil {
		return 0, err
	}
	q := `SELECT ` + strings.Join(cols, ", ") + ` FROM ` + table
	if table == "deliveries" {
		q += ` ORDER BY rowid` // keep recipients in snapshot order
	}
	rows, err := src.db.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	insert := `INSERT INTO ` + table + `(` + strings.Join(cols, ", ") + `) VALUES (` + marks + `)`
	if table == "settings" {
		// Opening the destination may have written some already.
		insert += ` ON CONFLICT(key) DO UPDATE SET value = excluded.value`
	}
	stmt, err := dst.PrepareContext(ctx, insert)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	keyCol := -1
	if table == "settings" {
		keyCol = indexOf(cols, "key")
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		if keyCol >= 0 {
			if k, ok := vals[keyCol].(string); ok && contains(settingsNotCopied, k) {
				continue
			}
		}
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// columns lists a table's columns as both databases have them: without
// PostgreSQL's explicit rowid, which each database numbers itself.
func columns(ctx context.Context, db *DB, table string) ([]string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT * FROM `+table+` LIMIT 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := cols[:0]
	for _, c := range cols {
		if c != "rowid" {
			out = append(out, c)
		}
	}
	return out, nil
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func contains(s []string, v string) bool { return indexOf(s, v) >= 0 }
