package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/go-telegram/bot/models"
)

// editWindow is how soon after sending a resident may edit a question and
// get a new answer; older edits are ignored.
const editWindow = 10 * time.Minute

// msgCtx is a message being handled, with what the handlers ask of it.
type msgCtx struct {
	m        *models.Message
	chat     models.Chat
	from     *models.User
	private  bool
	staff    bool // in the staff chat
	received time.Time
}

func (b *Bot) route(ctx context.Context, it *updateItem) error {
	u := it.upd
	switch {
	case u.Message != nil:
		return b.onMessage(ctx, u.Message, false, it.received)
	case u.EditedMessage != nil:
		return b.onMessage(ctx, u.EditedMessage, true, it.received)
	case u.CallbackQuery != nil:
		return b.onCallback(ctx, u.CallbackQuery)
	case u.MyChatMember != nil:
		return b.onMyChatMember(ctx, u.MyChatMember)
	}
	return nil
}

func (b *Bot) onMessage(ctx context.Context, m *models.Message, edited bool, received time.Time) error {
	// A group upgraded to a supergroup gets a new id; its registration
	// and subscriptions move with it so campaigns keep arriving.
	if m.MigrateToChatID != 0 {
		if err := b.db.MigrateChat(ctx, m.Chat.ID, m.MigrateToChatID); err != nil {
			return err
		}
		b.log.Info("group moved to a new chat id", slog.Int64(attrChatID, m.Chat.ID), slog.Int64(attrNewChatID, m.MigrateToChatID))
		return nil
	}
	if m.MigrateFromChatID != 0 {
		return nil
	}
	// Other bots, channel posts and anonymous group admins have no person
	// to answer.
	if m.From == nil || m.From.IsBot || m.Chat.Type == models.ChatTypeChannel {
		return nil
	}
	mc := &msgCtx{
		m:        m,
		chat:     m.Chat,
		from:     m.From,
		private:  m.Chat.Type == models.ChatTypePrivate,
		staff:    b.offices.isStaffChat(m.Chat.ID),
		received: received,
	}
	b.rememberChat(ctx, m.Chat)
	if edited {
		return b.onEdited(ctx, mc)
	}
	switch {
	case mc.staff:
		return b.onStaffChatMessage(ctx, mc)
	case mc.private:
		return b.onPrivateMessage(ctx, mc)
	default:
		return b.onGroupMessage(ctx, mc)
	}
}

// onEdited answers a question corrected shortly after it was sent (a
// typo fixed); other edits are ignored, and never in groups.
func (b *Bot) onEdited(ctx context.Context, mc *msgCtx) error {
	m := mc.m
	if !mc.private || mc.staff || m.Text == "" || strings.HasPrefix(m.Text, "/") {
		return nil
	}
	if m.EditDate != 0 && m.Date != 0 && time.Duration(m.EditDate-m.Date)*time.Second > editWindow {
		return nil
	}
	return b.ask(ctx, mc, m.Text)
}

func (b *Bot) onPrivateMessage(ctx context.Context, mc *msgCtx) error {
	m := mc.m
	if c, ok := parseCommand(m.Text); ok {
		if c.target != "" && !strings.EqualFold(c.target, b.username) {
			return nil
		}
		return b.command(ctx, mc, c)
	}
	if m.ReplyToMessage != nil && b.offices.handOver() {
		t, err := b.db.TicketForRelay(ctx, m.Chat.ID, m.ReplyToMessage.ID)
		if err == nil {
			return b.residentFollowUp(ctx, mc, t)
		}
	}
	now := b.now()
	if b.isAdmin(mc.from.ID) && b.conv.takeComposing(m.Chat.ID, mc.from.ID, now) {
		return b.composeBroadcast(ctx, mc, m.Text, m.Entities, 0)
	}
	if b.conv.takeHuman(m.Chat.ID, now) {
		if m.Text == "" {
			b.conv.awaitHuman(m.Chat.ID, now)
			return b.reply(ctx, mc, msgNoWords, nil)
		}
		return b.handOverText(ctx, mc, m.Text)
	}
	if m.Text == "" {
		if hasContent(m) {
			return b.reply(ctx, mc, msgNonText, nil)
		}
		return nil
	}
	return b.ask(ctx, mc, m.Text)
}

