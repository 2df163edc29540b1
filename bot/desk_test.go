package bot

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pufabot/pufabot/store"
)

func TestConsoleCommandSendsALinkInPrivateOnly(t *testing.T) {
	var asked []int64
	h := newHarness(t, func(o *Options) {
		o.ConsoleLink = func(ctx context.Context, uid int64) (string, error) {
			asked = append(asked, uid)
			return "https://pufa.example/staff/login?token=abc", nil
		}
	})
	h.start()
	h.say(adminID, adminID, "/console")
	contains(t, h.last(adminID), "https://pufa.example/staff/login?token=abc")
	contains(t, h.last(adminID), "10分钟内有效")
	h.say(staffChat, adminID, "/console")
	contains(t, h.last(staffChat), "私聊")
	notContains(t, h.last(staffChat), "token=")
	h.say(alice, alice, "/console")
	notContains(t, h.last(alice), "token=")
	if len(asked) != 1 || asked[0] != adminID {
		t.Fatalf("links made for %v", asked)
	}
}

func TestConsoleCommandWithoutWebSaysSo(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.say(adminID, adminID, "/console")
	contains(t, h.last(adminID), "web.url")
}

// A staff-chat reply to a ticket opened on the web page is kept for the
// page, not sent to any Telegram chat.
func TestStaffChatReplyToAWebTicket(t *testing.T) {
	h := newHarness(t)
	b := h.start()
	ctx := context.Background()
	id, err := h.db.OpenWebTicket(ctx, store.Ticket{Resident: "web-1", Question: "宅基地纠纷"}, store.TokenHash("session"))
	if err != nil {
		t.Fatal(err)
	}
	tk, _ := h.db.GetTicket(ctx, id)
	if err := b.AnnounceTicket(ctx, tk); err != nil {
		t.Fatal(err)
	}
	contains(t, h.last(staffChat), "宅基地纠纷")
	h.staffReply(adminID, h.ticketMessage(id), "请带上土地证来。")
	contains(t, h.last(staffChat), "来自网页")
	rs, err := h.db.TicketReplies(ctx, id)
	if err != nil || len(rs) != 1 || rs[0].Text != "请带上土地证来。" {
		t.Fatalf("replies %v %v", rs, err)
	}
	if tk, _ := h.db.GetTicket(ctx, id); tk.Status != store.TicketAnswered {
		t.Fatalf("status %s", tk.Status)
	}
	// Only text reaches a web page.
	h.staffReply(adminID, h.ticketMessage(id), "")
	// Someone in the staff chat who is not staff cannot answer.
	h.staffReply(bob, h.ticketMessage(id), "我来答")
	if rs, _ := h.db.TicketReplies(ctx, id); len(rs) != 1 {
		t.Fatalf("replies after a non-staff reply: %d", len(rs))
	}
	if err := b.ReplyToTicket(ctx, id, bob, "x"); err == nil || !strings.Contains(err.Error(), "工作人员") {
		t.Fatalf("non-staff ReplyToTicket: %v", err)
	}
	if err := b.ReplyToTicket(ctx, id, adminID, "  "); !errors.Is(err, ErrNoText) {
		t.Fatalf("empty reply: %v", err)
	}
}

func TestReplyToTicketReachesTelegramResident(t *testing.T) {
	h := newHarness(t)
	b := h.start()
	ctx := context.Background()
	id, err := h.db.OpenTicket(ctx, store.Ticket{ChatID: alice, Resident: "r", Question: "工资"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.ReplyToTicket(ctx, id, adminID, "请带<劳动合同>来"); err != nil {
		t.Fatal(err)
	}
	contains(t, h.last(alice), "请带&lt;劳动合同&gt;来")
	closed, err := b.CloseTicket(ctx, id, adminID)
	if err != nil || !closed {
		t.Fatalf("close: %v %v", closed, err)
	}
	contains(t, h.last(alice), "办结")
	// A closed ticket keeps no chat id: staff writing after closing are
	// told so and the ticket stays closed (a reply from the resident
	// reopens it, as in Telegram).
	n := len(h.sent(alice))
	if err := b.ReplyToTicket(ctx, id, adminID, "补充一句"); err == nil || !strings.Contains(err.Error(), "已办结") {
		t.Fatalf("reply to a closed ticket: %v", err)
	}
	if len(h.sent(alice)) != n {
		t.Fatal("a reply reached the resident of a closed ticket")
	}
	if tk, _ := h.db.GetTicket(ctx, id); tk.Status != store.TicketClosed || tk.ChatID != 0 {
		t.Fatalf("ticket after a refused reply = %+v", tk)
	}
}
