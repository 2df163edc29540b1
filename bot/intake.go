package bot

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/pufabot/pufabot/store"
)

// allowedUpdates are the update kinds the bot asks Telegram for.
var allowedUpdates = []string{
	models.AllowedUpdateMessage,
	models.AllowedUpdateEditedMessage,
	models.AllowedUpdateCallbackQuery,
	models.AllowedUpdateMyChatMember,
}

// apiError is an error answer from the Bot API to a request the bot makes
// itself (getUpdates).
type apiError struct {
	Code        int
	Description string
	RetryAfter  int
}

func (e *apiError) Error() string {
	return fmt.Sprintf("telegram: %d %s", e.Code, e.Description)
}

// connect learns who the bot is (retrying until Telegram answers or ctx
// ends), registers the command menus and sets up the webhook or removes
// one left over, so that long polling works.
func (b *Bot) connect(ctx context.Context) error {
	wait := time.Second
	for {
		me, err := b.api.GetMe(ctx)
		if err == nil {
			b.botID, b.username = me.ID, me.Username
			break
		}
		if errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound) {
			return fmt.Errorf("bot: Telegram rejected the token: %w", err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b.log.Warn("cannot reach Telegram; retrying", slog.Any("error", err), slog.Duration("wait", wait))
		if !sleepCtx(ctx, wait) {
			return ctx.Err()
		}
		wait = min(2*wait, 30*time.Second)
	}
	b.registerCommands(ctx)
	if w := b.o.Webhook; w.URL != "" {
		if _, err := b.api.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: w.URL, SecretToken: w.SecretToken, AllowedUpdates: allowedUpdates}); err != nil {
			return fmt.Errorf("bot: set webhook: %w", err)
		}
		return nil
	}
	if _, err := b.api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
		b.log.Warn("could not remove a webhook; long polling may fail", slog.Any("error", err))
	}
	return nil
}

// registerCommands publishes the command menus: one for private chats,
// one for groups, and staff menus for the staff chat and each admin.
// Failures are logged: the bot works without menus.
func (b *Bot) registerCommands(ctx context.Context) {
	set := func(what string, cmds []models.BotCommand, scope models.BotCommandScope) {
		if _, err := b.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: cmds, Scope: scope}); err != nil {
			b.log.Warn("could not register commands", slog.String("scope", what), slog.Any("error", err))
		}
	}
	private := residentCommands
	if b.offices.multi {
		private = append(append([]models.BotCommand{}, residentCommands...), officeCommand)
	}
	set("private", private, &models.BotCommandScopeAllPrivateChats{})
	set("groups", groupCommands, &models.BotCommandScopeAllGroupChats{})
	for _, of := range b.offices.list {
		if of.StaffChat != 0 {
			set("staff_chat", staffChatCommands, &models.BotCommandScopeChat{ChatID: of.StaffChat})
		}
	}
	for _, id := range b.offices.admins() {
		set("admin", append(append([]models.BotCommand{}, residentCommands...), staffCommands...), &models.BotCommandScopeChat{ChatID: id})
	}
}

// minEmptyPollInterval is the least time between the starts of two
// getUpdates calls when the first answered with no update.
const minEmptyPollInterval = time.Second

// poll runs the long-polling loop. Updates are stored before the next
// getUpdates call acknowledges them, so none is lost if the process
// stops; if storing fails, the offset is not advanced and Telegram sends
// them again.
func (b *Bot) poll(ctx context.Context) error {
	offset, at, err := b.db.UpdateOffset(ctx)
	if err != nil {
		return err
	}
	// After a week without updates Telegram may restart update ids at a
	// random value; an old offset could then hide new updates. Starting
	// from zero is safe: duplicates are recognised.
	if !at.IsZero() && b.now().Sub(at) > 6*24*time.Hour {
		offset = 0
	}
	wait := time.Duration(0)
	for ctx.Err() == nil {
		if wait > 0 && !sleepCtx(ctx, wait) {
			break
		}
		next := int64(0)
		if offset > 0 {
			next = offset + 1
		}
		started := time.Now()
		raws, err := b.getUpdates(ctx, next)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			var ae *apiError
			if errors.As(err, &ae) && (ae.Code == http.StatusUnauthorized || ae.Code == http.StatusNotFound) {
				return fmt.Errorf("bot: Telegram rejected the token: %w", err)
			}
			wait = min(max(2*wait, time.Second), 30*time.Second)
			if errors.As(err, &ae) && ae.RetryAfter > 0 {
				wait = time.Duration(ae.RetryAfter) * time.Second
			}
			b.log.Warn("getUpdates failed; retrying", slog.Any("error", err), slog.Duration("wait", wait))
			continue
		}
		wait = 0
		if len(raws) == 0 {
			// A long poll returns empty only after its timeout; a server
			// that answers at once would otherwise be asked hundreds of
			// times a second.
			wait = minEmptyPollInterval - time.Since(started)
			continue
		}
		items := decodeUpdates(raws, b.log)
		// Store even when ctx is being cancelled: these updates are
		// fetched and must not be lost.
		fresh, err := b.receive(context.WithoutCancel(ctx), items)
		if err != nil {
			b.log.Error("storing updates failed; Telegram will send them again", slog.Any("error", err))
			wait = time.Second
			continue
		}
		// The batch's highest id (ids may restart lower after a quiet
		// week; see store.ReceiveUpdates).
		if len(items) > 0 {
			offset = 0
			for _, it := range items {
				offset = max(offset, it.in.ID)
			}
		}
		if d := b.dispatch.Load(); d != nil {
			for _, it := range fresh {
				d.enqueue(it)
			}
		}
	}
	return nil
}

