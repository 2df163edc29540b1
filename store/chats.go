package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Chat kinds, as Telegram names them.
const (
	ChatPrivate    = "private"
	ChatGroup      = "group"
	ChatSupergroup = "supergroup"
	ChatChannel    = "channel"
)

// AllTopics is the subscription topic that means every campaign.
const AllTopics = "*"

// Kinds of anonymous subscription events.
const (
	EventSubscribe   = "subscribe"
	EventUnsubscribe = "unsubscribe"
	EventBlocked     = "blocked"
	EventForget      = "forget"
)

// Chat is a chat the bot talks to. Nothing about the person behind a private
// chat is kept beyond the id Telegram needs to deliver a message, and that
// only while the chat has a subscription: a resident who only asks or
// presses buttons leaves no chat row. Private chats carry no times either
// (CreatedAt and UpdatedAt are zero): a time next to a Telegram id could be
// matched with the time of a consultation.
type Chat struct {
	ID    int64
	Kind  string // ChatPrivate, ChatGroup, ChatSupergroup, ChatChannel
	Title string // group title; empty for private chats
	// Registered is true for a group that staff registered for campaigns.
	Registered bool
	// BlockedAt is when Telegram last refused delivery (the user blocked
	// the bot or removed it from the group); zero when deliverable. A
	// private chat keeps no time: its BlockedAt is the Unix epoch.
	BlockedAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	// Office is the office of a registered group, or of a subscribed
	// resident; "" for the implicit office.
	Office string
}

// UpsertChat records that the chat exists and is reachable: it creates the
// row, refreshes kind and title, and clears blocked_at (the chat just
// talked to the bot, so it no longer blocks it). A private chat is only
// refreshed, never created here: Subscribe creates it.
func (db *DB) UpsertChat(ctx context.Context, c Chat) error {
	var err error
	if c.Kind == ChatPrivate {
		_, err = db.db.ExecContext(ctx, `UPDATE chats SET blocked_at = NULL WHERE chat_id = ? AND blocked_at IS NOT NULL`, c.ID)
	} else {
		now := db.now()
		_, err = db.db.ExecContext(ctx, `
INSERT INTO chats(chat_id, kind, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT(chat_id) DO UPDATE SET kind = excluded.kind, title = excluded.title,
    blocked_at = NULL, updated_at = excluded.updated_at`,
			c.ID, c.Kind, c.Title, now, now)
	}
	if err != nil {
		return fmt.Errorf("store: upsert chat: %w", err)
	}
	return nil
}

// GetChat returns one chat; ErrNotFound when unknown.
func (db *DB) GetChat(ctx context.Context, chatID int64) (Chat, error) {
	var c Chat
	var reg int
	var blocked sql.NullInt64
	var created, updated int64
	err := db.db.QueryRowContext(ctx, `SELECT chat_id, kind, title, group_registered, blocked_at, created_at, updated_at, office FROM chats WHERE chat_id = ?`, chatID).
		Scan(&c.ID, &c.Kind, &c.Title, &reg, &blocked, &created, &updated, &c.Office)
	if errors.Is(err, sql.ErrNoRows) {
		return Chat{}, ErrNotFound
	}
	if err != nil {
		return Chat{}, fmt.Errorf("store: chat: %w", err)
	}
	c.Registered = reg != 0
	if blocked.Valid {
		c.BlockedAt = time.Unix(blocked.Int64, 0)
	}
	c.CreatedAt = time.Unix(created, 0)
	c.UpdatedAt = time.Unix(updated, 0)
	return c, nil
}

