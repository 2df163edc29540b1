package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Ticket statuses.
const (
	TicketOpen     = "open"     // waiting for a first staff reply
	TicketAnswered = "answered" // staff replied; the conversation may go on
	TicketClosed   = "closed"
)

// Ticket is a hand-over: a resident asked for a person.
type Ticket struct {
	ID             int64
	ConsultationID int64  // 0 when the ticket did not start from an answer
	ChatID         int64  // where staff replies go; 0 once closed, and after /forget
	Resident       string // pseudonym
	Question       string
	Answer         string // what the bot had answered, for staff
	Status         string // TicketOpen, TicketAnswered, TicketClosed
	CreatedAt      time.Time
	FirstReplyAt   time.Time // zero until staff reply
	ClosedAt       time.Time // zero until closed
	AnnouncedAt    time.Time // last time staff were told about it
	// Office is the office whose staff chat handles the ticket; "" for the
	// implicit office.
	Office string
}

// OpenTicket stores a new open ticket (CreatedAt and AnnouncedAt are set
// to now) and marks its consultation, if any, as handed over.
func (db *DB) OpenTicket(ctx context.Context, t Ticket) (int64, error) {
	var id int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		var cons any
		if t.ConsultationID != 0 {
			cons = t.ConsultationID
			if _, err := tx.ExecContext(ctx, `UPDATE consultations SET handed_over = 1 WHERE id = ?`, t.ConsultationID); err != nil {
				return err
			}
		}
		var chat any
		if t.ChatID != 0 {
			chat = t.ChatID
		}
		return tx.QueryRowContext(ctx, `INSERT INTO tickets(consultation_id, chat_id, resident, question, answer, status, created_at, announced_at, active_at, office)
VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?) RETURNING id`, cons, chat, t.Resident, t.Question, t.Answer, now, now, now, t.Office).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("store: open ticket: %w", err)
	}
	return id, nil
}

const ticketColumns = `id, consultation_id, chat_id, resident, question, answer, status, created_at, first_reply_at, closed_at, announced_at, office`

func scanTicket(row interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var cons, chat, firstReply, closed sql.NullInt64
	var question, answer sql.NullString
	var created, announced int64
	if err := row.Scan(&t.ID, &cons, &chat, &t.Resident, &question, &answer, &t.Status, &created, &firstReply, &closed, &announced, &t.Office); err != nil {
		return t, err
	}
	t.ConsultationID = cons.Int64
	t.ChatID = chat.Int64
	t.Question = question.String
	t.Answer = answer.String
	t.CreatedAt = time.Unix(created, 0)
	t.AnnouncedAt = time.Unix(announced, 0)
	if firstReply.Valid {
		t.FirstReplyAt = time.Unix(firstReply.Int64, 0)
	}
	if closed.Valid {
		t.ClosedAt = time.Unix(closed.Int64, 0)
	}
	return t, nil
}