// getUpdates makes one long-polling request. The request goes by hand
// rather than through go-telegram/bot, whose polling loop acknowledges
// updates before they are handled.
func (b *Bot) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if offset > 0 {
		_ = w.WriteField("offset", strconv.FormatInt(offset, 10))
	}
	_ = w.WriteField("limit", "100")
	_ = w.WriteField("timeout", strconv.Itoa(int(b.o.PollTimeout/time.Second)))
	allowed, _ := json.Marshal(allowedUpdates)
	_ = w.WriteField("allowed_updates", string(allowed))
	if err := w.Close(); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.apiURL+"/bot"+b.o.Token+"/getUpdates", &body)
	if err != nil {
		return nil, errors.New("getUpdates: bad server URL")
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := b.pollClient.Do(req)
	if err != nil {
		// url.Error carries the URL, and the URL carries the token.
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("getUpdates: %w", ue.Err)
		}
		return nil, fmt.Errorf("getUpdates: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: read: %w", err)
	}
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("getUpdates: HTTP %d, unreadable answer: %w", resp.StatusCode, err)
	}
	if !r.OK {
		code := r.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		return nil, &apiError{Code: code, Description: r.Description, RetryAfter: r.Parameters.RetryAfter}
	}
	return r.Result, nil
}

// updateItem is an update on its way through the bot.
type updateItem struct {
	in       store.InboundUpdate
	upd      *models.Update // nil when the payload could not be decoded
	received time.Time
}

// decodeUpdates parses raw updates. One that cannot be parsed (a kind of
// update this version does not know) is kept with a nil upd, stored and
// skipped, so it cannot block the ones after it.
func decodeUpdates(raws []json.RawMessage, log *slog.Logger) []*updateItem {
	now := time.Now()
	out := make([]*updateItem, 0, len(raws))
	for _, raw := range raws {
		it := &updateItem{in: store.InboundUpdate{Payload: raw}, received: now}
		var u models.Update
		if err := json.Unmarshal(raw, &u); err != nil {
			var head struct {
				ID int64 `json:"update_id"`
			}
			if json.Unmarshal(raw, &head) != nil || head.ID == 0 {
				log.Warn("dropping an unreadable update", slog.Any("error", err))
				continue
			}
			log.Warn("cannot decode update; it will be skipped", slog.Int64("update_id", head.ID), slog.Any("error", err))
			it.in.ID = head.ID
		} else {
			it.in.ID = u.ID
			it.upd = &u
			it.in.ChatID = chatOf(&u)
		}
		out = append(out, it)
	}
	return out
}

// receive stores updates durably and returns those not seen before.
func (b *Bot) receive(ctx context.Context, items []*updateItem) ([]*updateItem, error) {
	ins := make([]store.InboundUpdate, len(items))
	for i, it := range items {
		ins[i] = it.in
		kind := "other"
		if it.upd != nil {
			kind = updateKind(it.upd)
		}
		b.m.updates.Inc(kind)
	}
	var fresh []store.InboundUpdate
	err := b.write(func() (err error) {
		fresh, err = b.db.ReceiveUpdates(ctx, ins)
		return err
	})
	if err != nil {
		return nil, err
	}
	isNew := make(map[int64]bool, len(fresh))
	for _, f := range fresh {
		isNew[f.ID] = true
	}
	out := items[:0:0]
	for _, it := range items {
		if isNew[it.in.ID] {
			out = append(out, it)
			delete(isNew, it.in.ID) // a batch may repeat an id
		} else {
			b.m.duplicates.Inc()
			b.log.Debug("duplicate update skipped", slog.Int64("update_id", it.in.ID))
		}
	}
	return out, nil
}

