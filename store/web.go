package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// TokenHash is how session and login tokens are stored: a hex SHA-256, so
// a copy of the database cannot be used to log in or to read a resident's
// ticket.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken returns a random URL-safe token with 256 bits of entropy.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("store: token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// TicketReply is a staff reply to a ticket opened on the web page, kept so
// the page can show it.
type TicketReply struct {
	At   time.Time
	Text string
}

// OpenWebTicket stores a ticket opened from the web chat page, owned by the
// session whose token hashes to sessionHash.
func (db *DB) OpenWebTicket(ctx context.Context, t Ticket, sessionHash string) (int64, error) {
	if sessionHash == "" {
		return 0, errors.New("store: web ticket without a session")
	}
	t.ChatID = 0
	id, err := db.OpenTicket(ctx, t)
	if err != nil {
		return 0, err
	}
	if _, err := db.db.ExecContext(ctx, `INSERT INTO web_tickets(ticket_id, session_hash) VALUES (?, ?)`, id, sessionHash); err != nil {
		return 0, fmt.Errorf("store: web ticket: %w", err)
	}
	return id, nil
}

// WebTicketSession returns the session hash owning a web ticket, or
// ErrNotFound when the ticket was not opened on the web.
func (db *DB) WebTicketSession(ctx context.Context, ticketID int64) (string, error) {
	var h string
	err := db.db.QueryRowContext(ctx, `SELECT session_hash FROM web_tickets WHERE ticket_id = ?`, ticketID).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: web ticket: %w", err)
	}
	return h, nil
}

// AddTicketReply records a staff reply to a web ticket and marks the
// ticket answered.
func (db *DB) AddTicketReply(ctx context.Context, ticketID int64, text string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_replies(ticket_id, at, text) VALUES (?, ?, ?)`, ticketID, now, text); err != nil {
			return fmt.Errorf("store: ticket reply: %w", err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE tickets SET first_reply_at = COALESCE(first_reply_at, ?),
status = CASE status WHEN 'open' THEN 'answered' ELSE status END WHERE id = ?`, now, ticketID)
		return err
	})
}

// TicketReplies lists the staff replies kept for a ticket, oldest first.
func (db *DB) TicketReplies(ctx context.Context, ticketID int64) ([]TicketReply, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT at, text FROM ticket_replies WHERE ticket_id = ? ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: ticket replies: %w", err)
	}
	defer rows.Close()
	var out []TicketReply
	for rows.Next() {
		var at int64
		var r TicketReply
		if err := rows.Scan(&at, &r.Text); err != nil {
			return nil, fmt.Errorf("store: ticket replies: %w", err)
		}
		r.At = time.Unix(at, 0)
		out = append(out, r)
	}
	return out, rows.Err()
}

// CreateConsoleLink stores a one-time console login token for a staff
// member, valid for ttl, and returns the token (only its hash is stored).
func (db *DB) CreateConsoleLink(ctx context.Context, userID int64, ttl time.Duration) (string, error) {
	tok, err := NewToken()
	if err != nil {
		return "", err
	}
	now := db.Now()
	_, err = db.db.ExecContext(ctx, `INSERT INTO console_links(token_hash, user_id, expires_at) VALUES (?, ?, ?)`,
		TokenHash(tok), userID, now.Add(ttl).Unix())
	if err != nil {
		return "", fmt.Errorf("store: console link: %w", err)
	}
	// Expired links are of no use to anyone: drop them while here.
	_, _ = db.db.ExecContext(ctx, `DELETE FROM console_links WHERE expires_at < ?`, now.Add(-24*time.Hour).Unix())
	return tok, nil
}

// ErrLinkUsed is returned for a console link that was already used or has
// expired.
var ErrLinkUsed = errors.New("store: console link used or expired")

// UseConsoleLink consumes a one-time link and opens a console session of
// ttl for its staff member; it returns the session token and the user id.
func (db *DB) UseConsoleLink(ctx context.Context, token string, ttl time.Duration) (session string, userID int64, err error) {
	session, err = NewToken()
	if err != nil {
		return "", 0, err
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		// The UPDATE both checks and consumes the link, so two requests
		// racing with the same link cannot both succeed.
		res, err := tx.ExecContext(ctx, `UPDATE console_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at >= ?`,
			now, TokenHash(token), now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLinkUsed
		}
		if err := tx.QueryRowContext(ctx, `SELECT user_id FROM console_links WHERE token_hash = ?`, TokenHash(token)).Scan(&userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO console_sessions(token_hash, user_id, expires_at) VALUES (?, ?, ?)`,
			TokenHash(session), userID, now+int64(ttl/time.Second))
		return err
	})
	if errors.Is(err, ErrLinkUsed) {
		return "", 0, ErrLinkUsed
	}
	if err != nil {
		return "", 0, fmt.Errorf("store: console login: %w", err)
	}
	return session, userID, nil
}

// ConsoleSession returns the staff member of a live console session, or
// ErrNotFound.
func (db *DB) ConsoleSession(ctx context.Context, token string) (int64, error) {
	var uid int64
	err := db.db.QueryRowContext(ctx, `SELECT user_id FROM console_sessions WHERE token_hash = ? AND expires_at >= ?`,
		TokenHash(token), db.now()).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("store: console session: %w", err)
	}
	return uid, nil
}

// EndConsoleSession logs a console session out.
func (db *DB) EndConsoleSession(ctx context.Context, token string) error {
	_, err := db.db.ExecContext(ctx, `DELETE FROM console_sessions WHERE token_hash = ? OR expires_at < ?`, TokenHash(token), db.now())
	if err != nil {
		return fmt.Errorf("store: console logout: %w", err)
	}
	return nil
}
