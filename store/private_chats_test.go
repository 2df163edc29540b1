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
		`DELETE FROM settings WHERE key = '` + settingChatRefs + `'`,
	} {
		reportExec(t, db, q)
	}
	ref := db.ChatRef
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
	check("closed ticket's relay by ref", `SELECT COUNT(*) FROM ticket_relays WHERE ticket_id = 1 AND chat_id = ?`, 1, ref(2))
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
