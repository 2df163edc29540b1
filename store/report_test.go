package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"
)

// openReportDB opens a fresh database in a temporary folder for tests and
// benchmarks of the report queries.
func openReportDB(tb testing.TB) *DB {
	tb.Helper()
	db, err := openTestDB(testLocation(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func reportExec(tb testing.TB, db *DB, q string, args ...any) sql.Result {
	tb.Helper()
	res, err := db.SQL().Exec(q, args...)
	if err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return res
}

var reportDay = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func TestConsultationTotals(t *testing.T) {
	db := openReportDB(t)
	ctx := context.Background()
	rows := []struct {
		hour                         int
		resident, topic, kind, chann string
		feedback, handed             int
	}{
		{1, "a", "family", "faq", "telegram", 1, 0},
		{2, "a", "family", "faq", "telegram", 1, 0},
		{3, "b", "family", "articles", "telegram", -1, 1},
		{4, "", "debt", "staff", "phone", 0, 0},
		{5, "", "debt", "staff", "phone", 0, 0},
		{30, "c", "family", "faq", "telegram", 0, 0}, // the next day: outside
	}
	for _, r := range rows {
		reportExec(t, db, `INSERT INTO consultations(at, resident, topic, answer_kind, channel, feedback, handed_over) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			reportDay.Add(time.Duration(r.hour)*time.Hour).Unix(), r.resident, r.topic, r.kind, r.chann, r.feedback, r.handed)
	}
	got, err := db.ConsultationTotals(ctx, reportDay, reportDay.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	// The plan for long periods must count the same.
	defer func(n int64) { streamThreshold = n }(streamThreshold)
	streamThreshold = 0
	streamed, err := db.ConsultationTotals(ctx, reportDay, reportDay.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(streamed) != fmt.Sprint(got) {
		t.Errorf("long-period plan counts %+v, short-period plan %+v", streamed, got)
	}
	if got.Total() != 5 || got.Residents != 2 {
		t.Errorf("total %d residents %d, want 5 and 2", got.Total(), got.Residents)
	}
	want := map[string]int64{
		"family/faq/telegram/1/false":      2,
		"family/articles/telegram/-1/true": 1,
		"debt/staff/phone/0/false":         2,
	}
	if len(got.Groups) != len(want) {
		t.Errorf("groups %+v", got.Groups)
	}
	for _, g := range got.Groups {
		key := fmt.Sprintf("%s/%s/%s/%d/%t", g.Topic, g.AnswerKind, g.Channel, g.Feedback, g.HandedOver)
		if want[key] != g.Count {
			t.Errorf("group %s = %d, want %d", key, g.Count, want[key])
		}
	}

	counts, err := db.CountConsultations(ctx, []time.Time{reportDay, reportDay.Add(3 * time.Hour), reportDay.AddDate(0, 0, 1), reportDay.AddDate(0, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(counts) != "[2 3 1]" {
		t.Errorf("CountConsultations = %v, want [2 3 1] (half-open intervals)", counts)
	}
}

// TestLongPeriodPlanNeedsNoSort checks that the queries of a long period
// read covering indexes in group order, with no temporary sort.
func TestLongPeriodPlanNeedsNoSort(t *testing.T) {
	if testPostgres != "" {
		t.Skip("checks SQLite's query plans; PostgreSQL plans its own")
	}
	db := openReportDB(t)
	for _, q := range []string{
		`SELECT topic, answer_kind, channel, feedback, handed_over, COUNT(*) FROM consultations INDEXED BY consultations_dims WHERE at >= 0 AND at < 1 GROUP BY topic, answer_kind, channel, feedback, handed_over`,
		`SELECT COUNT(*) FROM (SELECT resident FROM consultations INDEXED BY consultations_resident_at WHERE at >= 0 AND at < 1 AND resident <> '' GROUP BY resident)`,
	} {
		rows, err := db.SQL().Query(`EXPLAIN QUERY PLAN ` + q)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		if !strings.Contains(p, "COVERING INDEX") || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("query: %s\nplan: %s\nwant a covering index and no temporary B-tree", q, p)
		}
	}
}

func TestTicketTotals(t *testing.T) {
	db := openReportDB(t)
	for i, delay := range []int64{3600, 7200, -1} {
		created := reportDay.Add(time.Duration(i) * time.Hour).Unix()
		var reply any
		if delay >= 0 {
			reply = created + delay
		}
		reportExec(t, db, `INSERT INTO tickets(created_at, first_reply_at, announced_at) VALUES (?, ?, ?)`, created, reply, created)
	}
	reportExec(t, db, `INSERT INTO tickets(created_at, first_reply_at, announced_at) VALUES (?, ?, ?)`, reportDay.Unix()-1, reportDay.Unix(), reportDay.Unix())
	got, err := db.TicketTotals(context.Background(), reportDay, reportDay.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if got.Created != 3 || got.Answered != 2 || fmt.Sprint(got.ReplyDelays) != "[1h0m0s 2h0m0s]" {
		t.Errorf("TicketTotals = %+v", got)
	}
}

func TestCampaignTotalsAndReach(t *testing.T) {
	db := openReportDB(t)
	ctx := context.Background()
	day := reportDay.Unix()
	for _, c := range []struct {
		id         int64
		kind       string
		registered int
		blocked    any
	}{{1, "private", 0, nil}, {2, "private", 0, nil}, {-10, "group", 1, nil}, {-20, "supergroup", 0, nil},
		{-30, "group", 1, nil}, {-40, "group", 1, day - 86400}} {
		reportExec(t, db, `INSERT INTO chats(chat_id, kind, group_registered, blocked_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.id, c.kind, c.registered, c.blocked, day-100, day-100)
	}
	occ := func(campaign, title, status string, at int64, deliveries map[int64]string) {
		var id int64
		if err := db.SQL().QueryRow(`INSERT INTO occurrences(campaign_id, scheduled_at, title, message, status, created_at) VALUES (?, ?, ?, 'm', ?, ?) RETURNING id`, campaign, at, title, status, at).Scan(&id); err != nil {
			t.Fatal(err)
		}
		for chat, st := range deliveries {
			reportExec(t, db, `INSERT INTO deliveries(occurrence_id, chat_id, status) VALUES (?, ?, ?)`, id, chat, st)
		}
	}
	occ("a", "甲一", "done", day+10, map[int64]string{1: "sent", 2: "sent", -10: "sent", 99: "blocked"})
	occ("a", "甲二", "done", day+20, map[int64]string{1: "sent", -20: "failed", -50: "sent"}) // -50 has no chats row
	occ("b", "乙", "done", day+30, map[int64]string{2: "sent"})
	occ("b", "乙（跳过）", "skipped", day+40, nil)
	occ("c", "丙", "done", day-10, map[int64]string{-20: "sent"}) // before the period

	list, err := db.CampaignTotals(ctx, reportDay, reportDay.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(list); got != "[{a 甲二 2 5 2} {b 乙 1 1 0}]" {
		t.Errorf("CampaignTotals = %s", got)
	}
	reach, err := db.Reach(ctx, reportDay, reportDay.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	// Groups: -10 and -50 were sent to, -10 and -30 are registered; -40
	// left before the period, -20 only failed.
	if reach.Groups != 3 || reach.PrivateChats != 2 {
		t.Errorf("Reach = %+v, want 3 groups and 2 private chats", reach)
	}
}

func TestSubscriptionEventCountsAndActive(t *testing.T) {
	db := openReportDB(t)
	ctx := context.Background()
	for i, kind := range []string{"subscribe", "subscribe", "unsubscribe", "blocked", "forget"} {
		reportExec(t, db, `INSERT INTO subscription_events(at, kind) VALUES (?, ?)`, reportDay.Unix()+int64(i), kind)
	}
	reportExec(t, db, `INSERT INTO subscription_events(at, kind) VALUES (?, 'subscribe')`, reportDay.Unix()-1)
	got, err := db.SubscriptionEventCounts(ctx, reportDay, reportDay.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "map[blocked:1 forget:1 subscribe:2 unsubscribe:1]" {
		t.Errorf("SubscriptionEventCounts = %v", got)
	}
	for _, c := range []struct {
		id      int64
		blocked any
	}{{1, nil}, {2, nil}, {3, reportDay.Unix()}} {
		reportExec(t, db, `INSERT INTO chats(chat_id, kind, blocked_at, created_at, updated_at) VALUES (?, 'private', ?, 0, 0)`, c.id, c.blocked)
		reportExec(t, db, `INSERT INTO subscriptions(chat_id, topic, created_at) VALUES (?, '*', 0), (?, 'family', 0)`, c.id, c.id)
	}
	if n, err := db.ActiveSubscribers(ctx); err != nil || n != 2 {
		t.Errorf("ActiveSubscribers = %d, %v; want 2", n, err)
	}
}

// BenchmarkRecordConsultation measures what recording a question adds to
// answering it (target: under 1 ms), with every report index in place and
// a database that already holds a year of consultations.
func BenchmarkRecordConsultation(b *testing.B) {
	db := openReportDB(b)
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.Prepare(`INSERT INTO consultations(at, resident, topic, answer_kind, question) VALUES (?, ?, 'family', 'faq', '问题')`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range 50000 {
			if _, err := stmt.Exec(reportDay.Unix()+int64(i)*600, fmt.Sprintf("r%05d", i%5000)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	resident, err := db.Pseudonym(ctx, 123456789)
	if err != nil {
		b.Fatal(err)
	}
	c := Consultation{
		Resident: resident, ChatType: "private", Topic: "family", AnswerKind: AnswerFAQ,
		Articles: []string{"《中华人民共和国民法典》第一千零七十九条"}, FAQID: "divorce-lawsuit",
		Question: "离婚要去哪里起诉", Latency: 35 * time.Millisecond,
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.RecordConsultation(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}
