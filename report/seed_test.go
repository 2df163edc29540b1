package report

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pufabot/pufabot/store"
)

// shanghai is the report time zone of every test.
var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, shanghai)
}

func mustOpen(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "pufabot.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func mustExec(tb testing.TB, db *store.DB, q string, args ...any) sql.Result {
	tb.Helper()
	res, err := db.SQL().Exec(q, args...)
	if err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return res
}

// seedTopics are cycled through by the seeded consultations.
var seedTopics = []string{"anti-fraud", "family", "labour", "", "debt", "family", "anti-fraud"}

// Known figures of the seeded year 2026 (Asia/Shanghai); see seedYear.
const (
	seedConsultations = 199 // 12 months of 10+m rows, plus one just after midnight on 1 January
	seedOffline       = 19  // every tenth generated row (k = 9, 19, …, 189)
	// Pseudonyms cycle through r00–r39, but r09, r19, r29 and r39 fall on
	// offline rows, which carry none.
	seedResidents = 36
)

// seedYear fills db with a deterministic year of activity in 2026 and a
// few rows just outside it. The counts it produces are the seed* constants
// and the golden files in testdata/.
func seedYear(tb testing.TB, db *store.DB) {
	tb.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		ins, err := tx.Prepare(`INSERT INTO consultations(at, resident, channel, chat_type, topic, answer_kind, question, feedback, handed_over)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		kinds := []string{KindFAQ, KindArticles, KindFAQ, KindCitation, KindNone}
		k := 0
		for m := time.January; m <= time.December; m++ {
			for i := 0; i < 10+int(m); i++ {
				t := at(2026, m, i%28+1, 9+i%10, 15)
				resident, channel, kind := fmt.Sprintf("r%02d", k%seedResidents), "telegram", kinds[k%len(kinds)]
				if k%10 == 9 {
					resident, channel, kind = "", []string{"phone", "visit"}[k/10%2], KindStaff
				}
				feedback := 0
				switch k % 6 {
				case 1, 2:
					feedback = 1
				case 3:
					feedback = -1
				}
				handed := k%13 == 0
				topic := seedTopics[k%len(seedTopics)]
				if k%17 == 5 && kind != KindStaff {
					kind, topic = KindSmallTalk, "" // 你好, 谢谢
				}
				if kind == KindStaff || kind == KindSmallTalk {
					feedback, handed = 0, false
				}
				if _, err := ins.Exec(t.Unix(), resident, channel, "private", topic, kind, "问题", feedback, handed); err != nil {
					return err
				}
				k++
			}
		}
		// Edges: one row inside the year (00:10 on 1 January, still 2025
		// in UTC), and two just outside.
		for _, t := range []time.Time{at(2026, 1, 1, 0, 10), at(2025, 12, 31, 23, 59), at(2027, 1, 1, 0, 0)} {
			if _, err := ins.Exec(t.Unix(), "r00", "telegram", "group", "traffic", KindFAQ, "问题", 0, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}

	// Hand-over tickets: first replies after 1, 2, 3 and 30 hours, one
	// unanswered, one from 2025.
	for i, delay := range []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour, 30 * time.Hour, -1} {
		created := at(2026, time.Month(2+i), 10, 10, 0)
		var reply any
		if delay >= 0 {
			reply = created.Add(delay).Unix()
		}
		mustExec(tb, db, `INSERT INTO tickets(chat_id, resident, question, answer, status, created_at, first_reply_at, announced_at) VALUES (?, 'r01', '问题', '答复', 'answered', ?, ?, ?)`,
			i+1, created.Unix(), reply, created.Unix())
	}
	mustExec(tb, db, `INSERT INTO tickets(chat_id, resident, question, status, created_at, first_reply_at, announced_at) VALUES (1, 'r01', '问题', 'closed', ?, ?, ?)`,
		at(2025, 6, 1, 9, 0).Unix(), at(2025, 6, 1, 10, 0).Unix(), at(2025, 6, 1, 9, 0).Unix())

	// Chats: five residents, groups -100 (registered), -200 (not
	// registered) and -300 (registered, never sent to).
	for _, c := range []struct {
		id         int64
		kind       string
		registered int
	}{{1, "private", 0}, {2, "private", 0}, {3, "private", 0}, {4, "private", 0}, {5, "private", 0},
		{-100, "supergroup", 1}, {-200, "group", 0}, {-300, "group", 1}} {
		mustExec(tb, db, `INSERT INTO chats(chat_id, kind, group_registered, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			c.id, c.kind, c.registered, at(2025, 12, 1, 0, 0).Unix(), at(2025, 12, 1, 0, 0).Unix())
	}
	for _, id := range []int64{1, 2, 3, -100} {
		mustExec(tb, db, `INSERT INTO subscriptions(chat_id, topic, created_at) VALUES (?, '*', ?)`, id, at(2026, 1, 5, 0, 0).Unix())
	}

	// Campaign occurrences and their deliveries.
	type delivery struct {
		chat   int64
		status string
	}
	occ := func(campaign, title, kind, status string, when time.Time, ds ...delivery) {
		res := mustExec(tb, db, `INSERT INTO occurrences(campaign_id, scheduled_at, kind, title, message, status, created_at) VALUES (?, ?, ?, ?, '正文', ?, ?)`,
			campaign, when.Unix(), kind, title, status, when.Unix())
		id, _ := res.LastInsertId()
		for _, d := range ds {
			mustExec(tb, db, `INSERT INTO deliveries(occurrence_id, chat_id, status, sent_at) VALUES (?, ?, ?, ?)`, id, d.chat, d.status, when.Add(time.Minute).Unix())
		}
	}
	occ("consumer-315", "3·15国际消费者权益日", "scheduled", "done", at(2026, 3, 15, 10, 0),
		delivery{1, "sent"}, delivery{2, "sent"}, delivery{3, "sent"}, delivery{4, "sent"}, delivery{5, "sent"},
		delivery{-100, "sent"}, delivery{-200, "sent"}, delivery{6, "blocked"})
	occ("constitution-day", "12·4国家宪法日", "scheduled", "done", at(2026, 12, 4, 10, 0),
		delivery{1, "sent"}, delivery{2, "sent"}, delivery{-100, "sent"}, delivery{3, "failed"})
	occ("anti-fraud-monthly", "防范电信网络诈骗提醒", "scheduled", "done", at(2026, 4, 1, 10, 0),
		delivery{1, "sent"}, delivery{2, "sent"})
	occ("anti-fraud-monthly", "防范电信网络诈骗提醒（五月）", "scheduled", "done", at(2026, 5, 1, 10, 0),
		delivery{1, "sent"}, delivery{2, "pending"})
	occ("anti-fraud-monthly", "防范电信网络诈骗提醒（六月）", "scheduled", "skipped", at(2026, 6, 1, 10, 0))
	occ("drugs-626", "6·26国际禁毒日", "scheduled", "done", at(2025, 6, 26, 10, 0),
		delivery{1, "sent"}, delivery{-200, "sent"})

	// Subscription events: 7 subscribe, 2 unsubscribe, 1 blocked and 1
	// forget in 2026; 3 subscribe in 2025.
	ev := func(kind string, n int, when time.Time) {
		for i := 0; i < n; i++ {
			mustExec(tb, db, `INSERT INTO subscription_events(at, kind, topic) VALUES (?, ?, '*')`, when.Add(time.Duration(i)*time.Hour).Unix(), kind)
		}
	}
	ev("subscribe", 7, at(2026, 2, 1, 8, 0))
	ev("unsubscribe", 2, at(2026, 7, 1, 8, 0))
	ev("blocked", 1, at(2026, 8, 1, 8, 0))
	ev("forget", 1, at(2026, 9, 1, 8, 0))
	ev("subscribe", 3, at(2025, 11, 1, 8, 0))
}
