package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/knowledge/cite"
	"github.com/pufabot/pufabot/store"
)

// ask answers a question with an answer card and records the consultation.
func (b *Bot) ask(ctx context.Context, mc *msgCtx, raw string) error {
	q := cleanText(raw)
	if _, emoji := knowledge.SmallTalk(q); !hasWords(q) && !emoji {
		return b.reply(ctx, mc, msgNoWords, nil)
	}
	if ok, err := b.allowResident(ctx, mc); !ok {
		return err
	}
	a, err := b.kb.Answer(ctx, q)
	if err != nil {
		b.log.Error("answering a question failed", slog.Any("error", err))
		k := b.newKeyboard(mc.chat.ID)
		k.row(b.handOverButton(k, mc.private, 0))
		return b.reply(ctx, mc, msgSearchFailed, k.build())
	}
	resident, err := b.db.Pseudonym(ctx, mc.from.ID)
	if err != nil {
		b.log.Warn("pseudonym failed", slog.Any("error", err))
	}
	faqID := ""
	if a.FAQ != nil {
		faqID = a.FAQ.ID
	}
	cons := store.Consultation{
		At:         b.now(),
		Resident:   resident,
		Channel:    "telegram",
		ChatType:   string(mc.chat.Type),
		Topic:      a.Topic,
		AnswerKind: string(a.Kind),
		Articles:   citations(a.Hits),
		FAQID:      faqID,
		Question:   truncate(q, maxQuestionLen),
		Latency:    time.Since(mc.received),
		Office:     b.residentOffice(ctx, mc),
	}
	var consID int64
	err = b.write(func() (err error) {
		consID, err = b.db.RecordConsultation(ctx, cons)
		return err
	})
	if err != nil {
		b.log.Error("recording a consultation failed", slog.Any("error", err))
		consID = 0
	}
	html, kb := b.renderAnswer(mc.chat.ID, mc.private, a, consID)
	if err := b.reply(ctx, mc, html, kb); err != nil {
		return err
	}
	b.m.answers.Inc(string(a.Kind))
	if !mc.received.IsZero() {
		b.m.latency.Observe(time.Since(mc.received).Seconds())
	}
	return nil
}

// allowResident applies the per-resident flood limit to something that
// costs a search or a message to staff (a question, a hand-over, a
// follow-up). When it reports false the message is dropped; the first
// one over the limit gets a polite note in a private chat.
func (b *Bot) allowResident(ctx context.Context, mc *msgCtx) (bool, error) {
	ok, warn := b.flood.allow(mc.from.ID, b.now())
	if ok {
		return true, nil
	}
	b.m.limited.Inc()
	b.log.Debug("message refused by the flood limit", slog.Int64(attrChatID, mc.chat.ID))
	if warn && mc.private {
		return false, b.reply(ctx, mc, msgFlood, nil)
	}
	return false, nil
}

func (b *Bot) onMenu(ctx context.Context, mc *msgCtx, item string) error {
	switch item {
	case menuAsk:
		return b.reply(ctx, mc, msgAskHowTo, nil)
	case menuTopics:
		html, kb := b.topicsList(mc.chat.ID)
		return b.reply(ctx, mc, html, kb)
	case menuSubscribe:
		if !mc.private {
			return b.reply(ctx, mc, msgGroupSubscribe, nil)
		}
		return b.cmdSubscribe(ctx, mc, "")
	case menuHuman:
		if !mc.private {
			return b.reply(ctx, mc, msgHumanInGroup, b.privateChatKeyboard("human"))
		}
		return b.cmdHuman(ctx, mc, "")
	case menuPrivacy:
		return b.reply(ctx, mc, b.msgPrivacy(), nil)
	}
	return errStale
}

