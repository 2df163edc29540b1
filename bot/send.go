package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/pufabot/pufabot/bot/outbox"
	"github.com/pufabot/pufabot/store"
)

// errQueueClosed is returned by the outgoing queue once it is shut down.
var errQueueClosed = outbox.ErrClosed

// keyboard is an inline keyboard. It is sent instead of
// models.InlineKeyboardMarkup, whose buttons always carry an empty
// copy_text field.
type keyboard struct {
	InlineKeyboard [][]button `json:"inline_keyboard"`
}

type button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// kbBuilder builds a keyboard of signed callback buttons for one chat;
// a button whose data does not fit is left out.
type kbBuilder struct {
	b      *Bot
	chatID int64
	rows   [][]button
}

func (b *Bot) newKeyboard(chatID int64) *kbBuilder { return &kbBuilder{b: b, chatID: chatID} }

// cb returns a callback button, or false when its data does not fit.
func (k *kbBuilder) cb(text string, action byte, args ...string) (button, bool) {
	data, ok := k.b.cb.encode(k.chatID, action, args...)
	if !ok {
		k.b.log.Debug("callback data too long; button left out", slog.String("button", text))
	}
	return button{Text: text, CallbackData: data}, ok
}

// row appends a row of the buttons that could be built.
func (k *kbBuilder) row(btns ...button) *kbBuilder {
	var r []button
	for _, bt := range btns {
		if bt.CallbackData != "" || bt.URL != "" {
			r = append(r, bt)
		}
	}
	if len(r) > 0 {
		k.rows = append(k.rows, r)
	}
	return k
}

func (k *kbBuilder) button(text string, action byte, args ...string) button {
	bt, _ := k.cb(text, action, args...)
	return bt
}

// grid appends buttons, perRow to a row.
func (k *kbBuilder) grid(perRow int, btns []button) *kbBuilder {
	for i := 0; i < len(btns); i += perRow {
		k.row(btns[i:min(i+perRow, len(btns))]...)
	}
	return k
}

// build returns the keyboard, or nil when it has no buttons.
func (k *kbBuilder) build() *keyboard {
	if len(k.rows) == 0 {
		return nil
	}
	return &keyboard{InlineKeyboard: k.rows}
}

// sendOpts are the options of one outgoing message.
type sendOpts struct {
	kb       *keyboard // on the last part
	replyTo  int       // message to reply to (groups)
	priority outbox.Priority
}

// sendHTML sends an HTML message to a chat through the queue, split into
// parts under Telegram's limit, and returns the ids of the parts sent. A
// 403 marks the chat blocked.
func (b *Bot) sendHTML(ctx context.Context, chatID int64, html string, o sendOpts) ([]int, error) {
	parts := splitHTML(html, maxMessageLen)
	ids := make([]int, 0, len(parts))
	for i, part := range parts {
		p := &tgbot.SendMessageParams{
			ChatID:             chatID,
			Text:               part,
			ParseMode:          models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
		}
		if i == 0 && o.replyTo != 0 {
			p.ReplyParameters = &models.ReplyParameters{MessageID: o.replyTo, AllowSendingWithoutReply: true}
		}
		if i == len(parts)-1 && o.kb != nil {
			p.ReplyMarkup = o.kb
		}
		var sent *models.Message
		err := b.out.Do(ctx, chatID, o.priority, func(ctx context.Context) error {
			m, err := b.api.SendMessage(ctx, p)
			sent = m
			return err
		})
		if err != nil {
			return ids, b.sendFailed(ctx, chatID, "sendMessage", err)
		}
		if sent != nil {
			ids = append(ids, sent.ID)
		}
	}
	return ids, nil
}

// reply answers a message: in groups as a reply to it.
func (b *Bot) reply(ctx context.Context, mc *msgCtx, html string, kb *keyboard) error {
	o := sendOpts{kb: kb}
	if !mc.private {
		o.replyTo = mc.m.ID
	}
	_, err := b.sendHTML(ctx, mc.chat.ID, html, o)
	return err
}

