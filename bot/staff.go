package bot

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/store"
)

func isStaffCommand(name string) bool {
	switch name {
	case "stats", "tickets", "close", "broadcast", "campaigns", "register_group", "unregister_group", "console":
		return true
	}
	return false
}

// staffCommand runs a staff command for an admin (already checked).
func (b *Bot) staffCommand(ctx context.Context, mc *msgCtx, c command) error {
	b.log.Info("staff command", slog.Int64(attrStaffUserID, mc.from.ID), slog.String("command", c.name))
	switch c.name {
	case "stats":
		return b.cmdStats(ctx, mc, c.arg)
	case "tickets":
		return b.cmdTickets(ctx, mc)
	case "close":
		return b.cmdClose(ctx, mc, c.arg)
	case "broadcast":
		return b.cmdBroadcast(ctx, mc, c)
	case "campaigns":
		return b.cmdCampaigns(ctx, mc)
	case "console":
		return b.cmdConsole(ctx, mc)
	case "register_group", "unregister_group":
		return b.reply(ctx, mc, msgGroupRegisterPrivate, nil)
	}
	return nil
}

// cmdRegisterGroup registers (or unregisters) a village group for
// campaigns.
func (b *Bot) cmdRegisterGroup(ctx context.Context, mc *msgCtx, register bool, arg string) error {
	// A group another office registered is that office's (or the
	// county's) to change.
	if c, err := b.db.GetChat(ctx, mc.chat.ID); err == nil && c.Registered && !b.offices.mayHandle(mc.from.ID, c.Office) {
		return b.refuse(ctx, mc, "register_group")
	}
	if register {
		office, err := b.registerGroupOffice(mc.from.ID, arg)
		if err != nil {
			return b.reply(ctx, mc, msgUnknownOffice, nil)
		}
		added, err := b.db.RegisterGroup(ctx, store.Chat{ID: mc.chat.ID, Kind: string(mc.chat.Type), Title: mc.chat.Title, Office: office})
		if err != nil {
			return err
		}
		b.knownChats.Delete(mc.chat.ID)
		b.log.Info("group registered", slog.Int64(attrChatID, mc.chat.ID), slog.Int64(attrStaffUserID, mc.from.ID), slog.String("office", office))
		text := msgGroupRegistered(mc.chat.Title, added)
		if b.offices.multi {
			name := b.offices.name(office)
			if office == "" {
				name = "全县"
			}
			text += "\n" + msgGroupRegisteredOffice(name)
		}
		return b.reply(ctx, mc, text, nil)
	}
	removed, err := b.db.UnregisterGroup(ctx, mc.chat.ID)
	if err != nil {
		return err
	}
	b.log.Info("group unregistered", slog.Int64(attrChatID, mc.chat.ID), slog.Int64(attrStaffUserID, mc.from.ID))
	return b.reply(ctx, mc, msgGroupUnregistered(removed), nil)
}

var monthArg = regexp.MustCompile(`^(\d{4})-(\d{1,2})$`)
var yearArg = regexp.MustCompile(`^(\d{4})$`)

// parsePeriod turns a /stats argument into a period in loc:
// today, week (this week from Monday), month (the default), year,
// YYYY-MM or YYYY.
func parsePeriod(arg string, now time.Time, loc *time.Location) (Period, bool) {
	now = now.In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "today", "今天", "今日":
		return Period{From: day, To: day.AddDate(0, 0, 1), Label: fmt.Sprintf("今天（%d月%d日）", now.Month(), now.Day())}, true
	case "week", "本周":
		wd := (int(now.Weekday()) + 6) % 7 // Monday = 0
		from := day.AddDate(0, 0, -wd)
		to := from.AddDate(0, 0, 7)
		last := to.AddDate(0, 0, -1)
		return Period{From: from, To: to, Label: fmt.Sprintf("本周（%d月%d日—%d月%d日）", from.Month(), from.Day(), last.Month(), last.Day())}, true
	case "", "month", "本月":
		from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
		return Period{From: from, To: from.AddDate(0, 1, 0), Label: fmt.Sprintf("%d年%d月", now.Year(), now.Month())}, true
	case "year", "今年":
		from := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, loc)
		return Period{From: from, To: from.AddDate(1, 0, 0), Label: fmt.Sprintf("%d年", now.Year())}, true
	}
	if m := monthArg.FindStringSubmatch(strings.TrimSpace(arg)); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if mo < 1 || mo > 12 || y < 2000 || y > 2999 {
			return Period{}, false
		}
		from := time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, loc)
		return Period{From: from, To: from.AddDate(0, 1, 0), Label: fmt.Sprintf("%d年%d月", y, mo)}, true
	}
	if m := yearArg.FindStringSubmatch(strings.TrimSpace(arg)); m != nil {
		y, _ := strconv.Atoi(m[1])
		if y < 2000 || y > 2999 {
			return Period{}, false
		}
		from := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return Period{From: from, To: from.AddDate(1, 0, 0), Label: fmt.Sprintf("%d年", y)}, true
	}
	return Period{}, false
}