// topicsList is the list of 专题 as buttons.
func (b *Bot) topicsList(chatID int64) (string, *keyboard) {
	topics := b.kb.Topics()
	k := b.newKeyboard(chatID)
	btns := make([]button, 0, len(topics))
	for _, t := range topics {
		btns = append(btns, k.button(t.Name, actTopic, t.ID))
	}
	k.grid(2, btns)
	if len(topics) == 0 {
		return "📚 <b>普法专题</b>\n\n专题正在整理中，请先直接提问。", nil
	}
	return "📚 <b>普法专题</b>\n\n点一个专题，看看要点和相关的法律：", k.build()
}

// onTopic shows a topic page: summary, key points, key articles.
func (b *Bot) onTopic(ctx context.Context, cq *models.CallbackQuery, mc *msgCtx, id string) error {
	t, ok := b.kb.Topic(id)
	if !ok {
		return errStale
	}
	b.answerCallback(ctx, cq, "", false)
	var s strings.Builder
	s.WriteString("📚 <b>" + esc(t.Name) + "</b>\n" + esc(t.Summary))
	if len(t.Points) > 0 {
		s.WriteString("\n\n<b>要点</b>\n")
		for i, p := range t.Points {
			if i > 0 {
				s.WriteString("\n")
			}
			s.WriteString("• " + esc(oneLine(p)))
		}
	}
	k := b.newKeyboard(mc.chat.ID)
	if len(t.Articles) > 0 {
		s.WriteString("\n\n<b>相关法律</b>（点下面的按钮看原文）")
		for i, a := range t.Articles {
			k.row(k.button("📄 "+a.String(), actTopicArticle, t.ID, strconv.Itoa(i)))
		}
	}
	var last []button
	if mc.private {
		last = append(last, k.button("🔔 订阅这个专题", actSubscribe, t.ID))
	}
	last = append(last, k.button(btnAllTopics, actTopics))
	k.row(last...)
	_, err := b.sendHTML(ctx, mc.chat.ID, s.String(), sendOpts{kb: k.build()})
	return err
}

// onTopicArticle shows the full text of one of a topic's key articles.
func (b *Bot) onTopicArticle(ctx context.Context, cq *models.CallbackQuery, mc *msgCtx, c callback) error {
	t, ok := b.kb.Topic(c.arg(0))
	if !ok {
		return errStale
	}
	i, err := strconv.Atoi(c.arg(1))
	if err != nil || i < 0 || i >= len(t.Articles) {
		return errStale
	}
	ref := t.Articles[i]
	h, ok := b.kb.LookupArticle(ref.Law, ref.Article, ref.Suffix)
	if !ok {
		b.answerCallback(ctx, cq, msgArticleNotImported, false)
		return nil
	}
	b.answerCallback(ctx, cq, "", false)
	_, err = b.sendHTML(ctx, mc.chat.ID, articleHTML(h), sendOpts{})
	return err
}

// onFullText sends the whole text of an article (split when long).
func (b *Bot) onFullText(ctx context.Context, cq *models.CallbackQuery, mc *msgCtx, id string) error {
	h, ok := b.kb.Article(id)
	if !ok {
		b.answerCallback(ctx, cq, msgArticleGone, false)
		return nil
	}
	b.answerCallback(ctx, cq, "", false)
	o := sendOpts{}
	if !mc.private {
		o.replyTo = mc.m.ID
	}
	_, err := b.sendHTML(ctx, mc.chat.ID, articleHTML(h), o)
	return err
}

// onSuggestion answers the curated question a resident picked from
// 您可能还想了解.
func (b *Bot) onSuggestion(ctx context.Context, cq *models.CallbackQuery, mc *msgCtx, id string) error {
	a, ok := b.kb.FAQEntry(id)
	if !ok {
		b.answerCallback(ctx, cq, msgArticleGone, false)
		return nil
	}
	b.answerCallback(ctx, cq, "", false)
	html, kb := b.renderAnswer(mc.chat.ID, mc.private, a, 0)
	o := sendOpts{kb: kb}
	if !mc.private {
		o.replyTo = mc.m.ID
	}
	_, err := b.sendHTML(ctx, mc.chat.ID, html, o)
	return err
}

