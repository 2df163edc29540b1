package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTicketLifecycle(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	now := time.Date(2025, 12, 4, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	cons, _ := db.RecordConsultation(ctx, Consultation{Resident: "r", Question: "工资被拖欠怎么办"})
	id, err := db.OpenTicket(ctx, Ticket{ConsultationID: cons, ChatID: 42, Resident: "r", Question: "工资被拖欠怎么办", Answer: "《劳动法》第五十条"})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := db.GetConsultation(ctx, cons); !c.HandedOver {
		t.Fatal("consultation not marked handed over")
	}
	tk, err := db.GetTicket(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Status != TicketOpen || tk.ChatID != 42 || !tk.CreatedAt.Equal(now) || !tk.AnnouncedAt.Equal(now) || !tk.FirstReplyAt.IsZero() {
		t.Fatalf("new ticket = %+v", tk)
	}
	if a, err := db.ActiveTicketForChat(ctx, 42); err != nil || a.ID != id {
		t.Fatalf("ActiveTicketForChat = %+v, %v", a, err)
	}
	if _, err := db.ActiveTicketForChat(ctx, 43); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ActiveTicketForChat(other) = %v", err)
	}

	// Staff-chat messages and relays map back to the ticket.
	const staff = -100500
	if err := db.AddTicketMessage(ctx, id, staff, 1001); err != nil {
		t.Fatal(err)
	}
	if got, err := db.TicketForMessage(ctx, staff, 1001); err != nil || got.ID != id {
		t.Fatalf("TicketForMessage = %+v, %v", got, err)
	}
	if _, err := db.TicketForMessage(ctx, staff, 1002); !errors.Is(err, ErrNotFound) {
		t.Fatalf("TicketForMessage(unknown) = %v", err)
	}
	// Message ids are per chat: the same id in another chat (a new staff
	// group) is not the ticket's message.
	if _, err := db.TicketForMessage(ctx, -100600, 1001); !errors.Is(err, ErrNotFound) {
		t.Fatalf("TicketForMessage(other chat) = %v", err)
	}
	// A link stored before chats were recorded (chat 0) still works, but
	// one of the asking chat wins.
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO ticket_messages(chat_id, message_id, ticket_id) VALUES (0, 1003, ?)`, id); err != nil {
		t.Fatal(err)
	}
	if got, err := db.TicketForMessage(ctx, staff, 1003); err != nil || got.ID != id {
		t.Fatalf("TicketForMessage(legacy) = %+v, %v", got, err)
	}
	if err := db.AddTicketRelay(ctx, id, 42, 7); err != nil {
		t.Fatal(err)
	}
	if got, err := db.TicketForRelay(ctx, 42, 7); err != nil || got.ID != id {
		t.Fatalf("TicketForRelay = %+v, %v", got, err)
	}
	if _, err := db.TicketForRelay(ctx, 41, 7); !errors.Is(err, ErrNotFound) {
		t.Fatalf("TicketForRelay(other chat) = %v", err)
	}

	// Reminders: due once the reminder time has passed, not after a reply.
	if due, _ := db.DueTickets(ctx, now.Add(-time.Hour)); len(due) != 0 {
		t.Fatalf("due too early: %v", due)
	}
	now = now.Add(4 * time.Hour)
	due, err := db.DueTickets(ctx, now.Add(-4*time.Hour))
	if err != nil || len(due) != 1 {
		t.Fatalf("DueTickets = %v, %v", due, err)
	}
	if err := db.MarkTicketAnnounced(ctx, id); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueTickets(ctx, now.Add(-4*time.Hour)); len(due) != 0 {
		t.Fatal("still due right after the reminder")
	}
	now = now.Add(30 * time.Minute)
	if err := db.MarkTicketReplied(ctx, id); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if err := db.MarkTicketReplied(ctx, id); err != nil {
		t.Fatal(err)
	}
	tk, _ = db.GetTicket(ctx, id)
	if tk.Status != TicketAnswered || !tk.FirstReplyAt.Equal(now.Add(-time.Hour)) {
		t.Fatalf("after replies = %+v", tk)
	}
	if due, _ := db.DueTickets(ctx, now.Add(24*time.Hour)); len(due) != 0 {
		t.Fatal("an answered ticket is due")
	}
	if act, _ := db.ActiveTickets(ctx); len(act) != 1 {
		t.Fatalf("ActiveTickets = %v", act)
	}

	tk, closed, err := db.CloseTicket(ctx, id)
	if err != nil || !closed || tk.Status != TicketClosed || tk.ClosedAt.IsZero() {
		t.Fatalf("CloseTicket = %+v, %v, %v", tk, closed, err)
	}
	if _, closed, _ := db.CloseTicket(ctx, id); closed {
		t.Fatal("closed twice")
	}
	if _, _, err := db.CloseTicket(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("CloseTicket(unknown) = %v", err)
	}
	if _, err := db.ActiveTicketForChat(ctx, 42); !errors.Is(err, ErrNotFound) {
		t.Fatal("closed ticket still active")
	}
	if err := db.ReopenTicket(ctx, id, 42); err != nil {
		t.Fatal(err)
	}
	if tk, _ := db.GetTicket(ctx, id); tk.Status != TicketAnswered || !tk.ClosedAt.IsZero() {
		t.Fatalf("reopened = %+v", tk)
	}
	if err := db.MarkTicketReplied(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("MarkTicketReplied(unknown) = %v", err)
	}
}
