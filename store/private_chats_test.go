package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestUpgradeRetiresOldChatIDs opens a database written before chat ids
// were kept only while needed: migration 0040 and the keyed step after it
// remove what is no longer needed, once, and keep what still works.
func TestUpgradeRetiresOldChatIDs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pufabot.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const at = 1_742_004_321
	// The old way: every private chat that wrote, with times; closed
	// tickets, their relays and finished deliveries with raw ids.
	for _, q := range []string{
		`INSERT INTO chats(chat_id, kind, created_at, updated_at) VALUES (1, 'private', 1742004321, 1742004321), (2, 'private', 1742004321, 1742004321), (-5, 'group', 1742004321, 1742004321)`,
		`INSERT INTO subscriptions(chat_id, topic, created_at) VALUES (1, 'family', 1742004321), (-5, '*', 1742004321)`,
		`INSERT INTO subscription_events(at, kind, topic) VALUES (1742004321, 'subscribe', 'family')`,
		`INSERT INTO tickets(id, chat_id, resident, status, created_at, announced_at) VALUES (1, 2, 'p2', 'closed', 1742004321, 1742004321), (2, 3, 'p3', 'open', 1742004321, 1742004321)`,
		`INSERT INTO ticket_relays(chat_id, message_id, ticket_id) VALUES (2, 50, 1), (3, 60, 2)`,
		`INSERT INTO occurrences(id, campaign_id, scheduled_at, message, status, created_at) VALUES (1, 'c', 1742004321, 'm', 'running', 1742004321)`,
		`INSERT INTO deliveries(occurrence_id, chat_id, status, error) VALUES (1, 1, 'sent', ''), (1, 4, 'pending', ''), (1, -5, 'sent', ''),
			(1, 6, 'failed', 'bot: sendMessage to chat 6: Bad Request: chat not found')`,
		`INSERT INTO telegram_updates(update_id, chat_id, received_at, done_at) VALUES (1, 2, 1742004321, 1742004321), (2, 3, 1742004321, NULL)`,
		`DELETE FROM schema_migrations WHERE version = 40`,
		`DELETE FROM settings WHERE key IN ('` + settingChatRefs + `', '` + settingRefsPerUse + `')`,
	} {
		reportExec(t, db, q)
	}
	ref, relayRef := db.DeliveryRef, db.RelayRef
	db.Close()

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	check := func(what, q string, want int, args ...any) {
		t.Helper()
		if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != want {
			t.Errorf("%s: %d, want %d", what, n, want)
		}
	}
	check("private chats without a subscription", `SELECT COUNT(*) FROM chats WHERE chat_id = 2`, 0)
	check("subscriber's chat, without times", `SELECT COUNT(*) FROM chats WHERE chat_id = 1 AND created_at = 0 AND updated_at = 0`, 1)
	check("group kept with its time", `SELECT COUNT(*) FROM chats WHERE chat_id = -5 AND created_at = 1742004321`, 1)
	check("subscriptions with a time", `SELECT COUNT(*) FROM subscriptions WHERE created_at <> 0`, 0)
	check("subscriptions", `SELECT COUNT(*) FROM subscriptions`, 2)
	check("events with a topic or a second", `SELECT COUNT(*) FROM subscription_events WHERE topic <> '*' OR at % 3600 <> 0`, 0)
	check("closed ticket with a chat id", `SELECT COUNT(*) FROM tickets WHERE id = 1 AND chat_id IS NOT NULL`, 0)
	check("open ticket's chat id", `SELECT COUNT(*) FROM tickets WHERE id = 2 AND chat_id = 3`, 1)
	check("closed ticket's relay by ref", `SELECT COUNT(*) FROM ticket_relays WHERE ticket_id = 1 AND chat_id = ?`, 1, relayRef(2, 50))
	check("open ticket's relay", `SELECT COUNT(*) FROM ticket_relays WHERE ticket_id = 2 AND chat_id = 3`, 1)
	check("sent delivery by ref", `SELECT COUNT(*) FROM deliveries WHERE chat_id = ? AND status = 'sent'`, 1, ref(1))
	check("pending delivery", `SELECT COUNT(*) FROM deliveries WHERE chat_id = 4 AND status = 'pending'`, 1)
	check("group delivery", `SELECT COUNT(*) FROM deliveries WHERE chat_id = -5`, 1)
	check("errors quoting a chat id", `SELECT COUNT(*) FROM deliveries WHERE error LIKE '%chat 6%'`, 0)
	check("errors kept", `SELECT COUNT(*) FROM deliveries WHERE error = 'bot: sendMessage to a resident''s chat: Bad Request: chat not found' AND chat_id = ?`, 1, ref(6))
	check("handled update's chat", `SELECT COUNT(*) FROM telegram_updates WHERE update_id = 1 AND chat_id = 0`, 1)
	check("unhandled update's chat", `SELECT COUNT(*) FROM telegram_updates WHERE update_id = 2 AND chat_id = 3`, 1)

	// What still works: a reply to the closed ticket's relay finds it,
	// subscribers and reach counts are right.
	if tk, err := db.TicketForRelay(ctx, 2, 50); err != nil || tk.ID != 1 {
		t.Fatalf("TicketForRelay after the upgrade = %+v, %v", tk, err)
	}
	if ids, _ := db.Subscribers(ctx, "family"); len(ids) != 2 {
		t.Errorf("subscribers of family = %v", ids)
	}
	r, err := db.Reach(ctx, timeUnix(at-10), timeUnix(at+10))
	if err != nil || r.PrivateChats != 1 || r.Groups != 1 {
		t.Errorf("reach = %+v, %v; want 1 private chat, 1 group", r, err)
	}
}