// MarkBlocked records that Telegram refused delivery to the chat (HTTP 403).
// It reports whether the chat was deliverable before, and logs an anonymous
// "blocked" event the first time. Unknown chats are ignored.
func (db *DB) MarkBlocked(ctx context.Context, chatID int64) (bool, error) {
	changed := false
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		// A private chat records the fact without the time (0), which
		// could be matched with the resident's last consultation.
		res, err := tx.ExecContext(ctx, `UPDATE chats SET blocked_at = CASE kind WHEN 'private' THEN 0 ELSE ? END,
updated_at = CASE kind WHEN 'private' THEN 0 ELSE ? END
WHERE chat_id = ? AND blocked_at IS NULL`, now, now, chatID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		changed = true
		_, err = tx.ExecContext(ctx, `INSERT INTO subscription_events(at, kind, topic, office) VALUES (?, ?, ?, `+chatOffice+`)`, eventHour(now), EventBlocked, AllTopics, chatID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: mark blocked: %w", err)
	}
	return changed, nil
}

// Subscribe adds a subscription of the chat to topic, AllTopics for every
// campaign, and reports whether the subscription is new. A private chat
// (positive id) is stored with its first subscription; a group must have
// been stored before.
//
// Subscriptions carry no time, and the anonymous event records no topic:
// either could be matched with a consultation asked just before.
func (db *DB) Subscribe(ctx context.Context, chatID int64, topic string) (bool, error) {
	if topic == "" {
		topic = AllTopics
	}
	added := false
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		if isPrivateChatID(chatID) {
			// The chat joins its resident's office (private chat ids are
			// user ids).
			resident, err := db.Pseudonym(ctx, chatID)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO chats(chat_id, kind, office, created_at, updated_at)
VALUES (?, 'private', COALESCE((SELECT office FROM resident_offices WHERE resident = ?), ''), 0, 0)
ON CONFLICT(chat_id) DO NOTHING`, chatID, resident); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO subscriptions(chat_id, topic, created_at) VALUES (?, ?, 0)`, chatID, topic)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		added = true
		_, err = tx.ExecContext(ctx, `INSERT INTO subscription_events(at, kind, topic, office) VALUES (?, ?, ?, `+chatOffice+`)`, eventHour(now), EventSubscribe, AllTopics, chatID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: subscribe to %s: %w", topic, err)
	}
	return added, nil
}

// Unsubscribe removes the chat's subscription to one topic (AllTopics is a
// topic of its own here; see UnsubscribeAll). It reports whether there was
// one. A private chat left with no subscription is deleted.
func (db *DB) Unsubscribe(ctx context.Context, chatID int64, topic string) (bool, error) {
	if topic == "" {
		topic = AllTopics
	}
	n, err := db.unsubscribe(ctx, chatID, `DELETE FROM subscriptions WHERE chat_id = ? AND topic = ? RETURNING topic`, chatID, topic)
	if err != nil {
		return false, fmt.Errorf("store: unsubscribe from %s: %w", topic, err)
	}
	return n > 0, nil
}

// UnsubscribeAll removes every subscription of the chat and returns how
// many there were. A private chat is deleted with its last subscription.
func (db *DB) UnsubscribeAll(ctx context.Context, chatID int64) (int, error) {
	n, err := db.unsubscribe(ctx, chatID, `DELETE FROM subscriptions WHERE chat_id = ? RETURNING topic`, chatID)
	if err != nil {
		return 0, fmt.Errorf("store: unsubscribe: %w", err)
	}
	return n, nil
}

func (db *DB) unsubscribe(ctx context.Context, chatID int64, query string, args ...any) (int, error) {
	n := 0
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		var topics []string
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return err
			}
			topics = append(topics, t)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		now := db.now()
		for range topics {
			if _, err := tx.ExecContext(ctx, `INSERT INTO subscription_events(at, kind, topic, office) VALUES (?, ?, ?, `+chatOffice+`)`, eventHour(now), EventUnsubscribe, AllTopics, chatID); err != nil {
				return err
			}
		}
		n = len(topics)
		return dropUnneededChat(ctx, tx, chatID)
	})
	return n, err
}

