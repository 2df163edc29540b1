package store

import (
	"context"
	"database/sql"
	"math"
	"testing"
	"time"
)

func TestRunRetention(t *testing.T) {
	db := openReportDB(t)
	ctx := context.Background()
	now := time.Date(2026, 9, 1, 3, 0, 0, 0, time.UTC)
	old, recent := now.AddDate(0, 0, -181), now.AddDate(0, 0, -179)

	// More old rows than one purge batch, to cover the batching loop.
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.Prepare(`INSERT INTO consultations(at, resident, topic, question) VALUES (?, 'r', 'family', '我想离婚怎么办')`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range purgeBatch + 7 {
			if _, err := stmt.Exec(old.Unix() - int64(i)); err != nil {
				return err
			}
		}
		for i := range 3 {
			if _, err := stmt.Exec(recent.Unix() + int64(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	reportExec(t, db, `INSERT INTO tickets(resident, question, answer, created_at, announced_at) VALUES ('r', '旧问题', '旧答复', ?, ?)`, old.Unix(), old.Unix())
	reportExec(t, db, `INSERT INTO tickets(resident, question, answer, created_at, announced_at) VALUES ('r', '新问题', '新答复', ?, ?)`, recent.Unix(), recent.Unix())

	count := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	clock := func() time.Time { return now }
	if err := RunRetention(ctx, db, 180, clock, nil); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT COUNT(*) FROM consultations`); n != purgeBatch+10 {
		t.Errorf("%d consultations after retention, want all %d kept", n, purgeBatch+10)
	}
	if n := count(`SELECT COUNT(*) FROM consultations WHERE question IS NOT NULL`); n != 3 {
		t.Errorf("%d consultations keep their text, want the 3 recent ones", n)
	}
	if n := count(`SELECT COUNT(*) FROM consultations WHERE question IS NULL AND at >= ?`, now.AddDate(0, 0, -180).Unix()); n != 0 {
		t.Errorf("%d recent questions purged", n)
	}
	if n := count(`SELECT COUNT(*) FROM tickets`); n != 2 {
		t.Errorf("%d tickets, want 2", n)
	}
	if n := count(`SELECT COUNT(*) FROM tickets WHERE question IS NULL AND answer IS NULL AND created_at = ?`, old.Unix()); n != 1 {
		t.Error("old ticket keeps its text")
	}
	if n := count(`SELECT COUNT(*) FROM tickets WHERE question = '新问题' AND answer = '新答复'`); n != 1 {
		t.Error("recent ticket lost its text")
	}

	// A day later the next run purges nothing new but what has aged.
	n, err := db.PurgeQuestions(ctx, now.AddDate(0, 0, -180))
	if err != nil || n != 0 {
		t.Errorf("second purge: %d rows, %v; want 0", n, err)
	}
	if err := RunRetention(ctx, db, 180, func() time.Time { return now.AddDate(0, 0, 2) }, nil); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT COUNT(*) FROM consultations WHERE question IS NOT NULL`); n != 0 {
		t.Errorf("%d questions survive two days later", n)
	}
	if err := RunRetention(ctx, db, 0, clock, nil); err == nil {
		t.Error("RunRetention accepted retain_days 0")
	}
}

// A retention period so long that the cut-off date arithmetic overflows
// must not wrap into the future and purge every question.
func TestRunRetentionRefusesOverflowingPeriods(t *testing.T) {
	db := openReportDB(t)
	ctx := context.Background()
	now := time.Date(2026, 9, 1, 3, 0, 0, 0, time.UTC)
	reportExec(t, db, `INSERT INTO consultations(at, resident, topic, question) VALUES (?, 'r', 'family', '我想离婚怎么办')`, now.Add(-time.Hour).Unix())
	for _, days := range []int{0, -1, MaxRetainDays + 1, 1 << 40, math.MaxInt64, math.MinInt64} {
		if err := RunRetention(ctx, db, days, func() time.Time { return now }, nil); err == nil {
			t.Errorf("RunRetention(%d days) = nil, want an error", days)
		}
	}
	if err := RunRetention(ctx, db, MaxRetainDays, func() time.Time { return now }, nil); err != nil {
		t.Errorf("RunRetention(%d days): %v", MaxRetainDays, err)
	}
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM consultations WHERE question IS NOT NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("an hour-old question was purged (%d left with text)", n)
	}
}