func timeUnix(sec int64) time.Time { return time.Unix(sec, 0) }

// deliveryRowOrder returns an occurrence's delivery chat ids in row order.
func deliveryRowOrder(t *testing.T, db *DB, occ int64) []int64 {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT chat_id FROM deliveries WHERE occurrence_id = ? ORDER BY rowid`, occ)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// zipsWithSubscribers reports whether the finished deliveries' stand-ins,
// in row order, line up with the recipients sorted by chat id: someone
// holding the database alone could then tell whose stand-in is whose.
func zipsWithSubscribers(db *DB, rowOrder, chats []int64) bool {
	if len(rowOrder) != len(chats) {
		return false
	}
	for i, id := range chats {
		if rowOrder[i] != db.DeliveryRef(id) {
			return false
		}
	}
	return true
}

// TestDeliveryRowsTellNothing: a finished delivery's stand-in is not the
// one its chat has in a closed ticket's relayed messages (which differ per
// message), and the deliveries' row order does not follow chat ids.
func TestDeliveryRowsTellNothing(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	var chats []int64
	for id := int64(1001); id <= 1040; id++ {
		seedChat(t, db, id, "private", false, "*")
		chats = append(chats, id)
	}
	o := mustCreate(t, db, Occurrence{CampaignID: "c", ScheduledAt: time.Unix(1_800_000_000, 0), Message: "m"})
	if _, err := db.StartOccurrence(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range chats {
		if err := db.RecordDelivery(ctx, o.ID, id, DeliveryResult{Status: DeliverySent}); err != nil {
			t.Fatal(err)
		}
	}
	order := deliveryRowOrder(t, db, o.ID)
	for _, id := range order {
		if id < chatRefBase {
			t.Fatalf("finished delivery keeps chat id %d", id)
		}
	}
	if zipsWithSubscribers(db, order, chats) {
		t.Error("deliveries in row order line up with the sorted subscribers")
	}
	if p, _ := db.CampaignCounts(ctx, time.Unix(0, 0), time.Unix(1_900_000_000, 0)); len(p) != 1 || p[0].Reached != 40 {
		t.Errorf("campaign counts = %+v, want 40 reached", p)
	}

	// Chat 1001 also had a ticket, closed: its relayed messages share no
	// number with its delivery, nor with each other.
	tk, err := db.OpenTicket(ctx, Ticket{ChatID: 1001, Resident: "p1001", Question: "q"})
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []int{7, 8} {
		if err := db.AddTicketRelay(ctx, tk, 1001, msg); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := db.CloseTicket(ctx, tk); err != nil {
		t.Fatal(err)
	}
	var shared, relays int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM deliveries d, ticket_relays r WHERE d.chat_id = r.chat_id`).Scan(&shared)
	db.SQL().QueryRow(`SELECT COUNT(DISTINCT chat_id) FROM ticket_relays WHERE chat_id >= ?`, chatRefBase).Scan(&relays)
	if shared != 0 || relays != 2 {
		t.Errorf("%d relays share their number with a delivery; %d distinct stand-ins for 2 relays", shared, relays)
	}
	for _, msg := range []int{7, 8} {
		if got, err := db.TicketForRelay(ctx, 1001, msg); err != nil || got.ID != tk {
			t.Errorf("reply to relayed message %d finds %+v, %v", msg, got, err)
		}
	}
	if _, err := db.TicketForRelay(ctx, 1002, 7); err == nil {
		t.Error("another chat's reply to message 7 finds the ticket")
	}
}