// onMore sends the next page of articles for a question.
func (b *Bot) onMore(ctx context.Context, cq *models.CallbackQuery, mc *msgCtx, c callback) error {
	consID, err := c.int64Arg(0)
	if err != nil {
		return err
	}
	offset, err := strconv.Atoi(c.arg(1))
	if err != nil || offset <= 0 || offset > maxMoreOffset {
		return errStale
	}
	cons, err := b.db.GetConsultation(ctx, consID)
	if errors.Is(err, store.ErrNotFound) {
		return errStale
	}
	if err != nil {
		return err
	}
	if cons.Question == "" {
		b.answerCallback(ctx, cq, msgRecordGone, false)
		return nil
	}
	hits, err := b.kb.Search(ctx, cons.Question, knowledge.PageSize+1, offset)
	if err != nil {
		b.answerCallback(ctx, cq, msgSearchFailed, false)
		return fmt.Errorf("bot: more results: %w", err)
	}
	if len(hits) == 0 {
		b.answerCallback(ctx, cq, msgNoMore, false)
		return nil
	}
	more := len(hits) > knowledge.PageSize
	if more {
		hits = hits[:knowledge.PageSize]
	}
	b.answerCallback(ctx, cq, "", false)
	html := currencyHTML(knowledge.CurrencyOf(hits)) +
		fmt.Sprintf("🔍 <b>更多相关规定（第%d—%d条）：</b>\n\n", offset+1, offset+len(hits)) + hitList(hits, offset+1) +
		"\n\n<i>" + esc(knowledge.Disclaimer) + "</i>"
	k := b.newKeyboard(mc.chat.ID)
	k.row(b.fullTextButtons(k, hits, offset+1)...)
	next := offset + knowledge.PageSize
	var row []button
	if more && next <= maxMoreOffset {
		row = append(row, k.button(btnMore, actMore, strconv.FormatInt(consID, 10), strconv.Itoa(next)))
	}
	row = append(row, b.handOverButton(k, mc.private, consID))
	k.row(row...)
	o := sendOpts{kb: k.build()}
	if !mc.private {
		o.replyTo = mc.m.ID
	}
	_, err = b.sendHTML(ctx, mc.chat.ID, html, o)
	return err
}

// onFeedback records 有帮助 / 没帮助 from the person who asked, and takes
// the feedback buttons off the card.
func (b *Bot) onFeedback(ctx context.Context, cq *models.CallbackQuery, mc *msgCtx, c callback) error {
	consID, err := c.int64Arg(0)
	if err != nil {
		return err
	}
	value := store.FeedbackHelpful
	switch c.arg(1) {
	case "+":
	case "-":
		value = store.FeedbackNotHelpful
	default:
		return errStale
	}
	cons, err := b.db.GetConsultation(ctx, consID)
	if errors.Is(err, store.ErrNotFound) {
		return errStale
	}
	if err != nil {
		return err
	}
	if cons.Resident != "" {
		me, err := b.db.Pseudonym(ctx, cq.From.ID)
		if err != nil {
			return err
		}
		if me != cons.Resident {
			b.answerCallback(ctx, cq, msgFeedbackOthers, false)
			return nil
		}
	}
	if err := b.db.SetFeedback(ctx, consID, value); err != nil {
		return err
	}
	note := msgThanks
	if value == store.FeedbackNotHelpful {
		note = msgThanksNotHelpful
	}
	b.answerCallback(ctx, cq, note, value == store.FeedbackNotHelpful)
	return b.editKeyboard(ctx, mc.chat.ID, mc.m.ID, b.keyboardAfterFeedback(ctx, mc.chat.ID, mc.private, cons))
}