// Subscriptions lists the chat's subscribed topics, sorted.
func (db *DB) Subscriptions(ctx context.Context, chatID int64) ([]string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT topic FROM subscriptions WHERE chat_id = ? ORDER BY topic`, chatID)
	if err != nil {
		return nil, fmt.Errorf("store: subscriptions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("store: subscriptions: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: subscriptions: %w", err)
	}
	return out, nil
}

// Subscribers lists the deliverable chats subscribed to topic: those with
// that topic or with AllTopics. Topic AllTopics (or "") lists every chat
// with any subscription.
func (db *DB) Subscribers(ctx context.Context, topic string) ([]int64, error) {
	q := `SELECT DISTINCT s.chat_id FROM subscriptions s JOIN chats c ON c.chat_id = s.chat_id
WHERE c.blocked_at IS NULL AND (s.topic = ? OR s.topic = '*') ORDER BY s.chat_id`
	args := []any{topic}
	if topic == "" || topic == AllTopics {
		q = `SELECT DISTINCT s.chat_id FROM subscriptions s JOIN chats c ON c.chat_id = s.chat_id
WHERE c.blocked_at IS NULL ORDER BY s.chat_id`
		args = nil
	}
	return db.chatsQueryIDs(ctx, "subscribers", q, args...)
}

// RegisterGroup marks a group chat as registered for campaigns of
// c.Office (creating its row if needed). It reports whether it was not
// registered before.
func (db *DB) RegisterGroup(ctx context.Context, c Chat) (bool, error) {
	added := false
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		var reg int
		err := tx.QueryRowContext(ctx, `SELECT group_registered FROM chats WHERE chat_id = ?`, c.ID).Scan(&reg)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		added = reg == 0
		_, err = tx.ExecContext(ctx, `
INSERT INTO chats(chat_id, kind, title, group_registered, office, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?)
ON CONFLICT(chat_id) DO UPDATE SET kind = excluded.kind, title = excluded.title, group_registered = 1,
    office = excluded.office, blocked_at = NULL, updated_at = excluded.updated_at`, c.ID, c.Kind, c.Title, c.Office, now, now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: register group %d: %w", c.ID, err)
	}
	return added, nil
}

// UnregisterGroup stops campaigns to a group. It reports whether the group
// was registered.
func (db *DB) UnregisterGroup(ctx context.Context, chatID int64) (bool, error) {
	res, err := db.db.ExecContext(ctx, `UPDATE chats SET group_registered = 0, updated_at = ? WHERE chat_id = ? AND group_registered = 1`, db.now(), chatID)
	if err != nil {
		return false, fmt.Errorf("store: unregister group %d: %w", chatID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: unregister group %d: %w", chatID, err)
	}
	return n > 0, nil
}

// RegisteredGroups lists the deliverable registered group chats.
func (db *DB) RegisteredGroups(ctx context.Context) ([]int64, error) {
	return db.chatsQueryIDs(ctx, "registered groups", `SELECT chat_id FROM chats WHERE group_registered = 1 AND blocked_at IS NULL ORDER BY chat_id`)
}

// ChatCounts are the numbers of chats the bot can reach.
type ChatCounts struct {
	Private     int // deliverable private chats
	Subscribers int // deliverable chats with at least one subscription
	Groups      int // deliverable registered groups
	Blocked     int // chats that blocked the bot
}

// CountChats counts chats by reachability, for staff statistics.
func (db *DB) CountChats(ctx context.Context) (ChatCounts, error) {
	return db.countChats(ctx, AllOffices)
}

func (db *DB) countChats(ctx context.Context, office string) (ChatCounts, error) {
	var c ChatCounts
	cond, args := officeCond(office, "office")
	scond, _ := officeCond(office, "c.office")
	all := append(append(append(append([]any{}, args...), args...), args...), args...)
	err := db.db.QueryRowContext(ctx, `SELECT
  (SELECT COUNT(*) FROM chats WHERE kind = 'private' AND blocked_at IS NULL`+cond+`),
  (SELECT COUNT(DISTINCT s.chat_id) FROM subscriptions s JOIN chats c ON c.chat_id = s.chat_id WHERE c.blocked_at IS NULL`+scond+`),
  (SELECT COUNT(*) FROM chats WHERE group_registered = 1 AND blocked_at IS NULL`+cond+`),
  (SELECT COUNT(*) FROM chats WHERE blocked_at IS NOT NULL`+cond+`)`, all...).Scan(&c.Private, &c.Subscribers, &c.Groups, &c.Blocked)
	if err != nil {
		return c, fmt.Errorf("store: count chats: %w", err)
	}
	return c, nil
}

func (db *DB) chatsQueryIDs(ctx context.Context, what, q string, args ...any) ([]int64, error) {
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// chatOffice is an expression for the office of the chat whose id is its
// one parameter ("" for an unknown chat).
const chatOffice = `COALESCE((SELECT office FROM chats WHERE chat_id = ?), '')`

// eventHour is the time recorded for an anonymous subscription event: the
// hour, not the second, so that an event cannot be matched with the
// consultation asked just before it (reports count events by day).
func eventHour(unix int64) int64 { return unix - unix%3600 }

// dropUnneededChat deletes a private chat's row once it has no
// subscription: nothing else needs it (tickets and deliveries keep their
// own chat id for as long as they need it).
func dropUnneededChat(ctx context.Context, tx *sql.Tx, chatID int64) error {
	if !isPrivateChatID(chatID) {
		return nil
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM chats WHERE chat_id = ? AND kind = 'private'
AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE chat_id = ?)`, chatID, chatID)
	return err
}