// WebhookHandler returns the handler Telegram posts updates to. It checks
// the secret token, stores the update durably and answers 200 (or 500 when
// it could not be stored, so Telegram tries again); the update is handled
// after the answer. Updates that arrive while Run is not running are kept
// and handled when it starts.
func (b *Bot) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		secret := b.o.Webhook.SecretToken
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			b.log.Warn("webhook request with a wrong secret token", slog.String("remote_addr", r.RemoteAddr))
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		items := decodeUpdates([]json.RawMessage{raw}, b.log)
		if len(items) == 0 {
			// Unreadable: answering 200 stops Telegram from retrying
			// something that will never parse.
			w.WriteHeader(http.StatusOK)
			return
		}
		fresh, err := b.receive(context.WithoutCancel(r.Context()), items)
		if err != nil {
			b.log.Error("storing a webhook update failed", slog.Any("error", err))
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		if d := b.dispatch.Load(); d != nil {
			for _, it := range fresh {
				d.enqueue(it)
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}

// serveWebhook serves WebhookHandler on Options.Webhook.Listen until ctx
// ends.
func (b *Bot) serveWebhook(ctx context.Context) error {
	path := "/"
	if u, err := url.Parse(b.o.Webhook.URL); err == nil && u.Path != "" {
		path = u.Path
	}
	mux := http.NewServeMux()
	mux.Handle(path, b.WebhookHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	ln, err := net.Listen("tcp", b.o.Webhook.Listen)
	if err != nil {
		return fmt.Errorf("bot: webhook listen: %w", err)
	}
	b.log.Info("webhook listening", slog.String("addr", ln.Addr().String()), slog.String("path", path))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		<-errc
		return nil
	case err := <-errc:
		return fmt.Errorf("bot: webhook server: %w", err)
	}
}

// resume hands the updates left unhandled by the previous run (or stored
// by the webhook before the dispatcher was there) to the dispatcher. An
// update that has already failed to finish maxAttempts times is given up.
func (b *Bot) resume(ctx context.Context, d *dispatcher) error {
	return d.resume(func() ([]*updateItem, error) {
		pending, err := b.db.ResumeUpdates(ctx)
		if err != nil {
			return nil, err
		}
		if len(pending) > 0 {
			b.log.Info("handling updates left from the last run", slog.Int("updates", len(pending)))
		}
		var items []*updateItem
		for _, in := range pending {
			if in.Attempts > maxAttempts {
				b.log.Error("giving up an update that never finished", slog.Int64("update_id", in.ID), slog.Int("attempts", in.Attempts))
				if err := b.db.FinishUpdate(ctx, in.ID); err != nil {
					return nil, err
				}
				continue
			}
			it := &updateItem{in: in, received: time.Now()}
			var u models.Update
			if err := json.Unmarshal(in.Payload, &u); err == nil {
				it.upd = &u
			}
			items = append(items, it)
		}
		return items, nil
	})
}

// process handles one update and records it as handled. A handler error
// caused by the bot stopping leaves the update pending for the next run.
func (b *Bot) process(ctx context.Context, it *updateItem, stopping func() bool) {
	ctx, cancel := context.WithTimeout(ctx, handlerTimeout)
	defer cancel()
	err := b.safeHandle(ctx, it)
	if err != nil && stopping() && (ctx.Err() != nil || isShutdown(err)) {
		b.log.Info("update left for the next run", slog.Int64("update_id", it.in.ID))
		return
	}
	if err != nil {
		b.log.Warn("handling update failed", slog.Int64("update_id", it.in.ID), slog.Any("error", err))
	}
	if err := b.write(func() error { return b.db.FinishUpdate(context.WithoutCancel(ctx), it.in.ID) }); err != nil {
		b.log.Error("recording a handled update failed", slog.Int64("update_id", it.in.ID), slog.Any("error", err))
	}
}

// safeHandle runs the handler with panics recovered: a panic is logged
// with its stack, counted, and the resident gets an apology.
func (b *Bot) safeHandle(ctx context.Context, it *updateItem) (err error) {
	defer func() {
		if r := recover(); r != nil {
			b.m.panics.Inc()
			b.log.Error("update handler panicked", slog.Int64("update_id", it.in.ID), slog.Any("panic", r),
				slog.String("stack", string(debug.Stack())))
			err = nil // handled: never retried
			b.apologize(ctx, it)
		}
	}()
	if hook := b.beforeHandle.Load(); hook != nil {
		(*hook)(it)
	}
	if it.upd == nil {
		return nil
	}
	return b.route(ctx, it)
}

// apologize tells a resident in a private chat that something went wrong.
func (b *Bot) apologize(ctx context.Context, it *updateItem) {
	defer func() { _ = recover() }()
	if it.upd == nil || it.upd.Message == nil || it.upd.Message.Chat.Type != models.ChatTypePrivate {
		return
	}
	_, _ = b.sendHTML(ctx, it.upd.Message.Chat.ID, msgInternalError, sendOpts{})
}

// isShutdown reports whether err comes from the bot or its queue stopping.
func isShutdown(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errQueueClosed)
}

// dispatcher runs updates one at a time per chat, in arrival order, with
// at most `workers` chats handled at once. A chat's goroutine exists only
// while the chat has updates waiting.
type dispatcher struct {
	ctx    context.Context
	handle func(ctx context.Context, it *updateItem, stopping func() bool)
	sem    chan struct{}

	mu       sync.Mutex
	lanes    map[int64][]*updateItem
	active   map[int64]bool // update ids queued or being handled
	stopping bool
	wg       sync.WaitGroup
}

func newDispatcher(ctx context.Context, workers int, handle func(context.Context, *updateItem, func() bool)) *dispatcher {
	return &dispatcher{ctx: ctx, handle: handle, sem: make(chan struct{}, workers),
		lanes: map[int64][]*updateItem{}, active: map[int64]bool{}}
}

func (d *dispatcher) isStopping() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stopping
}