// TestUpgradeGivesStandInsPerUse opens a database whose finished
// deliveries and closed relays carry the one stand-in per chat of the
// earlier form, in chat id order: they get a stand-in per use, and the
// deliveries an order that tells nothing.
func TestUpgradeGivesStandInsPerUse(t *testing.T) {
	ctx := context.Background()
	loc := testLocation(t)
	db, err := openTestDB(loc)
	if err != nil {
		t.Fatal(err)
	}
	reportExec(t, db, `INSERT INTO occurrences(id, campaign_id, scheduled_at, message, status, created_at) VALUES (1, 'c', 1742004321, 'm', 'done', 1742004321)`)
	reportExec(t, db, `INSERT INTO tickets(id, resident, status, created_at, announced_at) VALUES (1, 'p', 'closed', 1742004321, 1742004321)`)
	var chats []int64
	for id := int64(2001); id <= 2030; id++ {
		chats = append(chats, id)
		reportExec(t, db, `INSERT INTO deliveries(occurrence_id, chat_id, status) VALUES (1, ?, 'sent')`, db.chatRef(id))
	}
	reportExec(t, db, `INSERT INTO ticket_relays(chat_id, message_id, ticket_id) VALUES (?, 9, 1)`, db.chatRef(2001))
	reportExec(t, db, `DELETE FROM settings WHERE key = '`+settingRefsPerUse+`'`)
	db.Close()

	if db, err = openTestDB(loc); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	order := deliveryRowOrder(t, db, 1)
	seen := map[int64]bool{}
	for _, id := range order {
		seen[id] = true
	}
	for _, id := range chats {
		if !seen[db.DeliveryRef(id)] {
			t.Fatalf("delivery to %d lost its stand-in: %v", id, order)
		}
	}
	if zipsWithSubscribers(db, order, chats) {
		t.Error("deliveries in row order still line up with the sorted chat ids")
	}
	var shared int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM deliveries d, ticket_relays r WHERE d.chat_id = r.chat_id`).Scan(&shared)
	if shared != 0 {
		t.Error("a relay still shares its stand-in with a delivery")
	}
	if tk, err := db.TicketForRelay(ctx, 2001, 9); err != nil || tk.ID != 1 {
		t.Errorf("reply to the old relay finds %+v, %v", tk, err)
	}
}

// TestRelayAfterCloseKeepsNoChatID: a staff reply sent while the ticket
// was being closed is linked after the close; its chat id is not stored
// next to the closed ticket, and the resident's reply still finds it.
func TestRelayAfterCloseKeepsNoChatID(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	tk, err := db.OpenTicket(ctx, Ticket{ChatID: 4242, Resident: "p", Question: "q"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CloseTicket(ctx, tk); err != nil {
		t.Fatal(err)
	}
	if err := db.AddTicketRelay(ctx, tk, 4242, 77); err != nil {
		t.Fatal(err)
	}
	var raw int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM ticket_relays WHERE chat_id = 4242`).Scan(&raw)
	if raw != 0 {
		t.Error("a closed ticket's relay stores the chat id")
	}
	if got, err := db.TicketForRelay(ctx, 4242, 77); err != nil || got.ID != tk {
		t.Errorf("reply to the late relay finds %+v, %v", got, err)
	}
}