// cmdStats sends the period's statistics: the chart when a StatsFunc is
// configured and works, else text figures from the database (at once
// after the chart's first failed upload, with the campaign figures too).
func (b *Bot) cmdStats(ctx context.Context, mc *msgCtx, arg string) error {
	p, ok := parsePeriod(arg, b.now(), b.o.Location)
	if !ok {
		return b.reply(ctx, mc, msgStatsUsage, nil)
	}
	office, ok, err := b.staffScope(ctx, mc)
	if !ok || err != nil {
		return err
	}
	replyTo := 0
	if !mc.private {
		replyTo = mc.m.ID
	}
	if stats := b.statsFor(office); stats != nil {
		caption, png, err := stats(ctx, p)
		if err == nil && len(png) > 0 {
			text := esc(strings.TrimSpace(caption))
			if text == "" {
				text = "📊 " + esc(p.Label)
			}
			if utf16Len(text) > maxCaptionLen {
				text = splitHTML(text, maxCaptionLen-1)[0] + "…"
			}
			err := b.sendPhoto(ctx, mc.chat.ID, png, text, replyTo)
			if err == nil {
				return nil
			}
			b.log.Warn("sending the stats chart failed; sending text", slog.Any("error", err))
		} else if err != nil {
			b.log.Warn("stats chart failed; sending text", slog.Any("error", err))
		}
	}
	html, err := b.statsText(ctx, b.db.Office(office), p)
	if err != nil {
		b.log.Error("stats failed", slog.Any("error", err))
		return b.reply(ctx, mc, msgStatsFailed, nil)
	}
	return b.reply(ctx, mc, html, nil)
}

