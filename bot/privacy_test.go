package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/pufabot/pufabot/store"
)

const (
	carol int64 = 7034219587 // a resident who only asks and presses buttons
	dave  int64 = 5550001234 // a subscriber who receives a campaign, then leaves
	erin  int64 = 6120004417 // a subscriber who asks, then blocks the bot
)

// TestPrivateChatKeptOnlyWhileNeeded: a private chat's id is stored while
// it has a subscription or an open ticket, and deleted when that ends.
func TestPrivateChatKeptOnlyWhileNeeded(t *testing.T) {
	h := newHarness(t)
	h.start()
	ctx := context.Background()
	noChat := func(who string, id int64) {
		t.Helper()
		if c, err := h.db.GetChat(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("%s: chat row %+v, %v; want none", who, c, err)
		}
	}

	// Asking and pressing buttons stores no chat.
	h.say(carol, carol, "/start")
	h.press(carol, carol, h.lastMessage(carol), btnTopics)
	h.say(carol, carol, "离婚")
	h.press(carol, carol, h.lastMessage(carol), btnHelpful)
	noChat("a resident who asked", carol)

	// A subscription stores it, without a time; leaving deletes it.
	h.say(alice, alice, "/subscribe all")
	c, err := h.db.GetChat(ctx, alice)
	if err != nil || c.Kind != store.ChatPrivate || !c.CreatedAt.Equal(time.Unix(0, 0)) || !c.UpdatedAt.Equal(time.Unix(0, 0)) {
		t.Fatalf("subscriber's chat = %+v, %v", c, err)
	}
	h.say(alice, alice, "/unsubscribe all")
	noChat("after unsubscribing", alice)

	// A ticket keeps its chat id while open, not after it closes.
	h.say(bob, bob, "老板拖欠工资")
	h.press(bob, bob, h.lastMessage(bob), btnHandOver)
	noChat("a resident with a ticket", bob)
	if tk, _ := h.db.GetTicket(ctx, 1); tk.ChatID != bob {
		t.Fatalf("open ticket chat = %d", tk.ChatID)
	}
	h.staffReply(adminID, h.ticketMessage(1), "请带上劳动合同。")
	relayed := h.lastMessage(bob)
	h.say(staffChat, adminID, "/close 1")
	contains(t, h.last(bob), "工单 1 号）已经办结") // still told, with the id it had
	if tk, _ := h.db.GetTicket(ctx, 1); tk.ChatID != 0 || tk.Status != store.TicketClosed {
		t.Fatalf("closed ticket = %+v", tk)
	}
	var raw int
	h.db.SQL().QueryRow(`SELECT COUNT(*) FROM ticket_relays WHERE chat_id = ?`, bob).Scan(&raw)
	if raw != 0 {
		t.Fatal("a closed ticket's relayed messages keep the chat id")
	}
	// Staff can no longer write to the resident...
	h.staffReply(adminID, h.ticketMessage(1), "还有一件事")
	contains(t, h.last(staffChat), "已办结")
	// ...but the resident's reply to the relayed message reopens the
	// ticket, and staff replies reach them again.
	h.send(models.Update{Message: &models.Message{ID: 61001, From: &models.User{ID: bob}, Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: bob, Type: models.ChatTypePrivate}, Text: "合同找不到了怎么办？",
		ReplyToMessage: &models.Message{ID: relayed.ID, Chat: models.Chat{ID: bob, Type: models.ChatTypePrivate}}}})
	contains(t, h.last(staffChat), "合同找不到了怎么办？")
	if tk, _ := h.db.GetTicket(ctx, 1); tk.ChatID != bob || tk.Status == store.TicketClosed {
		t.Fatalf("reopened ticket = %+v", tk)
	}
	h.staffReply(adminID, h.ticketMessage(1), "可以用工资条。")
	contains(t, h.last(bob), "可以用工资条。")
	noChat("a resident whose ticket was reopened", bob)

	// Village groups are stored as before.
	h.send(groupMessage(1, adminID, "/register_group"))
	if g, err := h.db.GetChat(ctx, village); err != nil || !g.Registered {
		t.Fatalf("village group = %+v, %v", g, err)
	}
}