// enqueue adds an update to its chat's lane, starting the lane if idle.
// An update already queued or being handled is not added again.
func (d *dispatcher) enqueue(it *updateItem) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.enqueueLocked(it)
}

func (d *dispatcher) enqueueLocked(it *updateItem) {
	if d.stopping || d.active[it.in.ID] {
		return // when stopping, it stays pending in the database
	}
	d.active[it.in.ID] = true
	key := it.in.ChatID
	q, busy := d.lanes[key]
	d.lanes[key] = append(q, it)
	if !busy {
		d.wg.Add(1)
		go d.run(key)
	}
}

// resume enqueues the updates that load reads from the database. It runs
// under the dispatcher's lock, and an update leaves the active set only
// after its handling was recorded, so an update is neither missed nor
// enqueued twice when the webhook delivers while the bot starts.
func (d *dispatcher) resume(load func() ([]*updateItem, error)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	items, err := load()
	for _, it := range items {
		d.enqueueLocked(it)
	}
	return err
}

func (d *dispatcher) run(key int64) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.lanes[key]
		if len(q) == 0 || d.stopping {
			delete(d.lanes, key)
			d.mu.Unlock()
			return
		}
		it := q[0]
		q[0] = nil
		d.lanes[key] = q[1:]
		d.mu.Unlock()

		select {
		case d.sem <- struct{}{}:
		case <-d.ctx.Done():
			return
		}
		if !d.isStopping() {
			d.handle(d.ctx, it, d.isStopping)
		}
		<-d.sem
		d.mu.Lock()
		delete(d.active, it.in.ID)
		d.mu.Unlock()
	}
}

// stop stops starting updates and waits for those in progress, cancelling
// them after timeout.
func (d *dispatcher) stop(timeout time.Duration, cancel context.CancelFunc) {
	d.mu.Lock()
	d.stopping = true
	d.mu.Unlock()
	done := make(chan struct{})
	go func() {
		d.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		cancel()
		<-done
	}
}

// reminderLoop re-announces unanswered tickets every ReminderInterval.
func (b *Bot) reminderLoop(ctx context.Context) error {
	if !b.offices.handOver() {
		return nil
	}
	t := time.NewTicker(b.o.ReminderInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := b.remindTickets(ctx); err != nil && ctx.Err() == nil {
				b.log.Warn("ticket reminders failed", slog.Any("error", err))
			}
		}
	}
}

// housekeepingLoop forgets old update ids and expired in-memory state.
func (b *Bot) housekeepingLoop(ctx context.Context) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		b.housekeeping(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (b *Bot) housekeeping(ctx context.Context) {
	now := b.now()
	if n, err := b.db.PruneUpdates(ctx, now.Add(-updateRetention)); err != nil {
		if ctx.Err() == nil {
			b.log.Warn("pruning handled updates failed", slog.Any("error", err))
		}
	} else if n > 0 {
		b.log.Debug("pruned handled updates", slog.Int64("updates", n))
	}
	b.flood.prune(now)
	b.conv.prune(now)
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// chatOf returns the chat an update belongs to (its lane in the
// dispatcher), falling back to the user for updates without a chat.
func chatOf(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil:
		if m := u.CallbackQuery.Message; m.Message != nil {
			return m.Message.Chat.ID
		} else if m.InaccessibleMessage != nil {
			return m.InaccessibleMessage.Chat.ID
		}
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}

func updateKind(u *models.Update) string {
	switch {
	case u.Message != nil:
		return "message"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.MyChatMember != nil:
		return "my_chat_member"
	}
	return "other"
}