// statsText computes the period's figures from the database.
func (b *Bot) statsText(ctx context.Context, v store.OfficeOf, p Period) (string, error) {
	ct, err := v.ConsultationTotals(ctx, p.From, p.To)
	if err != nil {
		return "", err
	}
	tt, err := v.TicketTotals(ctx, p.From, p.To)
	if err != nil {
		return "", err
	}
	chats, err := v.CountChats(ctx)
	if err != nil {
		return "", err
	}
	camps, err := v.CampaignTotals(ctx, p.From, p.To)
	if err != nil {
		return "", err
	}
	byKind := map[string]int64{}
	byTopic := map[string]int64{}
	var handed, helpful, notHelpful int64
	for _, g := range ct.Groups {
		byKind[g.AnswerKind] += g.Count
		if g.Topic != "" {
			byTopic[g.Topic] += g.Count
		}
		if g.HandedOver {
			handed += g.Count
		}
		switch g.Feedback {
		case store.FeedbackHelpful:
			helpful += g.Count
		case store.FeedbackNotHelpful:
			notHelpful += g.Count
		}
	}
	var s strings.Builder
	fmt.Fprintf(&s, "📊 <b>咨询统计 · %s</b>\n\n", esc(p.Label))
	if b.offices.multi {
		fmt.Fprintf(&s, "%s\n", esc(b.offices.name(v.ID())))
	}
	fmt.Fprintf(&s, "咨询人次：<b>%d</b>\n", ct.Total())
	fmt.Fprintf(&s, "咨询人数：<b>%d</b>\n", ct.Residents)
	s.WriteString("\n<b>回答方式</b>\n")
	kinds := []struct{ kind, name string }{
		{string(knowledge.KindCitation), "引用法条"},
		{string(knowledge.KindFAQ), "常见问题解答"},
		{string(knowledge.KindArticles), "检索相关法条"},
		{string(knowledge.KindNone), "未能解答"},
		{string(knowledge.KindSmallTalk), "闲聊问候"},
	}
	var known int64
	for _, k := range kinds {
		fmt.Fprintf(&s, "• %s：%d\n", k.name, byKind[k.kind])
		known += byKind[k.kind]
	}
	if other := ct.Total() - known; other > 0 {
		fmt.Fprintf(&s, "• 其他（电话、来访等）：%d\n", other)
	}
	fmt.Fprintf(&s, "\n<b>转人工</b>：%d 次；工单 %d 件，已回复 %d 件", handed, tt.Created, tt.Answered)
	if n := len(tt.ReplyDelays); n > 0 {
		fmt.Fprintf(&s, "，首次回复用时中位数 %s", esc(humanDuration(tt.ReplyDelays[(n-1)/2])))
	}
	fmt.Fprintf(&s, "\n<b>反馈</b>：有帮助 %d · 没帮助 %d\n", helpful, notHelpful)
	if len(byTopic) > 0 {
		type tc struct {
			id string
			n  int64
		}
		var tcs []tc
		for id, n := range byTopic {
			tcs = append(tcs, tc{id, n})
		}
		sort.Slice(tcs, func(i, j int) bool {
			if tcs[i].n != tcs[j].n {
				return tcs[i].n > tcs[j].n
			}
			return tcs[i].id < tcs[j].id
		})
		var names []string
		for i, t := range tcs {
			if i == 5 {
				break
			}
			name := t.id
			if topic, ok := b.kb.Topic(t.id); ok {
				name = topic.Name
			}
			names = append(names, fmt.Sprintf("%s %d", name, t.n))
		}
		s.WriteString("<b>热门专题</b>：" + esc(strings.Join(names, "、")) + "\n")
	}
	if len(camps) > 0 {
		var occurrences, sent, undelivered int64
		var titles []string
		for _, c := range camps {
			occurrences += c.Occurrences
			sent += c.Sent
			undelivered += c.Undelivered
			if len(titles) < 3 && c.Title != "" {
				titles = append(titles, c.Title)
			}
		}
		fmt.Fprintf(&s, "<b>宣传推送</b>：%d 次，送达 %d 条", occurrences, sent)
		if undelivered > 0 {
			fmt.Fprintf(&s, "，未送达 %d 条", undelivered)
		}
		if len(titles) > 0 {
			s.WriteString("（" + esc(strings.Join(titles, "、")))
			if len(camps) > len(titles) {
				s.WriteString("等")
			}
			s.WriteString("）")
		}
		s.WriteString("\n")
	}
	fmt.Fprintf(&s, "\n<b>现在</b>：订阅提醒 %d 人，登记村群 %d 个，停用机器人 %d 个会话", chats.Subscribers, chats.Groups, chats.Blocked)
	return s.String(), nil
}

// cmdBroadcast starts composing a broadcast, or previews the text given
// with the command.
func (b *Bot) cmdBroadcast(ctx context.Context, mc *msgCtx, c command) error {
	if b.o.Broadcaster == nil {
		return b.reply(ctx, mc, msgBroadcastUnavailable, nil)
	}
	if mc.chat.Type != models.ChatTypePrivate && !mc.staff {
		return b.reply(ctx, mc, msgPrivateOnly, nil)
	}
	if c.arg != "" {
		return b.composeBroadcast(ctx, mc, mc.m.Text, mc.m.Entities, c.argOff)
	}
	b.conv.startComposing(mc.chat.ID, mc.from.ID, b.now())
	return b.reply(ctx, mc, msgBroadcastPrompt, nil)
}