// keyboardAfterFeedback is the answer card's keyboard without the feedback
// buttons. It is rebuilt from the consultation, never read from the pressed
// message, which may come without its buttons (an old message, some
// clients): an edit with those would take every button away.
func (b *Bot) keyboardAfterFeedback(ctx context.Context, chatID int64, private bool, cons store.Consultation) *keyboard {
	if cons.Question != "" {
		if a, err := b.kb.Answer(ctx, cons.Question); err == nil {
			return b.answerKeyboard(chatID, private, a, cons.ID, false)
		}
	}
	// The question text is gone (privacy.retain_days, /forget): the
	// articles shown are still recorded.
	k := b.newKeyboard(chatID)
	if cons.AnswerKind != string(knowledge.KindCitation) {
		var hits []knowledge.Hit
		for _, c := range cons.Articles {
			for _, r := range cite.Parse(c) {
				if h, ok := b.kb.LookupArticle(r.Law, r.Article, r.Suffix); ok {
					hits = append(hits, h)
				}
			}
		}
		k.row(b.fullTextButtons(k, hits, 1)...)
	}
	k.row(b.handOverButton(k, private, cons.ID))
	return k.build()
}

// cmdSubscribe shows the subscription buttons; "/subscribe all"
// subscribes to everything at once.
func (b *Bot) cmdSubscribe(ctx context.Context, mc *msgCtx, arg string) error {
	if !mc.private {
		return b.reply(ctx, mc, msgGroupSubscribe, nil)
	}
	if a := strings.ToLower(arg); a == "all" || a == "全部" || a == "*" {
		if err := b.subscribe(ctx, mc.chat, store.AllTopics); err != nil {
			return err
		}
	}
	html, kb, err := b.subscriptionPage(ctx, mc.chat.ID)
	if err != nil {
		return err
	}
	return b.reply(ctx, mc, html, kb)
}

// cmdUnsubscribe shows the subscription buttons to switch off;
// "/unsubscribe all" drops everything at once.
func (b *Bot) cmdUnsubscribe(ctx context.Context, mc *msgCtx, arg string) error {
	if !mc.private {
		return b.reply(ctx, mc, msgGroupSubscribe, nil)
	}
	subs, err := b.db.Subscriptions(ctx, mc.chat.ID)
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		return b.reply(ctx, mc, msgNotSubscribed, nil)
	}
	if a := strings.ToLower(arg); a == "all" || a == "全部" || a == "*" {
		if _, err := b.db.UnsubscribeAll(ctx, mc.chat.ID); err != nil {
			return err
		}
		return b.reply(ctx, mc, msgUnsubscribedAll, nil)
	}
	html, kb, err := b.subscriptionPage(ctx, mc.chat.ID)
	if err != nil {
		return err
	}
	return b.reply(ctx, mc, html+"\n\n点带 ✅ 的按钮就能退订。", kb)
}

func (b *Bot) subscribe(ctx context.Context, chat models.Chat, topic string) error {
	// The chat row may be gone (after /forget); subscribing needs it.
	b.knownChats.Delete(chat.ID)
	b.rememberChat(ctx, chat)
	_, err := b.db.Subscribe(ctx, chat.ID, topic)
	return err
}

// subscriptionPage shows what the chat is subscribed to, with toggles.
func (b *Bot) subscriptionPage(ctx context.Context, chatID int64) (string, *keyboard, error) {
	subs, err := b.db.Subscriptions(ctx, chatID)
	if err != nil {
		return "", nil, err
	}
	topics := b.kb.Topics()
	k := b.newKeyboard(chatID)
	all := slices.Contains(subs, store.AllTopics)
	if all {
		k.row(k.button(btnSubAllOn, actUnsubscribe, store.AllTopics))
	} else {
		k.row(k.button(btnSubAll, actSubscribe, store.AllTopics))
	}
	var names []string
	if all {
		names = append(names, "全部提醒")
	}
	btns := make([]button, 0, len(topics))
	for _, t := range topics {
		if slices.Contains(subs, t.ID) {
			names = append(names, t.Name)
			btns = append(btns, k.button("✅ "+t.Name, actUnsubscribe, t.ID))
		} else {
			btns = append(btns, k.button(t.Name, actSubscribe, t.ID))
		}
	}
	k.grid(2, btns)
	if len(subs) > 0 {
		k.row(k.button(btnUnsubAll, actUnsubscribe, "!"))
	}
	status := "您现在还没有订阅。"
	if len(names) > 0 {
		status = "您现在订阅了：" + esc(strings.Join(names, "、"))
	}
	return msgSubscribeIntro + "\n\n<b>" + status + "</b>", k.build(), nil
}