// onGroupMessage answers only what is addressed to the bot: commands, a
// mention, or a reply to one of its messages. Everything else in a
// village group is none of its business.
func (b *Bot) onGroupMessage(ctx context.Context, mc *msgCtx) error {
	m := mc.m
	if c, ok := parseCommand(m.Text); ok {
		if c.target != "" && !strings.EqualFold(c.target, b.username) {
			return nil
		}
		return b.groupCommand(ctx, mc, c)
	}
	q, addressed := b.addressed(m)
	if !addressed || m.Text == "" {
		return nil
	}
	if strings.TrimSpace(q) == "" {
		return b.reply(ctx, mc, b.msgGroupHelp(), nil)
	}
	return b.ask(ctx, mc, q)
}

// onStaffChatMessage handles the staff chat: commands, and replies to
// ticket messages, which are relayed to the resident. Other talk among
// staff is ignored.
func (b *Bot) onStaffChatMessage(ctx context.Context, mc *msgCtx) error {
	m := mc.m
	if c, ok := parseCommand(m.Text); ok {
		if c.target != "" && !strings.EqualFold(c.target, b.username) {
			return nil
		}
		return b.command(ctx, mc, c)
	}
	if m.ReplyToMessage != nil {
		t, err := b.db.TicketForMessage(ctx, m.Chat.ID, m.ReplyToMessage.ID)
		if err == nil {
			return b.staffReply(ctx, mc, t)
		}
	}
	if b.isAdmin(mc.from.ID) && b.conv.takeComposing(m.Chat.ID, mc.from.ID, b.now()) {
		return b.composeBroadcast(ctx, mc, m.Text, m.Entities, 0)
	}
	return nil
}

// addressed reports whether a group message is meant for the bot and
// returns it without the mention.
func (b *Bot) addressed(m *models.Message) (string, bool) {
	text := m.Text
	to := false
	if r := m.ReplyToMessage; r != nil && r.From != nil && b.botID != 0 && r.From.ID == b.botID {
		to = true
	}
	var cut [][2]int
	for _, e := range m.Entities {
		switch e.Type {
		case models.MessageEntityTypeMention:
			if b.username != "" && strings.EqualFold(utf16Slice(text, e.Offset, e.Offset+e.Length), "@"+b.username) {
				to = true
				cut = append(cut, [2]int{e.Offset, e.Offset + e.Length})
			}
		case models.MessageEntityTypeTextMention:
			if e.User != nil && b.botID != 0 && e.User.ID == b.botID {
				to = true
				cut = append(cut, [2]int{e.Offset, e.Offset + e.Length})
			}
		}
	}
	if !to {
		return "", false
	}
	return strings.TrimSpace(removeUTF16(text, cut)), true
}

// hasContent reports whether a message carries something a person sent
// (as opposed to a service message such as a pinned message).
func hasContent(m *models.Message) bool {
	return len(m.Photo) > 0 || m.Sticker != nil || m.Voice != nil || m.Audio != nil || m.Video != nil ||
		m.VideoNote != nil || m.Document != nil || m.Animation != nil || m.Location != nil ||
		m.Contact != nil || m.Poll != nil || m.Dice != nil || m.Venue != nil || m.Story != nil
}

// command is a parsed bot command: "/name@target arg".
type command struct {
	name   string
	target string
	arg    string
	argOff int // UTF-16 offset of arg in the text, for entities
}

// parseCommand parses a command at the start of text.
func parseCommand(text string) (command, bool) {
	if !strings.HasPrefix(text, "/") {
		return command{}, false
	}
	end := strings.IndexFunc(text, unicode.IsSpace)
	if end < 0 {
		end = len(text)
	}
	head := text[1:end]
	name, target, _ := strings.Cut(head, "@")
	if name == "" || len(name) > 32 {
		return command{}, false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return command{}, false
		}
	}
	rest := text[end:]
	arg := strings.TrimSpace(rest)
	argStart := end + (len(rest) - len(strings.TrimLeftFunc(rest, unicode.IsSpace)))
	return command{name: strings.ToLower(name), target: target, arg: arg, argOff: utf16Len(text[:argStart])}, true
}