// composeBroadcast turns staff's message into HTML and shows the preview
// with 确认发送 / 取消.
func (b *Bot) composeBroadcast(ctx context.Context, mc *msgCtx, text string, entities []models.MessageEntity, from int) error {
	if b.o.Broadcaster == nil {
		return b.reply(ctx, mc, msgBroadcastUnavailable, nil)
	}
	if strings.TrimSpace(text) == "" {
		return b.reply(ctx, mc, msgBroadcastTextOnly, nil)
	}
	html := entitiesToHTML(text, entities, from)
	if html == "" {
		return b.reply(ctx, mc, msgBroadcastTextOnly, nil)
	}
	if utf16Len(html) > maxMessageLen {
		return b.reply(ctx, mc, msgBroadcastTooLong, nil)
	}
	id := b.conv.addDraft(draft{html: html, chatID: mc.chat.ID, userID: mc.from.ID}, b.now())
	if err := b.reply(ctx, mc, msgBroadcastPreviewHeader, nil); err != nil {
		return err
	}
	k := b.newKeyboard(mc.chat.ID)
	k.row(k.button(btnConfirmSend, actBroadcast, id, "y"), k.button(btnCancelSend, actBroadcast, id, "n"))
	_, err := b.sendHTML(ctx, mc.chat.ID, html, sendOpts{kb: k.build()})
	return err
}

// onBroadcastButton confirms or cancels a previewed broadcast. The draft is
// taken once, so a double tap sends once.
func (b *Bot) onBroadcastButton(ctx context.Context, cq *models.CallbackQuery, mc *msgCtx, c callback) error {
	if !b.isAdmin(cq.From.ID) {
		b.m.refused.Inc()
		b.log.Warn("broadcast button pressed by a non-staff user", slog.Int64(attrUserID, cq.From.ID))
		b.answerCallback(ctx, cq, msgStaffOnly, true)
		return nil
	}
	if b.o.Broadcaster == nil {
		return errStale
	}
	yes := c.arg(1) == "y"
	if !yes && c.arg(1) != "n" {
		return errStale
	}
	d, ok := b.conv.takeDraft(c.arg(0), b.now())
	if !ok {
		return errStale
	}
	if err := b.editKeyboard(ctx, mc.chat.ID, mc.m.ID, nil); err != nil {
		b.log.Debug("removing preview buttons failed", slog.Any("error", err))
	}
	if !yes {
		b.answerCallback(ctx, cq, msgBroadcastCancelled, false)
		return b.reply(ctx, mc, msgBroadcastCancelled, nil)
	}
	office, ok := b.offices.scope(cq.From.ID, mc.chat.ID)
	if !ok {
		b.answerCallback(ctx, cq, msgStaffOnly, true)
		return nil
	}
	occ, err := b.broadcastTo(ctx, office, cq.From.ID, d.html)
	if err != nil {
		b.answerCallback(ctx, cq, "", false)
		b.log.Error("broadcast failed", slog.Int64(attrStaffUserID, cq.From.ID), slog.Any("error", err))
		return b.reply(ctx, mc, msgBroadcastFailed, nil)
	}
	b.log.Info("broadcast started", slog.Int64("occurrence_id", occ), slog.Int64(attrStaffUserID, cq.From.ID), slog.String("office", office))
	b.answerCallback(ctx, cq, "已开始发送", false)
	text := msgBroadcastStarted(occ)
	if b.offices.multi {
		text += "\n发送对象：" + esc(b.offices.name(office))
	}
	return b.reply(ctx, mc, text, nil)
}

// cmdCampaigns shows the campaigns' delivery status.
func (b *Bot) cmdCampaigns(ctx context.Context, mc *msgCtx) error {
	if b.o.Broadcaster == nil {
		return b.reply(ctx, mc, msgBroadcastUnavailable, nil)
	}
	status, err := b.o.Broadcaster.Status(ctx)
	if err != nil {
		b.log.Error("campaign status failed", slog.Any("error", err))
		return b.reply(ctx, mc, msgCampaignsFailed, nil)
	}
	status = strings.TrimSpace(status)
	if status == "" {
		status = "还没有普法活动的发送记录。"
	}
	return b.reply(ctx, mc, "📣 <b>普法活动</b>\n\n"+esc(status), nil)
}
