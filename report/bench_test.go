package report

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/pufabot/pufabot/store"
)

// seedBulk inserts n consultations spread evenly over 2026 (Asia/Shanghai)
// in one transaction with one prepared statement, the way a busy county's
// year looks: 50,000 residents, every topic, answer kind and channel. The
// table's indexes are dropped first and rebuilt after, which is several
// times faster than updating them row by row.
func seedBulk(tb testing.TB, db *store.DB, n int) {
	tb.Helper()
	names, indexes := map[string]string{}, []string{}
	rows, err := db.SQL().Query(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'consultations' AND sql IS NOT NULL`)
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var name, ddl string
		if err := rows.Scan(&name, &ddl); err != nil {
			tb.Fatal(err)
		}
		names[name] = ddl
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	rows.Close()
	for name, ddl := range names {
		mustExec(tb, db, `DROP INDEX `+name)
		indexes = append(indexes, ddl)
	}
	defer func() {
		for _, ddl := range indexes {
			mustExec(tb, db, ddl)
		}
	}()

	topics := make([]string, 0, len(DefaultTopicNames)+1)
	for id := range DefaultTopicNames {
		topics = append(topics, id)
	}
	sort.Strings(topics)
	topics = append(topics, "")
	kinds := []string{KindFAQ, KindArticles, KindCitation, KindNone, KindFAQ, KindStaff}
	channels := map[string]string{KindStaff: "phone"}
	start, end := year2026[0].Unix(), year2026[1].Unix()
	step := float64(end-start) / float64(n)
	err = db.Tx(context.Background(), func(tx *sql.Tx) error {
		stmt, err := tx.Prepare(`INSERT INTO consultations(at, resident, channel, chat_type, topic, answer_kind, question, feedback, handed_over)
			VALUES (?, ?, ?, 'private', ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range n {
			kind := kinds[i%len(kinds)]
			channel, resident := "telegram", fmt.Sprintf("%024x", (i*7919)%50000)
			if c, ok := channels[kind]; ok {
				channel, resident = c, ""
			}
			if _, err := stmt.Exec(start+int64(float64(i)*step), resident, channel, topics[(i*31)%len(topics)], kind, "问题", i%3-1, i%17 == 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkYearlyReport1M builds the yearly report over 1,000,000
// consultations (target: under 2 s per report).
func BenchmarkYearlyReport1M(b *testing.B) {
	const n = 1_000_000
	db := mustOpen(b)
	t0 := time.Now()
	seedBulk(b, db, n)
	b.Logf("seeded %d consultations in %s", n, time.Since(t0).Round(time.Millisecond))
	ctx := context.Background()
	for b.Loop() {
		r, err := Build(ctx, db, year2026[0], year2026[1], shanghai)
		if err != nil {
			b.Fatal(err)
		}
		if r.Consultations != n {
			b.Fatalf("report counts %d consultations, want %d", r.Consultations, n)
		}
	}
}
