package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/pufabot/pufabot/store"
)

// remindersPerRound bounds reminders sent at once, so a backlog does not
// flood the staff chat (20 messages a minute per group); the rest follow
// in the next rounds.
const remindersPerRound = 5

// recentConsultation is how far back /human looks for the question the
// resident just asked.
const recentConsultation = 30 * time.Minute

// cmdHuman starts a hand-over: with text, at once; without, the next
// message is the text.
func (b *Bot) cmdHuman(ctx context.Context, mc *msgCtx, text string) error {
	if !mc.private {
		return b.reply(ctx, mc, msgHumanInGroup, b.privateChatKeyboard("human"))
	}
	if !b.offices.handOver() {
		return b.reply(ctx, mc, msgHumanUnavailable, nil)
	}
	if t, err := b.db.ActiveTicketForChat(ctx, mc.chat.ID); err == nil {
		if strings.TrimSpace(text) == "" {
			return b.reply(ctx, mc, msgTicketActive(t.ID), nil)
		}
		return b.residentFollowUp(ctx, mc, t)
	}
	if strings.TrimSpace(text) == "" {
		b.conv.awaitHuman(mc.chat.ID, b.now())
		return b.reply(ctx, mc, msgHumanPrompt, nil)
	}
	return b.handOverText(ctx, mc, text)
}

// handOverText opens a ticket with what the resident wrote, attaching the
// bot's answer to their question just before, if any.
func (b *Bot) handOverText(ctx context.Context, mc *msgCtx, raw string) error {
	text := cleanText(raw)
	if !hasWords(text) {
		b.conv.awaitHuman(mc.chat.ID, b.now())
		return b.reply(ctx, mc, msgNoWords, nil)
	}
	if !b.offices.handOver() {
		return b.reply(ctx, mc, msgHumanUnavailable, nil)
	}
	office, asked, err := b.needOffice(ctx, mc)
	if asked || err != nil {
		return err
	}
	if ok, err := b.allowResident(ctx, mc); !ok {
		return err
	}
	resident, _ := b.db.Pseudonym(ctx, mc.from.ID)
	t := store.Ticket{ChatID: mc.chat.ID, Resident: resident, Question: truncate(text, maxQuestionLen), Office: office}
	if c, err := b.db.LastConsultation(ctx, resident, b.now().Add(-recentConsultation)); err == nil {
		t.Answer = "居民之前问：" + oneLine(truncate(c.Question, 200)) + "\n机器人回答：" + answerSummary(c.AnswerKind, c.FAQID, c.Articles)
	}
	return b.openTicket(ctx, mc, t)
}

// onHumanButton is 转人工 under an answer card.
func (b *Bot) onHumanButton(ctx context.Context, cq *models.CallbackQuery, mc *msgCtx, c callback) error {
	if !mc.private {
		return errStale
	}
	consID, err := c.int64Arg(0)
	if err != nil {
		return err
	}
	b.answerCallback(ctx, cq, "", false)
	if !b.offices.handOver() {
		return b.reply(ctx, mc, msgHumanUnavailable, nil)
	}
	cons, err := b.db.GetConsultation(ctx, consID)
	if err != nil || cons.Question == "" {
		// The question is gone (deleted or expired): ask for it.
		return b.cmdHuman(ctx, mc, "")
	}
	if t, err := b.db.ActiveTicketForChat(ctx, mc.chat.ID); err == nil {
		return b.followUpText(ctx, mc, t, cons.Question)
	}
	office, asked, err := b.needOffice(ctx, mc)
	if asked || err != nil {
		return err
	}
	if ok, err := b.allowResident(ctx, mc); !ok {
		return err
	}
	resident, _ := b.db.Pseudonym(ctx, cq.From.ID)
	return b.openTicket(ctx, mc, store.Ticket{
		Office:         office,
		ConsultationID: consID,
		ChatID:         mc.chat.ID,
		Resident:       resident,
		Question:       cons.Question,
		Answer:         answerSummary(cons.AnswerKind, cons.FAQID, cons.Articles),
	})
}