func (db *DB) oneTicket(ctx context.Context, what, q string, args ...any) (Ticket, error) {
	t, err := scanTicket(db.db.QueryRowContext(ctx, `SELECT `+ticketColumns+` FROM tickets `+q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, ErrNotFound
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("store: %s: %w", what, err)
	}
	return t, nil
}

func (db *DB) ticketList(ctx context.Context, what, q string, args ...any) ([]Ticket, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+ticketColumns+` FROM tickets `+q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// GetTicket returns one ticket; ErrNotFound when unknown.
func (db *DB) GetTicket(ctx context.Context, id int64) (Ticket, error) {
	return db.oneTicket(ctx, "ticket", `WHERE id = ?`, id)
}

// ActiveTicketForChat returns the chat's latest ticket that is not closed;
// ErrNotFound when there is none.
func (db *DB) ActiveTicketForChat(ctx context.Context, chatID int64) (Ticket, error) {
	return db.oneTicket(ctx, "active ticket", `WHERE chat_id = ? AND status <> 'closed' ORDER BY id DESC LIMIT 1`, chatID)
}

// ActiveTickets lists the tickets that are not closed, oldest first.
func (db *DB) ActiveTickets(ctx context.Context) ([]Ticket, error) {
	return db.ticketList(ctx, "active tickets", `WHERE status <> 'closed' ORDER BY id`)
}

// DueTickets lists open tickets (no staff reply yet) last announced at or
// before the given time, oldest first: those to announce again.
func (db *DB) DueTickets(ctx context.Context, announcedBefore time.Time) ([]Ticket, error) {
	return db.ticketList(ctx, "due tickets", `WHERE status = 'open' AND announced_at <= ? ORDER BY id`, announcedBefore.Unix())
}

// MarkTicketAnnounced records that staff were just told about the ticket.
func (db *DB) MarkTicketAnnounced(ctx context.Context, id int64) error {
	return db.ticketExec(ctx, id, `UPDATE tickets SET announced_at = ?1, active_at = ?1 WHERE id = ?2`, db.now(), id)
}

// MarkTicketReplied records a staff reply: the first reply time is kept and
// an open ticket becomes answered.
func (db *DB) MarkTicketReplied(ctx context.Context, id int64) error {
	return db.ticketExec(ctx, id, `UPDATE tickets SET first_reply_at = COALESCE(first_reply_at, ?1), active_at = ?1,
status = CASE status WHEN 'open' THEN 'answered' ELSE status END WHERE id = ?2`, db.now(), id)
}

// ReopenTicket makes a closed ticket answered again: the resident wrote
// back from chatID (a reply to a relayed message) after it was closed, and
// staff replies go there again.
func (db *DB) ReopenTicket(ctx context.Context, id, chatID int64) error {
	var chat any
	if chatID != 0 {
		chat = chatID
	}
	return db.ticketExec(ctx, id, `UPDATE tickets SET status = CASE WHEN first_reply_at IS NULL THEN 'open' ELSE 'answered' END,
closed_at = NULL, announced_at = ?1, active_at = ?1, chat_id = COALESCE(?2, chat_id) WHERE id = ?3 AND status = 'closed'`, db.now(), chat, id)
}

// CloseTicket closes a ticket and returns it. closed is false when it was
// already closed. ErrNotFound when unknown. The stored chat id is removed
// (a closed ticket needs no way to reach the resident) and the ticket's
// relayed messages keep only a RelayRef, so that a reply to one still
// reopens it; the returned ChatID is the one it had, to tell the resident.
func (db *DB) CloseTicket(ctx context.Context, id int64) (t Ticket, closed bool, err error) {
	return db.closeTicket(ctx, id, 0)
}

// closeTicket is CloseTicket; with idleBefore > 0 it closes the ticket
// only if it has seen no activity since (it may have meanwhile).
func (db *DB) closeTicket(ctx context.Context, id, idleBefore int64) (t Ticket, closed bool, err error) {
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		var active int64
		row := tx.QueryRowContext(ctx, `SELECT `+ticketColumns+`, active_at FROM tickets WHERE id = ?`, id)
		t, err = scanTicket(scanFunc(func(dest ...any) error { return row.Scan(append(dest, &active)...) }))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || t.Status == TicketClosed || (idleBefore > 0 && active >= idleBefore) {
			return err
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'closed', closed_at = ?, chat_id = NULL WHERE id = ?`, now, id); err != nil {
			return err
		}
		if err := db.retireRelays(ctx, tx, id); err != nil {
			return err
		}
		t.Status, t.ClosedAt, closed = TicketClosed, time.Unix(now, 0), true
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return Ticket{}, false, err
	}
	if err != nil {
		return Ticket{}, false, fmt.Errorf("store: close ticket %d: %w", id, err)
	}
	return t, closed, nil
}

// retireRelays replaces the private chat ids of a ticket's relayed messages
// by their RelayRef.
func (db *DB) retireRelays(ctx context.Context, tx *sql.Tx, ticketID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT chat_id, message_id FROM ticket_relays WHERE ticket_id = ? AND chat_id > 0 AND chat_id < ?`, ticketID, chatRefBase)
	if err != nil {
		return err
	}
	type relay struct {
		chat int64
		msg  int
	}
	var relays []relay
	for rows.Next() {
		var r relay
		if err := rows.Scan(&r.chat, &r.msg); err != nil {
			rows.Close()
			return err
		}
		relays = append(relays, r)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, r := range relays {
		// A message already linked under its stand-in gives way (as
		// UPDATE OR REPLACE would, in SQL both databases speak).
		ref := db.RelayRef(r.chat, r.msg)
		if _, err := tx.ExecContext(ctx, `DELETE FROM ticket_relays WHERE chat_id = ? AND message_id = ?`, ref, r.msg); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ticket_relays SET chat_id = ? WHERE chat_id = ? AND message_id = ?`, ref, r.chat, r.msg); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) ticketExec(ctx context.Context, id int64, q string, args ...any) error {
	res, err := db.db.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: ticket %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: ticket %d: %w", id, err)
	}
	if n == 0 {
		if _, err := db.GetTicket(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// AddTicketMessage links a message in the staff chat (an announcement, a
// reminder or a follow-up) to its ticket, so a staff reply to it reaches
// the resident.
func (db *DB) AddTicketMessage(ctx context.Context, ticketID, chatID int64, messageID int) error {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_messages(chat_id, message_id, ticket_id) VALUES (?, ?, ?)
ON CONFLICT(chat_id, message_id) DO UPDATE SET ticket_id = excluded.ticket_id`, chatID, messageID, ticketID); err != nil {
			return err
		}
		return db.touchTicket(ctx, tx, ticketID)
	})
	if err != nil {
		return fmt.Errorf("store: ticket message: %w", err)
	}
	return nil
}

// TicketForMessage returns the ticket a message in the staff chat chatID
// stands for; ErrNotFound when none. Message ids are only unique within a
// chat, so a message of another chat never matches (links stored before
// chats were recorded match any chat).
func (db *DB) TicketForMessage(ctx context.Context, chatID int64, messageID int) (Ticket, error) {
	return db.oneTicket(ctx, "ticket for message", `WHERE id = (SELECT ticket_id FROM ticket_messages
WHERE message_id = ? AND chat_id IN (?, 0) ORDER BY chat_id = 0 LIMIT 1)`, messageID, chatID)
}

// AddTicketRelay links a message sent to a resident (a relayed staff
// reply) to its ticket, so the resident's reply to it reaches staff. A
// ticket closed meanwhile (the reply was sent while staff closed it) gets
// the message's RelayRef, as CloseTicket gives its other relays: the
// private chat id is not stored next to a closed ticket.
func (db *DB) AddTicketRelay(ctx context.Context, ticketID, chatID int64, messageID int) error {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if db.dialect == dialectPostgres {
			// Wait for a CloseTicket in progress, which locks the row.
			if _, err := tx.ExecContext(ctx, `SELECT id FROM tickets WHERE id = ? FOR UPDATE`, ticketID); err != nil {
				return err
			}
		}
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM tickets WHERE id = ?`, ticketID).Scan(&status)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		stored := chatID
		if status == TicketClosed && isPrivateChatID(chatID) {
			stored = db.RelayRef(chatID, messageID)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO ticket_relays(chat_id, message_id, ticket_id) VALUES (?, ?, ?)
ON CONFLICT(chat_id, message_id) DO UPDATE SET ticket_id = excluded.ticket_id`, stored, messageID, ticketID)
		if err != nil {
			return err
		}
		return db.touchTicket(ctx, tx, ticketID)
	})
	if err != nil {
		return fmt.Errorf("store: ticket relay: %w", err)
	}
	return nil
}