// command handles commands in private chats and the staff chat.
func (b *Bot) command(ctx context.Context, mc *msgCtx, c command) error {
	if isStaffCommand(c.name) {
		if !b.isAdmin(mc.from.ID) {
			return b.refuse(ctx, mc, c.name)
		}
		return b.staffCommand(ctx, mc, c)
	}
	if mc.staff {
		switch c.name {
		case "start", "help":
			return b.reply(ctx, mc, msgStaffHelp, nil)
		case "cancel":
			return b.cmdCancel(ctx, mc)
		}
		return nil // resident commands mean nothing in the staff chat
	}
	switch c.name {
	case "start":
		// Deep links from group chats: t.me/<bot>?start=human|forget.
		switch c.arg {
		case "human":
			return b.cmdHuman(ctx, mc, "")
		case "forget":
			return b.command(ctx, mc, command{name: "forget"})
		}
		if b.offices.multi {
			if handled, err := b.startInMultiOffice(ctx, mc, c.arg); handled || err != nil {
				return err
			}
		}
		return b.reply(ctx, mc, b.msgWelcome(), b.menuKeyboard(mc.chat.ID))
	case "help", "menu":
		text := b.msgWelcome()
		if b.isAdmin(mc.from.ID) {
			text += "\n\n" + msgStaffHelp
		}
		return b.reply(ctx, mc, text, b.menuKeyboard(mc.chat.ID))
	case "ask":
		if c.arg == "" {
			return b.reply(ctx, mc, msgAskHowTo, nil)
		}
		return b.ask(ctx, mc, c.arg)
	case "topics":
		html, kb := b.topicsList(mc.chat.ID)
		return b.reply(ctx, mc, html, kb)
	case "subscribe":
		return b.cmdSubscribe(ctx, mc, c.arg)
	case "unsubscribe":
		return b.cmdUnsubscribe(ctx, mc, c.arg)
	case "privacy":
		return b.reply(ctx, mc, b.msgPrivacy(), nil)
	case "forget":
		kb := b.newKeyboard(mc.chat.ID)
		kb.row(kb.button(btnForgetYes, actForget, "y"), kb.button(btnForgetNo, actForget, "n"))
		return b.reply(ctx, mc, msgForgetConfirm, kb.build())
	case "human":
		return b.cmdHuman(ctx, mc, c.arg)
	case "cancel":
		return b.cmdCancel(ctx, mc)
	case "office":
		return b.cmdOffice(ctx, mc, c.arg)
	}
	return b.reply(ctx, mc, msgUnknownCommand, nil)
}

// groupCommand handles commands in village groups; unknown commands get no
// answer, so the bot never adds noise to a group.
func (b *Bot) groupCommand(ctx context.Context, mc *msgCtx, c command) error {
	switch c.name {
	case "ask":
		if c.arg == "" {
			return b.reply(ctx, mc, msgGroupAskEmpty, nil)
		}
		return b.ask(ctx, mc, c.arg)
	case "start", "help":
		return b.reply(ctx, mc, b.msgGroupHelp(), nil)
	case "topics":
		html, kb := b.topicsList(mc.chat.ID)
		return b.reply(ctx, mc, html, kb)
	case "privacy":
		return b.reply(ctx, mc, b.msgPrivacy(), nil)
	case "subscribe", "unsubscribe":
		return b.reply(ctx, mc, msgGroupSubscribe, nil)
	case "human":
		return b.reply(ctx, mc, msgHumanInGroup, b.privateChatKeyboard("human"))
	case "forget":
		return b.reply(ctx, mc, msgPrivateOnly, b.privateChatKeyboard("forget"))
	case "register_group", "unregister_group":
		if !b.isAdmin(mc.from.ID) {
			return b.refuse(ctx, mc, c.name)
		}
		return b.cmdRegisterGroup(ctx, mc, c.name == "register_group", c.arg)
	}
	if isStaffCommand(c.name) {
		if !b.isAdmin(mc.from.ID) {
			return b.refuse(ctx, mc, c.name)
		}
		return b.reply(ctx, mc, msgPrivateOnly, nil)
	}
	return nil
}

// privateChatKeyboard is a button that opens a private chat with the bot,
// starting it with payload.
func (b *Bot) privateChatKeyboard(payload string) *keyboard {
	if b.username == "" {
		return nil
	}
	return &keyboard{InlineKeyboard: [][]button{{{Text: "💬 私聊机器人", URL: "https://t.me/" + b.username + "?start=" + payload}}}}
}

func (b *Bot) cmdCancel(ctx context.Context, mc *msgCtx) error {
	if b.conv.cancel(mc.chat.ID, mc.from.ID) {
		return b.reply(ctx, mc, msgCancelled, nil)
	}
	return b.reply(ctx, mc, msgNothingToCancel, nil)
}

func (b *Bot) menuKeyboard(chatID int64) *keyboard {
	k := b.newKeyboard(chatID)
	k.row(k.button(btnAsk, actMenu, menuAsk), k.button(btnTopics, actMenu, menuTopics))
	k.row(k.button(btnSubscribe, actMenu, menuSubscribe), k.button(btnHuman, actMenu, menuHuman))
	k.row(k.button(btnPrivacy, actMenu, menuPrivacy))
	return k.build()
}