// openTicket stores a ticket, announces it in the staff chat and tells
// the resident its number and when to expect an answer. If the staff chat
// cannot be reached, the reminder loop announces it later.
func (b *Bot) openTicket(ctx context.Context, mc *msgCtx, t store.Ticket) error {
	id, err := b.db.OpenTicket(ctx, t)
	if err != nil {
		_ = b.reply(ctx, mc, msgInternalError, nil)
		return err
	}
	t.ID = id
	t.CreatedAt = b.now()
	b.m.handovers.Inc()
	b.log.Info("hand-over ticket opened", slog.Int64("ticket_id", id))
	if err := b.announceTicket(ctx, t, false); err != nil {
		b.log.Error("announcing a ticket to staff failed; it will be announced again", slog.Int64("ticket_id", id), slog.Any("error", err))
	}
	return b.reply(ctx, mc, b.msgTicketOpened(id), nil)
}

// announceTicket posts a ticket to the staff chat (as new, or as a
// reminder) and links the message to it, so a reply reaches the resident.
func (b *Bot) announceTicket(ctx context.Context, t store.Ticket, reminder bool) error {
	var s strings.Builder
	if reminder {
		waited := b.now().Sub(t.CreatedAt).Round(time.Minute)
		fmt.Fprintf(&s, "⏰ <b>工单 #%d 还没有人回复</b>（已等待 %s）\n", t.ID, esc(humanDuration(waited)))
	} else {
		fmt.Fprintf(&s, "🙋 <b>新的转人工咨询 · 工单 #%d</b>\n", t.ID)
	}
	fmt.Fprintf(&s, "时间：%s\n\n", b.now().In(b.o.Location).Format("2006-01-02 15:04"))
	q := t.Question
	if q == "" {
		q = "（居民已删除问题原文）"
	}
	s.WriteString("<b>居民的问题：</b>\n<blockquote>" + esc(oneLine(truncate(q, maxQuestionLen))) + "</blockquote>")
	if t.Answer != "" {
		s.WriteString("\n<b>机器人的回答：</b>\n" + esc(truncate(t.Answer, 600)))
	}
	fmt.Fprintf(&s, "\n\n请直接「回复」这条消息，您的回复会转达给居民。办结后发送 /close %d", t.ID)
	staff := b.staffChatFor(t.Office)
	ids, err := b.sendHTML(ctx, staff, s.String(), sendOpts{})
	for _, mid := range ids {
		if err := b.db.AddTicketMessage(ctx, t.ID, staff, mid); err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	return b.db.MarkTicketAnnounced(ctx, t.ID)
}

// staffReply relays a staff member's reply to a ticket message to the
// resident.
func (b *Bot) staffReply(ctx context.Context, mc *msgCtx, t store.Ticket) error {
	if !b.isAdmin(mc.from.ID) || !b.offices.mayHandle(mc.from.ID, t.Office) {
		b.m.refused.Inc()
		b.log.Warn("reply to a ticket from a non-staff user refused", slog.Int64(attrUserID, mc.from.ID), slog.Int64("ticket_id", t.ID))
		return b.reply(ctx, mc, msgRelayNotStaff, nil)
	}
	if handled, err := b.replyOnWeb(ctx, t, mc.from.ID, strings.TrimSpace(mc.m.Text)); handled {
		if errors.Is(err, ErrNoText) {
			return b.reply(ctx, mc, msgWebReplyText, nil)
		}
		if err != nil {
			return err
		}
		return b.reply(ctx, mc, msgRelayedWeb(t.ID), nil)
	}
	if t.ChatID == 0 && t.Status == store.TicketClosed {
		return b.reply(ctx, mc, msgRelayClosed(t.ID), nil)
	}
	if t.ChatID == 0 {
		return b.reply(ctx, mc, msgRelayForgotten(t.ID), nil)
	}
	m := mc.m
	var err error
	var ids []int
	if m.Text != "" {
		html := msgStaffReplyHeader(t.ID) + "\n\n" + entitiesToHTML(m.Text, m.Entities, 0) + "\n\n" + msgStaffReplyFooter
		ids, err = b.sendHTML(ctx, t.ChatID, html, sendOpts{})
	} else if hasContent(m) {
		ids, err = b.sendHTML(ctx, t.ChatID, msgStaffReplyHeader(t.ID), sendOpts{})
		if err == nil {
			var id int
			id, err = b.copyMessage(ctx, t.ChatID, mc.chat.ID, m.ID)
			if id != 0 {
				ids = append(ids, id)
			}
		}
	} else {
		return nil
	}
	for _, id := range ids {
		if err := b.db.AddTicketRelay(ctx, t.ID, t.ChatID, id); err != nil {
			b.log.Warn("recording a relayed message failed", slog.Any("error", err))
		}
	}
	switch {
	case isBlocked(err):
		return b.reply(ctx, mc, msgRelayBlocked(t.ID), nil)
	case err != nil:
		b.log.Warn("relaying a staff reply failed", slog.Int64("ticket_id", t.ID), slog.Any("error", err))
		return b.reply(ctx, mc, msgRelayFailed(t.ID), nil)
	}
	if err := b.db.MarkTicketReplied(ctx, t.ID); err != nil {
		return err
	}
	b.log.Info("staff reply relayed", slog.Int64("ticket_id", t.ID), slog.Int64(attrStaffUserID, mc.from.ID))
	return b.reply(ctx, mc, msgRelayed(t.ID), nil)
}

// residentFollowUp passes a resident's reply to a relayed message (or a
// /human while a ticket is open) on to staff, reopening a closed ticket.
func (b *Bot) residentFollowUp(ctx context.Context, mc *msgCtx, t store.Ticket) error {
	m := mc.m
	text := m.Text
	if c, ok := parseCommand(text); ok {
		text = c.arg
	}
	if strings.TrimSpace(text) != "" {
		return b.followUpText(ctx, mc, t, text)
	}
	if !hasContent(m) || m.Sticker != nil || m.Dice != nil {
		return b.reply(ctx, mc, msgFollowUpNonText, nil)
	}
	if ok, err := b.allowResident(ctx, mc); !ok {
		return err
	}
	if err := b.reopenIfClosed(ctx, t, mc.chat.ID); err != nil {
		return err
	}
	head := fmt.Sprintf("💬 <b>工单 #%d 居民补充了一个文件或图片：</b>（回复这条消息即可转达）", t.ID)
	staff := b.staffChatFor(t.Office)
	ids, err := b.sendHTML(ctx, staff, head, sendOpts{})
	if err == nil {
		var id int
		id, err = b.copyMessage(ctx, staff, mc.chat.ID, m.ID)
		if id != 0 {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		_ = b.db.AddTicketMessage(ctx, t.ID, staff, id)
	}
	if err != nil {
		_ = b.reply(ctx, mc, msgInternalError, nil)
		return err
	}
	return b.reply(ctx, mc, msgTicketFollowedUp(t.ID), nil)
}

func (b *Bot) followUpText(ctx context.Context, mc *msgCtx, t store.Ticket, raw string) error {
	text := cleanText(raw)
	if !hasWords(text) {
		return b.reply(ctx, mc, msgNoWords, nil)
	}
	// Everything a resident adds goes to the staff chat: the flood limit
	// keeps one resident from burying the other tickets.
	if ok, err := b.allowResident(ctx, mc); !ok {
		return err
	}
	if err := b.reopenIfClosed(ctx, t, mc.chat.ID); err != nil {
		return err
	}
	html := fmt.Sprintf("💬 <b>工单 #%d 居民补充：</b>\n<blockquote>%s</blockquote>\n回复这条消息即可转达给居民。",
		t.ID, esc(oneLine(truncate(text, maxQuestionLen))))
	staff := b.staffChatFor(t.Office)
	ids, err := b.sendHTML(ctx, staff, html, sendOpts{})
	for _, id := range ids {
		_ = b.db.AddTicketMessage(ctx, t.ID, staff, id)
	}
	if err != nil {
		_ = b.reply(ctx, mc, msgInternalError, nil)
		return err
	}
	return b.reply(ctx, mc, msgTicketFollowedUp(t.ID), nil)
}

// reopenIfClosed reopens a closed ticket the resident wrote to from
// chatID; a closed ticket keeps no chat id, so it is stored again.
func (b *Bot) reopenIfClosed(ctx context.Context, t store.Ticket, chatID int64) error {
	if t.Status != store.TicketClosed {
		return nil
	}
	b.log.Info("ticket reopened by the resident", slog.Int64("ticket_id", t.ID))
	return b.db.ReopenTicket(ctx, t.ID, chatID)
}

// cmdClose closes a ticket: /close N, or /close in reply to a ticket
// message. The resident is told.
func (b *Bot) cmdClose(ctx context.Context, mc *msgCtx, arg string) error {
	var id int64
	if arg != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(arg, "#"), 10, 64)
		if err != nil || n <= 0 {
			return b.reply(ctx, mc, msgCloseUsage, nil)
		}
		id = n
	} else if r := mc.m.ReplyToMessage; r != nil {
		t, err := b.db.TicketForMessage(ctx, mc.chat.ID, r.ID)
		if err != nil {
			return b.reply(ctx, mc, msgCloseUsage, nil)
		}
		id = t.ID
	} else {
		return b.reply(ctx, mc, msgCloseUsage, nil)
	}
	if cur, err := b.db.GetTicket(ctx, id); err == nil && !b.offices.mayHandle(mc.from.ID, cur.Office) {
		// Another office's ticket is none of this staff member's business.
		return b.reply(ctx, mc, msgTicketNotFound(id), nil)
	}
	t, closed, err := b.db.CloseTicket(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return b.reply(ctx, mc, msgTicketNotFound(id), nil)
	}
	if err != nil {
		return err
	}
	if !closed {
		return b.reply(ctx, mc, msgTicketAlreadyClosed(id), nil)
	}
	b.log.Info("ticket closed", slog.Int64("ticket_id", id), slog.Int64(attrStaffUserID, mc.from.ID))
	notified := false
	if t.ChatID != 0 {
		if _, err := b.sendHTML(ctx, t.ChatID, msgTicketClosedResident(id), sendOpts{}); err == nil {
			notified = true
		}
	}
	return b.reply(ctx, mc, msgTicketClosedStaff(id, notified), nil)
}