// TicketForRelay returns the ticket a message in a resident's chat belongs
// to (closed tickets included); ErrNotFound when none.
func (db *DB) TicketForRelay(ctx context.Context, chatID int64, messageID int) (Ticket, error) {
	return db.oneTicket(ctx, "ticket for relay", `WHERE id = (SELECT ticket_id FROM ticket_relays
WHERE chat_id IN (?, ?) AND message_id = ? ORDER BY chat_id = ? DESC LIMIT 1)`, chatID, db.RelayRef(chatID, messageID), messageID, chatID)
}

// scanFunc adapts a function to scanTicket's row.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// touchTicket records activity on a ticket (see CloseIdleTickets).
func (db *DB) touchTicket(ctx context.Context, tx *sql.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE tickets SET active_at = ? WHERE id = ?`, db.now(), id)
	return err
}

// IdleTicketDays is how long a ticket that is not closed may stay without
// activity (no announcement, reply or message either way) before the
// retention job closes it: a forgotten ticket must not keep its resident's
// chat id and pseudonym forever.
const IdleTicketDays = 30

// CloseIdleTickets closes, as CloseTicket does, every ticket not closed
// whose last activity was before the cut-off, and returns how many. Open
// tickets staff have not answered are announced again and again, so they
// are never idle.
func (db *DB) CloseIdleTickets(ctx context.Context, before time.Time) (int, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id FROM tickets WHERE status <> 'closed' AND active_at < ? ORDER BY id`, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("store: idle tickets: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: idle tickets: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return 0, fmt.Errorf("store: idle tickets: %w", err)
	}
	n := 0
	for _, id := range ids {
		_, closed, err := db.closeTicket(ctx, id, before.Unix())
		if err != nil {
			return n, err
		}
		if closed {
			n++
		}
	}
	return n, nil
}