// TestBlockedResidentKeepsNoTime: a subscriber who blocks the bot stays
// counted as blocked, without the time it happened next to the chat id;
// a group keeps its time.
func TestBlockedResidentKeepsNoTime(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	db.Now = func() time.Time { return time.Unix(1_800_000_123, 0) }
	seedChat(t, db, 5150, "private", false, "*")
	seedChat(t, db, -5150, "group", true)
	for _, id := range []int64{5150, -5150} {
		if changed, err := db.MarkBlocked(ctx, id); err != nil || !changed {
			t.Fatalf("MarkBlocked(%d) = %v, %v", id, changed, err)
		}
	}
	var private, group int64
	db.SQL().QueryRow(`SELECT blocked_at FROM chats WHERE chat_id = 5150`).Scan(&private)
	db.SQL().QueryRow(`SELECT blocked_at FROM chats WHERE chat_id = -5150`).Scan(&group)
	if private != 0 || group != 1_800_000_123 {
		t.Errorf("blocked_at = %d (resident), %d (group); want 0 and the time", private, group)
	}
	if c, err := db.CountChats(ctx); err != nil || c.Blocked != 2 || c.Subscribers != 0 {
		t.Errorf("counts = %+v, %v; want 2 blocked, no reachable subscriber", c, err)
	}
	if c, _ := db.GetChat(ctx, 5150); c.BlockedAt.IsZero() {
		t.Error("the blocked resident's chat reads as deliverable")
	}
	// Writing again unblocks.
	if err := db.UpsertChat(ctx, Chat{ID: 5150, Kind: ChatPrivate}); err != nil {
		t.Fatal(err)
	}
	if ids, _ := db.Subscribers(ctx, AllTopics); len(ids) != 1 || ids[0] != 5150 {
		t.Errorf("subscribers after unblocking = %v", ids)
	}
}

// TestRetentionClosesIdleTickets: a ticket left answered (or open and no
// longer announced) for IdleTicketDays is closed by the retention job,
// dropping its chat id; one with recent activity stays.
func TestRetentionClosesIdleTickets(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	db.Now = func() time.Time { return now }
	idle, err := db.OpenTicket(ctx, Ticket{ChatID: 6001, Resident: "p1", Question: "q"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkTicketReplied(ctx, idle); err != nil {
		t.Fatal(err)
	}
	if err := db.AddTicketRelay(ctx, idle, 6001, 5); err != nil {
		t.Fatal(err)
	}
	active, err := db.OpenTicket(ctx, Ticket{ChatID: 6002, Resident: "p2", Question: "q"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkTicketReplied(ctx, active); err != nil {
		t.Fatal(err)
	}
	// 29 days later the resident writes back on the second one.
	now = now.AddDate(0, 0, 29)
	if err := db.AddTicketMessage(ctx, active, -100777, 99); err != nil {
		t.Fatal(err)
	}
	now = now.AddDate(0, 0, 2)
	if err := RunRetention(ctx, db, 180, nil, nil); err != nil {
		t.Fatal(err)
	}
	if tk, _ := db.GetTicket(ctx, idle); tk.Status != TicketClosed || tk.ChatID != 0 {
		t.Errorf("idle ticket = %+v, want closed without its chat id", tk)
	}
	var raw int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM ticket_relays WHERE chat_id = 6001`).Scan(&raw)
	if raw != 0 {
		t.Error("the idle ticket's relay keeps the chat id")
	}
	if tk, _ := db.GetTicket(ctx, active); tk.Status != TicketAnswered || tk.ChatID != 6002 {
		t.Errorf("active ticket = %+v, want still answered", tk)
	}
}