// Forget deletes what is stored about a resident: the chat row and its
// subscriptions, the texts of their questions and hand-over tickets, and
// the link between their tickets and their chat. Anonymous counts remain:
// consultations keep their time, kind and topic with the resident and the
// question blanked. resident is the pseudonym (may be "" when unknown).
func (db *DB) Forget(ctx context.Context, chatID int64, resident string) error {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		var office string
		if err := tx.QueryRowContext(ctx, `SELECT `+chatOffice, chatID).Scan(&office); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM chats WHERE chat_id = ?`, chatID); err != nil {
			return err
		}
		if resident != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM resident_offices WHERE resident = ?`, resident); err != nil {
				return err
			}
			// A fresh random token replaces the pseudonym: the rows can no
			// longer be tied to the person (the token is not derived from
			// anything), yet the count of residents served stays right.
			token := make([]byte, 12)
			if _, err := rand.Read(token); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE consultations SET question = NULL, resident = ? WHERE resident = ?`, "forgotten-"+hex.EncodeToString(token), resident); err != nil {
				return err
			}
		}
		// Closed tickets' relayed messages carry a stand-in per message:
		// they are found through their ticket.
		if _, err := tx.ExecContext(ctx, `DELETE FROM ticket_relays WHERE chat_id = ?
OR ticket_id IN (SELECT id FROM tickets WHERE chat_id = ? OR (resident = ? AND resident <> ''))`, chatID, chatID, resident); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET chat_id = NULL, question = NULL, answer = NULL, resident = ''
WHERE chat_id = ? OR (resident = ? AND resident <> '')`, chatID, resident); err != nil {
			return err
		}
		// Campaign messages not sent yet are not sent any more.
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'failed', error = 'the resident asked to be forgotten' WHERE chat_id = ? AND status = 'pending'`, chatID); err != nil {
			return err
		}
		if err := db.retireDeliveries(ctx, tx, chatID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE telegram_updates SET payload = NULL WHERE chat_id = ? AND done_at IS NOT NULL`, chatID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO subscription_events(at, kind, topic, office) VALUES (?, ?, ?, ?)`, eventHour(now), EventForget, AllTopics, office)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: forget: %w", err)
	}
	return nil
}