// onMyChatMember follows the bot's own membership: a resident blocking or
// unblocking it, the bot added to or removed from a group.
func (b *Bot) onMyChatMember(ctx context.Context, u *models.ChatMemberUpdated) error {
	status := u.NewChatMember.Type
	gone := status == models.ChatMemberTypeLeft || status == models.ChatMemberTypeBanned
	switch u.Chat.Type {
	case models.ChatTypePrivate:
		if gone {
			b.markBlocked(ctx, u.Chat.ID)
		} else {
			b.knownChats.Delete(u.Chat.ID)
			b.rememberChat(ctx, u.Chat)
		}
	case models.ChatTypeGroup, models.ChatTypeSupergroup:
		if gone {
			b.markBlocked(ctx, u.Chat.ID)
			return nil
		}
		old := u.OldChatMember.Type
		if old == models.ChatMemberTypeLeft || old == models.ChatMemberTypeBanned {
			b.knownChats.Delete(u.Chat.ID)
			b.rememberChat(ctx, u.Chat)
			if b.offices.isStaffChat(u.Chat.ID) {
				_, err := b.sendHTML(ctx, u.Chat.ID, msgStaffHelp, sendOpts{})
				return err
			}
			_, err := b.sendHTML(ctx, u.Chat.ID, b.msgGroupHelp(), sendOpts{})
			return err
		}
	}
	return nil
}

// refuse answers a staff command from someone who is not staff, and logs
// who tried.
func (b *Bot) refuse(ctx context.Context, mc *msgCtx, cmd string) error {
	b.m.refused.Inc()
	b.log.Warn("staff command refused", slog.Int64(attrUserID, mc.from.ID), groupAttr(mc.chat.ID), slog.String("command", cmd))
	return b.reply(ctx, mc, msgStaffOnly, nil)
}

// onCallback handles a button press. Forged, altered or stale data gets a
// polite "expired" note, never an error.
func (b *Bot) onCallback(ctx context.Context, cq *models.CallbackQuery) error {
	msg := cq.Message.Message
	if msg == nil {
		b.answerCallback(ctx, cq, msgExpired, false)
		return nil
	}
	c, err := b.cb.decode(msg.Chat.ID, cq.Data)
	if err != nil {
		b.log.Debug("stale callback", slog.Int64(attrUserID, cq.From.ID), groupAttr(msg.Chat.ID))
		b.answerCallback(ctx, cq, msgExpired, false)
		return nil
	}
	mc := &msgCtx{
		m:       msg,
		chat:    msg.Chat,
		from:    &cq.From,
		private: msg.Chat.Type == models.ChatTypePrivate,
		staff:   b.offices.isStaffChat(msg.Chat.ID),
	}
	err = b.handleCallback(ctx, cq, mc, c)
	switch {
	case errors.Is(err, errStale):
		b.answerCallback(ctx, cq, msgExpired, false)
		return nil
	case err != nil && !isBlocked(err):
		// Stop the button's spinner; if it was already answered,
		// Telegram refuses this one, which is harmless.
		b.answerCallback(ctx, cq, msgInternalError, false)
	}
	return err
}

func (b *Bot) handleCallback(ctx context.Context, cq *models.CallbackQuery, mc *msgCtx, c callback) error {
	switch c.action {
	case actMenu:
		b.answerCallback(ctx, cq, "", false)
		return b.onMenu(ctx, mc, c.arg(0))
	case actTopics:
		b.answerCallback(ctx, cq, "", false)
		html, kb := b.topicsList(mc.chat.ID)
		_, err := b.sendHTML(ctx, mc.chat.ID, html, sendOpts{kb: kb})
		return err
	case actTopic:
		return b.onTopic(ctx, cq, mc, c.arg(0))
	case actTopicArticle:
		return b.onTopicArticle(ctx, cq, mc, c)
	case actFullText:
		return b.onFullText(ctx, cq, mc, c.arg(0))
	case actSuggestion:
		return b.onSuggestion(ctx, cq, mc, c.arg(0))
	case actMore:
		return b.onMore(ctx, cq, mc, c)
	case actFeedback:
		return b.onFeedback(ctx, cq, mc, c)
	case actHuman:
		return b.onHumanButton(ctx, cq, mc, c)
	case actSubscribe, actUnsubscribe:
		return b.onSubscriptionButton(ctx, cq, mc, c)
	case actForget:
		return b.onForgetButton(ctx, cq, mc, c.arg(0))
	case actBroadcast:
		return b.onBroadcastButton(ctx, cq, mc, c)
	case actOffice:
		b.answerCallback(ctx, cq, "", false)
		return b.onOfficeButton(ctx, mc, c.arg(0))
	}
	return errStale
}