// onSubscriptionButton toggles a subscription and refreshes the page.
func (b *Bot) onSubscriptionButton(ctx context.Context, cq *models.CallbackQuery, mc *msgCtx, c callback) error {
	if !mc.private {
		return errStale
	}
	topic := c.arg(0)
	if topic != store.AllTopics && topic != "!" {
		if _, ok := b.kb.Topic(topic); !ok {
			return errStale
		}
	}
	var note string
	switch {
	case c.action == actSubscribe && topic != "!":
		if err := b.subscribe(ctx, mc.chat, topic); err != nil {
			return err
		}
		note = "已订阅 🔔"
	case topic == "!":
		if _, err := b.db.UnsubscribeAll(ctx, mc.chat.ID); err != nil {
			return err
		}
		note = "已全部退订"
	default:
		if _, err := b.db.Unsubscribe(ctx, mc.chat.ID, topic); err != nil {
			return err
		}
		note = "已退订"
	}
	b.answerCallback(ctx, cq, note, false)
	html, kb, err := b.subscriptionPage(ctx, mc.chat.ID)
	if err != nil {
		return err
	}
	// A topic page's 订阅 button: answer with the page as a new message.
	if !b.isSubscriptionPage(mc.chat.ID, mc.m.ReplyMarkup) {
		_, err := b.sendHTML(ctx, mc.chat.ID, html, sendOpts{kb: kb})
		return err
	}
	return b.editText(ctx, mc.chat.ID, mc.m.ID, html, kb)
}

// isSubscriptionPage recognises the subscription page by its keyboard:
// only it has the 全部提醒 toggle.
func (b *Bot) isSubscriptionPage(chatID int64, markup *models.InlineKeyboardMarkup) bool {
	if markup == nil {
		return false
	}
	for _, row := range markup.InlineKeyboard {
		for _, bt := range row {
			c, err := b.cb.decode(chatID, bt.CallbackData)
			if err == nil && (c.action == actSubscribe || c.action == actUnsubscribe) && c.arg(0) == store.AllTopics {
				return true
			}
		}
	}
	return false
}

// onForgetButton deletes the resident's data after confirmation.
func (b *Bot) onForgetButton(ctx context.Context, cq *models.CallbackQuery, mc *msgCtx, answer string) error {
	if !mc.private {
		return errStale
	}
	switch answer {
	case "y":
		resident, err := b.db.Pseudonym(ctx, cq.From.ID)
		if err != nil {
			return err
		}
		if err := b.db.Forget(ctx, mc.chat.ID, resident); err != nil {
			b.answerCallback(ctx, cq, msgInternalError, true)
			return err
		}
		b.knownChats.Delete(mc.chat.ID)
		b.conv.cancel(mc.chat.ID, cq.From.ID)
		b.log.Info("resident data deleted on request")
		b.answerCallback(ctx, cq, "已删除", false)
		return b.editText(ctx, mc.chat.ID, mc.m.ID, msgForgotten, nil)
	case "n":
		b.answerCallback(ctx, cq, "", false)
		return b.editText(ctx, mc.chat.ID, mc.m.ID, msgForgetCancelled, nil)
	}
	return errStale
}