// editText replaces the text (and keyboard) of a message the bot sent.
func (b *Bot) editText(ctx context.Context, chatID int64, messageID int, html string, kb *keyboard) error {
	p := &tgbot.EditMessageTextParams{
		ChatID:             chatID,
		MessageID:          messageID,
		Text:               truncateHTML(html),
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
	}
	if kb != nil {
		p.ReplyMarkup = kb
	}
	err := b.out.Do(ctx, chatID, outbox.Interactive, func(ctx context.Context) error {
		_, err := b.api.EditMessageText(ctx, p)
		return err
	})
	if err != nil && isNotModified(err) {
		return nil
	}
	if err != nil {
		return b.sendFailed(ctx, chatID, "editMessageText", err)
	}
	return nil
}

// editKeyboard replaces the buttons of a message; nil removes them.
func (b *Bot) editKeyboard(ctx context.Context, chatID int64, messageID int, kb *keyboard) error {
	if kb == nil {
		kb = &keyboard{InlineKeyboard: [][]button{}}
	}
	p := &tgbot.EditMessageReplyMarkupParams{ChatID: chatID, MessageID: messageID, ReplyMarkup: kb}
	err := b.out.Do(ctx, chatID, outbox.Interactive, func(ctx context.Context) error {
		_, err := b.api.EditMessageReplyMarkup(ctx, p)
		return err
	})
	if err != nil && isNotModified(err) {
		return nil
	}
	if err != nil {
		return b.sendFailed(ctx, chatID, "editMessageReplyMarkup", err)
	}
	return nil
}

// isNotModified recognises Telegram's answer to an edit that changes
// nothing (a button pressed twice), which is not a failure.
func isNotModified(err error) bool {
	return errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "not modified")
}

// truncateHTML keeps an edited text within the limit (edits cannot be
// split); the texts the bot edits are short, so this only guards.
func truncateHTML(html string) string {
	if utf16Len(html) <= maxMessageLen {
		return html
	}
	return splitHTML(html, maxMessageLen-1)[0] + "…"
}

// answerCallback acknowledges a button press, optionally with a short
// note. It goes directly: it is not a message in a chat and Telegram does
// not rate-limit it per chat. Failures only matter to the spinner.
func (b *Bot) answerCallback(ctx context.Context, cq *models.CallbackQuery, text string, alert bool) {
	_, err := b.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: text, ShowAlert: alert})
	if err != nil {
		b.log.Debug("answerCallbackQuery failed", slog.Any("error", err))
	}
}

// sendPhoto sends a PNG with an HTML caption through the queue. It is tried
// once (a 429 aside): the caller has the same figures as text to send at
// once instead of making staff wait for retries of an upload.
func (b *Bot) sendPhoto(ctx context.Context, chatID int64, png []byte, caption string, replyTo int) error {
	err := b.out.Do(ctx, chatID, outbox.Interactive, func(ctx context.Context) error {
		p := &tgbot.SendPhotoParams{
			ChatID:    chatID,
			Photo:     &models.InputFileUpload{Filename: "stats.png", Data: bytes.NewReader(png)},
			Caption:   caption,
			ParseMode: models.ParseModeHTML,
		}
		if replyTo != 0 {
			p.ReplyParameters = &models.ReplyParameters{MessageID: replyTo, AllowSendingWithoutReply: true}
		}
		_, err := b.api.SendPhoto(ctx, p)
		return outbox.Permanent(err)
	})
	if err != nil {
		return b.sendFailed(ctx, chatID, "sendPhoto", err)
	}
	return nil
}

// copyMessage copies a message (a photo, a document) into another chat and
// returns the new message's id.
func (b *Bot) copyMessage(ctx context.Context, toChat, fromChat int64, messageID int) (int, error) {
	var id int
	err := b.out.Do(ctx, toChat, outbox.Interactive, func(ctx context.Context) error {
		m, err := b.api.CopyMessage(ctx, &tgbot.CopyMessageParams{ChatID: toChat, FromChatID: fromChat, MessageID: messageID})
		if m != nil {
			id = m.ID
		}
		return err
	})
	if err != nil {
		return 0, b.sendFailed(ctx, toChat, "copyMessage", err)
	}
	return id, nil
}

