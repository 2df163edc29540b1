package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/pufabot/pufabot/store"
)

// ConsoleLinkTTL is how long a /console login link stays valid.
const ConsoleLinkTTL = 10 * time.Minute

// ConsoleLinkFunc makes a one-time staff console login link for a staff
// member (the web front implements it).
type ConsoleLinkFunc func(ctx context.Context, staffUserID int64) (url string, err error)

// ErrNoText is returned when a reply to a web ticket has no text: the web
// page shows words only.
var ErrNoText = errors.New("bot: a reply to a web ticket must be text")

// AnnounceTicket posts a ticket opened elsewhere (the web page) to the staff
// chat, exactly as tickets opened in Telegram are announced. When the staff
// chat cannot be reached, the reminder loop announces it later.
func (b *Bot) AnnounceTicket(ctx context.Context, t store.Ticket) error {
	if !b.offices.handOver() {
		return nil
	}
	b.m.handovers.Inc()
	return b.announceTicket(ctx, t, false)
}

// ReplyToTicket sends a staff member's plain-text reply to the resident who
// opened a ticket: in Telegram for tickets opened there, on the web page for
// tickets opened on the web. The console and the staff chat both come
// through here. It returns an error safe to show staff.
func (b *Bot) ReplyToTicket(ctx context.Context, ticketID, staffUserID int64, text string) error {
	if !b.isAdmin(staffUserID) {
		return errors.New(plainText(msgRelayNotStaff))
	}
	t, err := b.db.GetTicket(ctx, ticketID)
	if err != nil {
		return err
	}
	if !b.offices.mayHandle(staffUserID, t.Office) {
		return errors.New(plainText(msgRelayNotStaff))
	}
	text = strings.TrimSpace(cleanText(text))
	if text == "" {
		return ErrNoText
	}
	if t.Status == store.TicketClosed && t.ChatID == 0 {
		// A closed Telegram ticket keeps no chat id; a web ticket needs none.
		if _, err := b.db.WebTicketSession(ctx, t.ID); errors.Is(err, store.ErrNotFound) {
			return errors.New(plainText(msgRelayClosed(t.ID)))
		} else if err != nil {
			return err
		}
	}
	if err := b.reopenIfClosed(ctx, t, 0); err != nil {
		return err
	}
	if handled, err := b.replyOnWeb(ctx, t, staffUserID, text); handled {
		return err
	}
	if t.ChatID == 0 {
		return errors.New(plainText(msgRelayForgotten(t.ID)))
	}
	html := msgStaffReplyHeader(t.ID) + "\n\n" + esc(text) + "\n\n" + msgStaffReplyFooter
	ids, err := b.sendHTML(ctx, t.ChatID, html, sendOpts{})
	for _, id := range ids {
		if err := b.db.AddTicketRelay(ctx, t.ID, t.ChatID, id); err != nil {
			b.log.Warn("recording a relayed message failed", slog.Any("error", err))
		}
	}
	switch {
	case isBlocked(err):
		return errors.New(plainText(msgRelayBlocked(t.ID)))
	case err != nil:
		b.log.Warn("relaying a staff reply failed", slog.Int64("ticket_id", t.ID), slog.Any("error", err))
		return errors.New(plainText(msgRelayFailed(t.ID)))
	}
	if err := b.db.MarkTicketReplied(ctx, t.ID); err != nil {
		return err
	}
	b.log.Info("staff reply relayed", slog.Int64("ticket_id", t.ID))
	return nil
}

// replyOnWeb keeps a reply to a ticket opened on the web page, where the
// resident's page shows it. handled is false for Telegram tickets.
func (b *Bot) replyOnWeb(ctx context.Context, t store.Ticket, staffUserID int64, text string) (handled bool, err error) {
	if _, err := b.db.WebTicketSession(ctx, t.ID); errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return true, err
	}
	if text == "" {
		return true, ErrNoText
	}
	if err := b.db.AddTicketReply(ctx, t.ID, truncate(text, maxQuestionLen*4)); err != nil {
		return true, err
	}
	b.log.Info("staff reply kept for the web page", slog.Int64("ticket_id", t.ID))
	return true, nil
}

// CloseTicket closes a ticket for a staff member and tells the resident in
// Telegram (a web page shows the status itself). closed is false when it
// was closed already.
func (b *Bot) CloseTicket(ctx context.Context, ticketID, staffUserID int64) (closed bool, err error) {
	if !b.isAdmin(staffUserID) {
		return false, errors.New(plainText(msgRelayNotStaff))
	}
	t, closed, err := b.db.CloseTicket(ctx, ticketID)
	if err != nil || !closed {
		return closed, err
	}
	b.log.Info("ticket closed", slog.Int64("ticket_id", ticketID))
	if t.ChatID != 0 {
		_, _ = b.sendHTML(ctx, t.ChatID, msgTicketClosedResident(ticketID), sendOpts{})
	}
	return true, nil
}

// cmdConsole sends a staff member a one-time link to the web console, in
// a private chat only: a link posted in a group could be used by anyone
// who reads it first.
func (b *Bot) cmdConsole(ctx context.Context, mc *msgCtx) error {
	if b.o.ConsoleLink == nil {
		return b.reply(ctx, mc, msgConsoleDisabled, nil)
	}
	if !mc.private {
		return b.reply(ctx, mc, msgConsolePrivateOnly, nil)
	}
	if b.offices.multi && !b.offices.county[mc.from.ID] {
		return b.reply(ctx, mc, msgConsoleCountyOnly, nil)
	}
	u, err := b.o.ConsoleLink(ctx, mc.from.ID)
	if err != nil {
		b.log.Error("console link failed", slog.Any("error", err))
		return b.reply(ctx, mc, msgInternalError, nil)
	}
	return b.reply(ctx, mc, msgConsoleLink(u, ConsoleLinkTTL), nil)
}

const msgConsoleDisabled = "网页工作台没有开启（需要配置 web.url）。"

const msgConsolePrivateOnly = "为了安全，请在和我的私聊里发送 /console 获取登录链接。"

func msgConsoleLink(u string, ttl time.Duration) string {
	return fmt.Sprintf("🔐 <b>网页工作台登录链接</b>\n\n<a href=\"%s\">%s</a>\n\n链接只能用一次，%d分钟内有效，请勿转发给他人。",
		esc(u), esc(u), int(ttl/time.Minute))
}

// plainText turns one of the bot's short HTML messages into plain text for
// the console.
func plainText(html string) string {
	var s strings.Builder
	in := false
	for _, r := range html {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			s.WriteRune(r)
		}
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", "\"").Replace(s.String())
}

const msgWebReplyText = "这张工单来自网页，居民只能看到文字：请用文字回复。"

func msgRelayedWeb(id int64) string {
	return fmt.Sprintf("✅ 已回复（工单 #%d 来自网页，居民刷新页面即可看到）。", id)
}