// cmdTickets lists the tickets that are not closed.
func (b *Bot) cmdTickets(ctx context.Context, mc *msgCtx) error {
	office, ok, err := b.staffScope(ctx, mc)
	if !ok || err != nil {
		return err
	}
	ts, err := b.db.Office(office).ActiveTickets(ctx)
	if err != nil {
		return err
	}
	if b.offices.multi && office == b.offices.list[0].ID {
		// Tickets of no office (the web page's) come to the first office.
		more, err := b.db.Office("").ActiveTickets(ctx)
		if err != nil {
			return err
		}
		ts = append(ts, more...)
	}
	if len(ts) == 0 {
		return b.reply(ctx, mc, msgNoTickets, nil)
	}
	var s strings.Builder
	fmt.Fprintf(&s, "📋 <b>待办工单（%d）</b>\n", len(ts))
	if b.offices.multi {
		fmt.Fprintf(&s, "%s\n", esc(b.offices.name(office)))
	}
	now := b.now()
	for _, t := range ts {
		status := "未回复"
		if t.Status == store.TicketAnswered {
			status = "已回复"
		}
		q := t.Question
		if q == "" {
			q = "（原文已删除）"
		}
		fmt.Fprintf(&s, "\n<b>#%d</b> %s · %s前\n%s\n", t.ID, status, esc(humanDuration(now.Sub(t.CreatedAt))), esc(oneLine(truncate(q, 60))))
	}
	s.WriteString("\n回复工单消息即可答复居民；办结后发送 /close 编号。")
	return b.reply(ctx, mc, s.String(), nil)
}

// remindTickets re-announces tickets that nobody has answered within
// TicketReminder of their last announcement. Run calls it every
// ReminderInterval; tests call it with a moved clock.
func (b *Bot) remindTickets(ctx context.Context) error {
	if !b.offices.handOver() {
		return nil
	}
	due, err := b.db.DueTickets(ctx, b.now().Add(-b.o.TicketReminder))
	if err != nil {
		return err
	}
	for i, t := range due {
		if i == remindersPerRound {
			break
		}
		if err := b.announceTicket(ctx, t, true); err != nil {
			return err
		}
		b.log.Info("ticket re-announced", slog.Int64("ticket_id", t.ID))
	}
	return nil
}

// humanDuration writes a duration the way people say it: 3小时20分钟, 2天.
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "不到1分钟"
	case d < time.Hour:
		return fmt.Sprintf("%d分钟", int(d.Minutes()))
	case d < 24*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%d小时", h)
		}
		return fmt.Sprintf("%d小时%d分钟", h, m)
	default:
		days, h := int(d.Hours())/24, int(d.Hours())%24
		if h == 0 {
			return fmt.Sprintf("%d天", days)
		}
		return fmt.Sprintf("%d天%d小时", days, h)
	}
}