// sendFailed handles a failed send: a 403 marks the chat blocked. The
// error is returned wrapped so callers can test it with errors.Is.
func (b *Bot) sendFailed(ctx context.Context, chatID int64, method string, err error) error {
	if isBlocked(err) {
		b.markBlocked(ctx, chatID)
		if !errors.Is(err, outbox.ErrBlocked) {
			err = fmt.Errorf("%w: %w", outbox.ErrBlocked, err)
		}
	}
	return fmt.Errorf("bot: %s to %s: %w", method, chatName(chatID), err)
}

// chatName names a chat in an error message: a group by its id, a private
// chat not at all (its id is the resident's Telegram id, and the message
// may be stored with a campaign delivery or logged).
func chatName(chatID int64) string {
	if chatID < 0 {
		return fmt.Sprintf("chat %d", chatID)
	}
	return "a resident's chat"
}

func isBlocked(err error) bool {
	return errors.Is(err, outbox.ErrBlocked) || errors.Is(err, tgbot.ErrorForbidden)
}

// markBlocked records that a chat no longer accepts messages.
func (b *Bot) markBlocked(ctx context.Context, chatID int64) {
	b.knownChats.Delete(chatID)
	changed, err := b.db.MarkBlocked(context.WithoutCancel(ctx), chatID)
	if err != nil {
		b.log.Warn("recording a blocked chat failed", slog.Int64(attrChatID, chatID), slog.Any("error", err))
		return
	}
	if changed {
		b.m.blocked.Inc()
		b.log.Info("chat blocked the bot", slog.Int64(attrChatID, chatID))
	}
}

// rememberChat stores the chat (once per process, or when its title
// changes), which also clears a blocked mark: the chat just wrote to us.
func (b *Bot) rememberChat(ctx context.Context, c models.Chat) {
	sig := string(c.Type) + "\x00" + c.Title
	if v, ok := b.knownChats.Load(c.ID); ok && v.(string) == sig {
		return
	}
	err := b.write(func() error {
		return b.db.UpsertChat(ctx, store.Chat{ID: c.ID, Kind: string(c.Type), Title: c.Title})
	})
	if err != nil {
		b.log.Warn("storing chat failed", slog.Int64(attrChatID, c.ID), slog.Any("error", err))
		return
	}
	b.knownChats.Store(c.ID, sig)
}

// SendCampaign sends one campaign message (Telegram HTML, with optional
// link buttons) to a chat at Broadcast priority, after answers to
// residents. A message over Telegram's limit is split at blank lines, the
// buttons under the last part. On a 403 the chat is marked blocked and the
// error wraps outbox.ErrBlocked.
func (b *Bot) SendCampaign(ctx context.Context, chatID int64, html string, buttons []LinkButton) error {
	if strings.TrimSpace(html) == "" {
		return outbox.Permanent(errors.New("bot: empty campaign message"))
	}
	var kb *keyboard
	for _, bt := range buttons {
		if bt.Text == "" || !safeLink(bt.URL) {
			continue
		}
		if kb == nil {
			kb = &keyboard{}
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, []button{{Text: bt.Text, URL: bt.URL}})
	}
	_, err := b.sendHTML(ctx, chatID, html, sendOpts{kb: kb, priority: outbox.Broadcast})
	return err
}

// directSender sends without a queue: no rate limits, but a 429 is waited
// out (a few times) and a 403 is reported as outbox.ErrBlocked, as the
// queue does.
type directSender struct{}

func (directSender) Do(ctx context.Context, _ int64, _ outbox.Priority, send func(ctx context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := send(ctx)
		var tooMany *tgbot.TooManyRequestsError
		if errors.As(err, &tooMany) && attempt < 3 {
			if !sleepCtx(ctx, max(time.Duration(tooMany.RetryAfter)*time.Second, time.Second)) {
				return ctx.Err()
			}
			continue
		}
		if errors.Is(err, tgbot.ErrorForbidden) {
			return fmt.Errorf("%w: %w", outbox.ErrBlocked, err)
		}
		return err
	}
}