// TestDatabaseAloneLinksNoConsultationToATelegramID simulates residents
// who ask, press buttons, subscribe, receive a campaign, unsubscribe, and
// hand over to staff, then reads the database file alone — no key file —
// the way someone holding a copied disk or a backup would, and tries to tie
// any consultation to a Telegram id: hashing every stored number with every
// stored value as the key, and looking for any row that holds a resident's
// id next to anything else.
func TestDatabaseAloneLinksNoConsultationToATelegramID(t *testing.T) {
	h := newHarness(t)
	h.start()
	ctx := context.Background()

	// alice asks, finds it helpful and subscribes: her chat id must stay.
	h.say(alice, alice, "离婚")
	h.press(alice, alice, h.lastMessage(alice), btnHelpful)
	h.say(alice, alice, "/subscribe all")
	// bob hands over to staff, gets an answer, writes back; closed.
	h.say(bob, bob, "老板拖欠工资")
	h.press(bob, bob, h.lastMessage(bob), btnHandOver)
	h.staffReply(adminID, h.ticketMessage(1), "请带上劳动合同。")
	relayed := h.lastMessage(bob)
	h.send(models.Update{Message: &models.Message{ID: 61001, From: &models.User{ID: bob}, Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: bob, Type: models.ChatTypePrivate}, Text: "好的",
		ReplyToMessage: &models.Message{ID: relayed.ID, Chat: models.Chat{ID: bob, Type: models.ChatTypePrivate}}}})
	h.say(staffChat, adminID, "/close 1")
	// alice also hands a question over; staff answer twice; closed.
	h.say(alice, alice, "老板拖欠工资")
	h.press(alice, alice, h.lastMessage(alice), btnHandOver)
	h.staffReply(adminID, h.ticketMessage(2), "请带上工资条。")
	h.staffReply(adminID, h.ticketMessage(2), "也可以申请劳动仲裁。")
	h.say(staffChat, adminID, "/close 2")
	// carol only asks and presses buttons.
	h.say(carol, carol, "/start")
	h.press(carol, carol, h.lastMessage(carol), btnTopics)
	h.say(carol, carol, "老板拖欠工资")
	// dave subscribes, asks, leaves and blocks the bot while a campaign
	// is on its way to him.
	h.say(dave, dave, "/subscribe all")
	h.say(dave, dave, "离婚")
	// erin subscribes, asks, and blocks the bot before the campaign.
	h.say(erin, erin, "/subscribe all")
	h.say(erin, erin, "宅基地纠纷")
	occ, err := h.db.AddOccurrence(ctx, store.Occurrence{CampaignID: "3-15", ScheduledAt: h.clock.Now(), Message: "3·15 提醒"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.StartOccurrence(ctx, occ.ID); err != nil {
		t.Fatal(err)
	}
	h.say(dave, dave, "/unsubscribe all")
	h.srv.Block(dave)
	h.srv.Block(erin)
	for _, id := range []int64{alice, dave, erin} {
		r := store.DeliveryResult{Status: store.DeliverySent}
		if err := h.b.SendCampaign(ctx, id, "3·15 提醒", nil); err != nil {
			r = store.DeliveryResult{Status: store.DeliveryBlocked, Error: err.Error()}
			// as the scheduler does
			if _, err := h.db.MarkBlocked(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := h.db.RecordDelivery(ctx, occ.ID, id, r); err != nil {
			t.Fatal(err)
		}
	}
	var blocked int
	h.db.SQL().QueryRow(`SELECT COUNT(*) FROM deliveries WHERE status = 'blocked' AND error <> ''`).Scan(&blocked)
	if blocked != 2 {
		t.Fatalf("%d blocked deliveries with an error, want dave's and erin's", blocked)
	}
	if c, err := h.db.CountChats(ctx); err != nil || c.Blocked != 1 {
		t.Fatalf("chat counts = %+v, %v; want erin counted as blocked", c, err)
	}
	// A question in a village group.
	h.send(groupMessage(1, carol, "@pufa_test_bot 宅基地纠纷"))
	h.stop()

	keyFile := filepath.Join(filepath.Dir(h.path), store.DefaultKeyFile)
	keyHex, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	h.db.Close()
	// The file alone: copy it (with its log) where no key file is.
	dir := t.TempDir()
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(h.path + suffix)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "copy.db"+suffix), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "copy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	dump := dumpTables(t, raw)

	residents := map[int64]string{alice: "alice", bob: "bob", carol: "carol", dave: "dave", erin: "erin"}
	pseudonyms := map[string]bool{}
	for _, row := range dump["consultations"] {
		if p, _ := row["resident"].(string); p != "" {
			pseudonyms[p] = true
		}
	}
	if len(pseudonyms) != 5 {
		t.Fatalf("%d residents in consultations, want 5 (the simulation did not run as planned)", len(pseudonyms))
	}

	// 1. No row holds a resident's Telegram id except alice's and erin's
	// subscriptions (erin's marked blocked), and those rows hold nothing
	// else: no time, no pseudonym, no consultation or ticket number.
	for table, rows := range dump {
		for _, row := range rows {
			var who []string
			for _, v := range row {
				if n, ok := v.(int64); ok && residents[n] != "" {
					who = append(who, residents[n])
				}
			}
			if len(who) == 0 {
				continue
			}
			if !(table == "chats" || table == "subscriptions") || len(who) != 1 || (who[0] != "alice" && who[0] != "erin") {
				t.Errorf("%s row %v holds the Telegram id of %v", table, row, who)
				continue
			}
			for col, v := range row {
				switch x := v.(type) {
				case int64:
					if residents[x] != who[0] && x != 0 && x != 1 {
						t.Errorf("%s row of %s's chat holds %s = %d", table, who[0], col, x)
					}
				case string:
					if pseudonyms[x] || len(x) > 16 {
						t.Errorf("%s row of %s's chat holds %s = %q", table, who[0], col, x)
					}
				}
			}
		}
	}

	// ...nor does any text quote one.
	quoted := regexp.MustCompile(fmt.Sprintf(`\b(%d|%d|%d|%d)\b`, alice, bob, carol, dave))
	for table, rows := range dump {
		for _, row := range rows {
			for col, v := range row {
				if s, ok := v.(string); ok && quoted.MatchString(s) {
					t.Errorf("%s.%s quotes a resident's Telegram id: %q", table, col, s)
				}
			}
		}
	}

	// ...nor can tables be joined on a stand-in: the same large number
	// (a keyed stand-in of a chat) is never stored in two tables, nor
	// twice among relayed messages. Otherwise alice's subscription →
	// her delivery → her closed ticket's relay → its resident → her
	// consultations.
	where := map[int64]map[string]int{}
	for table, rows := range dump {
		for _, row := range rows {
			for col, v := range row {
				if n, ok := v.(int64); ok && n > 1<<53 && col != "rowid" {
					if where[n] == nil {
						where[n] = map[string]int{}
					}
					where[n][table]++
				}
			}
		}
	}
	standIns := 0
	for n, tables := range where {
		standIns++
		if len(tables) > 1 || tables["ticket_relays"] > 1 {
			t.Errorf("stand-in %d is stored in %v", n, tables)
		}
	}
	if len(dump["ticket_relays"]) < 3 || standIns < 5 {
		t.Fatalf("%d relayed messages, %d stand-ins: the simulation did not run as planned", len(dump["ticket_relays"]), standIns)
	}
	linked, err := raw.Query(`SELECT s.chat_id, t.resident FROM subscriptions s, deliveries d, ticket_relays r JOIN tickets t ON t.id = r.ticket_id WHERE d.chat_id = r.chat_id`)
	if err != nil {
		t.Fatal(err)
	}
	if linked.Next() {
		t.Error("subscriptions, deliveries and relays join into a subscriber's pseudonym")
	}
	linked.Close()
	// The deliveries' row order follows their stand-ins, not the chat ids
	// (zipped with the sorted subscribers it would tell whose is whose).
	var prev int64
	order, err := raw.Query(`SELECT chat_id FROM deliveries ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	for order.Next() {
		var n int64
		order.Scan(&n)
		if n < prev {
			t.Errorf("deliveries are not stored in the order of their stand-ins")
		}
		prev = n
	}
	order.Close()

	// 2. Hashing: every number stored anywhere, with every value stored
	// anywhere as the key (and with none), in the pseudonym's own form.
	var ids []int64
	var keys [][]byte
	keys = append(keys, nil)
	for _, rows := range dump {
		for _, row := range rows {
			for _, v := range row {
				switch x := v.(type) {
				case int64:
					ids = append(ids, x)
				case string:
					keys = append(keys, []byte(x))
					if k, err := hex.DecodeString(x); err == nil && len(k) > 0 {
						keys = append(keys, k)
					}
				case []byte:
					keys = append(keys, x)
				}
			}
		}
	}
	link := func(key []byte, id int64) bool {
		m := hmac.New(sha256.New, key)
		fmt.Fprintf(m, "telegram:%d", id)
		if pseudonyms[hex.EncodeToString(m.Sum(nil)[:12])] {
			return true
		}
		s := sha256.Sum256([]byte(fmt.Sprintf("telegram:%d", id)))
		return pseudonyms[hex.EncodeToString(s[:12])]
	}
	tried := 0
	for _, k := range keys {
		for _, id := range ids {
			tried++
			if link(k, id) {
				t.Errorf("stored number %d hashed with a stored value gives a resident's pseudonym", id)
			}
		}
	}
	t.Logf("tried %d key/id pairs from the database alone; none links", tried)

	// The check has teeth: with the key file, alice's stored chat id does
	// give her pseudonym — the key is what protects residents.
	key, err := store.ParseKey(string(keyHex))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, id := range ids {
		found = found || link(key, id)
	}
	if !found {
		t.Fatal("even with the key no stored id gives a pseudonym: the check above proves nothing")
	}
}

// dumpTables reads every row of every table: column name → value.
func dumpTables(t *testing.T, db *sql.DB) map[string][]map[string]any {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string][]map[string]any{}
	for _, table := range tables {
		rs, err := db.Query(`SELECT * FROM "` + strings.ReplaceAll(table, `"`, `""`) + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := map[string]any{}
			for i, c := range cols {
				row[c] = vals[i]
			}
			out[table] = append(out[table], row)
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		rs.Close()
	}
	return out
}
