// Package telegramtest is a fake Telegram Bot API server for tests and
// benchmarks. It speaks the wire protocol go-telegram/bot uses (POST to
// /bot<token>/<method>, multipart, urlencoded or JSON parameters, JSON
// answers), keeps the updates a test pushes for getUpdates long polling
// (or posts them to a webhook), records every call, and can act like
// Telegram under stress: users who blocked the bot (403), flood control
// (429 with retry_after) and injected failures.
//
// Start one with New in a test and point the bot at it with
// bot.WithServerURL(srv.URL()) and srv.Token().
//
// It checks what real bots trip over: parse_mode HTML markup, message and
// caption length (4096/1024 UTF-16 units), callback_data over 64 bytes,
// unknown callback query ids, edits that change nothing. It does not check
// MarkdownV2, and methods it does not know answer 404 as Telegram does.
package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// DefaultToken is the token a Server accepts unless WithToken says
// otherwise (the example token from Telegram's documentation).
const DefaultToken = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

// Limits are the flood limits the server enforces when set with Enforce;
// zero fields are not enforced. They apply to requests that produce or
// change a message (send*, except sendChatAction, edit*, copyMessage,
// forwardMessage); only accepted requests count.
type Limits struct {
	// PerSecond caps such requests for the whole bot in any second.
	PerSecond float64
	// PerChatPerSecond caps them per chat (1 means one a second).
	PerChatPerSecond float64
	// PerGroupPerMinute caps them per group chat (chat id < 0) in any
	// minute.
	PerGroupPerMinute int
}

// Call is one request the server received.
type Call struct {
	Method string
	Form   url.Values
	// Files holds uploaded files by form field name.
	Files map[string]File
	At    time.Time
	// Status is 200 for a successful answer, else the error_code sent.
	Status int
}

// File is an uploaded file.
type File struct {
	Name string
	Data []byte
}

// Stats counts the server's answers.
type Stats struct {
	Calls           int
	TooManyRequests int // 429 answers
	Forbidden       int // 403 answers
	Errors          int // every answer with ok=false, the above included
}

// Option configures a Server.
type Option func(*Server)

// WithToken sets the token the server accepts.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithClock sets the clock used for message dates, call times and flood
// limits. Long polls still wait in real time.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// Server is the fake Bot API. All methods are safe for concurrent use.
type Server struct {
	token   string
	now     func() time.Time
	botUser models.User
	ts      *httptest.Server
	done    chan struct{}
	closing sync.Once
	wg      sync.WaitGroup
	hook    *http.Client

	mu            sync.Mutex
	changed       chan struct{} // closed and replaced whenever state changes
	calls         []Call
	updates       []pendingUpdate // not yet confirmed, oldest first
	nextUpdateID  int64
	nextMessageID int
	nextCallback  int
	nextFile      int
	messages      map[msgKey]*models.Message // sent by the bot
	chats         map[int64]models.Chat
	sent          map[int64][]string
	blocked       map[int64]bool
	callbacks     map[string]bool // callback query ids not yet answered
	failures      map[string][]int
	limits        Limits
	global        *window
	perChat       map[int64]*window
	perGroup      map[int64]*window
	webhookURL    string
	webhookSecret string
	pollAtOnce    bool
	bareCallbacks bool
	commands      string
	stats         Stats
}

type pendingUpdate struct {
	id  int64
	raw json.RawMessage
}

type msgKey struct {
	chat int64
	id   int
}

// New starts a fake server on a random local port; it is closed when the
// test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := NewHandler(opts...)
	s.ts = httptest.NewServer(s)
	tb.Cleanup(s.Close)
	return s
}

// NewHandler returns a server that is not listening, for callers that host
// it themselves (http.Server{Handler: s}); URL is then "". Call Close when
// done to release long polls and webhook delivery.
func NewHandler(opts ...Option) *Server {
	s := &Server{
		token:         DefaultToken,
		now:           time.Now,
		done:          make(chan struct{}),
		hook:          &http.Client{Timeout: 10 * time.Second},
		changed:       make(chan struct{}),
		nextUpdateID:  1,
		nextMessageID: 1,
		messages:      map[msgKey]*models.Message{},
		chats:         map[int64]models.Chat{},
		sent:          map[int64][]string{},
		blocked:       map[int64]bool{},
		callbacks:     map[string]bool{},
		failures:      map[string][]int{},
		perChat:       map[int64]*window{},
		perGroup:      map[int64]*window{},
	}
	for _, o := range opts {
		o(s)
	}
	id, _ := strconv.ParseInt(strings.SplitN(s.token, ":", 2)[0], 10, 64)
	s.botUser = models.User{ID: id, IsBot: true, FirstName: "普法助手", Username: "pufa_test_bot", CanJoinGroups: true}
	s.wg.Add(1)
	go s.deliverWebhooks()
	return s
}

// URL is the base URL to pass to bot.WithServerURL.
func (s *Server) URL() string {
	if s.ts == nil {
		return ""
	}
	return s.ts.URL
}

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.token }

// Bot is the user getMe returns.
func (s *Server) Bot() models.User { return s.botUser }

// Close stops the server and ends pending long polls. It is safe to call
// more than once.
func (s *Server) Close() {
	s.closing.Do(func() {
		close(s.done)
		if s.ts != nil {
			s.ts.Close()
		}
		s.wg.Wait()
	})
}

// notifyLocked wakes everything waiting for a change.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// PushUpdate queues an update for the bot and returns its id (assigned
// when u.ID is zero).
func (s *Server) PushUpdate(u models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushLocked(&u)
}

func (s *Server) pushLocked(u *models.Update) int64 {
	if u.ID == 0 {
		u.ID = s.nextUpdateID
	}
	if u.ID >= s.nextUpdateID {
		s.nextUpdateID = u.ID + 1
	}
	if m := u.Message; m != nil {
		s.chats[m.Chat.ID] = m.Chat
	}
	raw, err := json.Marshal(u)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: marshal update: %v", err))
	}
	s.updates = append(s.updates, pendingUpdate{id: u.ID, raw: raw})
	s.notifyLocked()
	return u.ID
}

// PushMessage queues a text message from user userID in chat chatID
// (positive: a private chat; negative: a group) and returns the update id.
// Commands ("/start") carry bot_command entities, as from Telegram.
func (s *Server) PushMessage(chatID, userID int64, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &models.Message{
		ID:       s.nextMessageID,
		From:     &models.User{ID: userID, FirstName: "村民", LanguageCode: "zh-hans"},
		Date:     int(s.now().Unix()),
		Chat:     s.chatLocked(chatID),
		Text:     text,
		Entities: commandEntities(text),
	}
	s.nextMessageID++
	return s.pushLocked(&models.Update{Message: m})
}

// PushCallback queues a press of an inline button with callback data data
// under message messageID in chatID and returns the update id.
func (s *Server) PushCallback(chatID, userID int64, messageID int, data string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := s.messages[msgKey{chatID, messageID}]
	if msg == nil {
		msg = &models.Message{ID: messageID, From: &s.botUser, Date: int(s.now().Unix()), Chat: s.chatLocked(chatID)}
	} else {
		c := *msg
		msg = &c
	}
	if s.bareCallbacks {
		msg.ReplyMarkup = nil
	}
	s.nextCallback++
	id := fmt.Sprintf("cb%d", s.nextCallback)
	s.callbacks[id] = true
	return s.pushLocked(&models.Update{CallbackQuery: &models.CallbackQuery{
		ID:           id,
		From:         models.User{ID: userID, FirstName: "村民", LanguageCode: "zh-hans"},
		Message:      models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: msg},
		ChatInstance: strconv.FormatInt(chatID, 10),
		Data:         data,
	}})
}

// chatLocked returns the chat with the given id, inventing a plausible one.
func (s *Server) chatLocked(id int64) models.Chat {
	if c, ok := s.chats[id]; ok {
		return c
	}
	c := models.Chat{ID: id}
	switch {
	case id > 0:
		c.Type, c.FirstName = models.ChatTypePrivate, "村民"
	case id <= -1000000000000:
		c.Type, c.Title = models.ChatTypeSupergroup, "石桥村村民群"
	default:
		c.Type, c.Title = models.ChatTypeGroup, "石桥村村民群"
	}
	s.chats[id] = c
	return c
}

var commandRe = regexp.MustCompile(`(^|\s)(/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?)`)

// commandEntities marks /commands with offsets in UTF-16 units, as
// Telegram does.
func commandEntities(text string) []models.MessageEntity {
	var out []models.MessageEntity
	for _, m := range commandRe.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[4], m[5]
		out = append(out, models.MessageEntity{
			Type:   models.MessageEntityTypeBotCommand,
			Offset: utf16Len(text[:start]),
			Length: utf16Len(text[start:end]),
		})
	}
	return out
}

// Calls returns the calls of method received so far ("" for all).
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsLocked(method)
}

func (s *Server) callsLocked(method string) []Call {
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// WaitCalls waits until at least n calls of method ("" for any) have been
// answered (a long poll counts as soon as it arrives) and returns them all.
func (s *Server) WaitCalls(ctx context.Context, method string, n int) ([]Call, error) {
	for {
		s.mu.Lock()
		calls := s.callsLocked(method)
		changed := s.changed
		s.mu.Unlock()
		if len(calls) >= n {
			return calls, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return calls, fmt.Errorf("telegramtest: got %d %s calls, want %d: %w", len(calls), method, n, ctx.Err())
		}
	}
}

// Sent returns the texts (and captions) the bot sent to chatID, oldest
// first, as sent (HTML markup included).
func (s *Server) Sent(chatID int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent[chatID])
}

// Message returns a message the bot sent, as edited since.
func (s *Server) Message(chatID int64, messageID int) (models.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[msgKey{chatID, messageID}]
	if !ok {
		return models.Message{}, false
	}
	return *m, true
}

// Block makes every later send to chatID fail with 403, as when a user has
// blocked the bot (or removed it from a group).
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chatID] = true
}

// Unblock undoes Block.
func (s *Server) Unblock(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, chatID)
}

// Enforce sets flood limits; the zero Limits turns them off.
func (s *Server) Enforce(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = l
	s.global = newWindow(l.PerSecond, time.Second)
	s.perChat = map[int64]*window{}
	s.perGroup = map[int64]*window{}
}

// Faults FailNext injects besides an HTTP status.
const (
	// DropConnection closes the connection without an answer and without
	// carrying the request out, like a network failure.
	DropConnection = 0
	// GarbledResult carries the request out (a message is sent) and
	// answers "ok": true with a result no client can decode, like a
	// third-party Bot API server that answers in its own way.
	GarbledResult = -1
	// DropAnswer carries the request out, then closes the connection
	// without an answer: the client cannot know the message was sent.
	DropAnswer = -2
	// HTMLBadGateway answers 502 with an HTML page instead of a Bot API
	// answer, as a proxy in front of the Bot API does, and does not carry
	// the request out.
	HTMLBadGateway = -3
)

// FailNext makes the next n calls of method fail with status: 429 (with
// retry_after 1), 403, 400, 5xx…, or one of the faults DropConnection,
// GarbledResult, DropAnswer and HTMLBadGateway.
func (s *Server) FailNext(method string, n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[method] = append(s.failures[method], status)
	}
}

// AnswerPollsAtOnce makes getUpdates answer at once, even with no update
// to give, whatever timeout the client asks for, as some Bot API servers
// and proxies do.
func (s *Server) AnswerPollsAtOnce(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pollAtOnce = on
}

// OmitButtonsInCallbacks makes PushCallback send the pressed message
// without its inline keyboard, as some clients and Bot API servers do.
func (s *Server) OmitButtonsInCallbacks(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bareCallbacks = on
}

// Stats returns counts of calls and error answers.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// WebhookURL returns the URL set with setWebhook ("" when polling).
func (s *Server) WebhookURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL
}

// apiError is an ok=false answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

// request is one parsed call.
type request struct {
	method string
	form   url.Values
	files  map[string]File
}

func (r *request) has(key string) bool { return r.form.Get(key) != "" || r.files[key].Data != nil }

// ServeHTTP answers Bot API requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	if !ok {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	token, method, _ := strings.Cut(rest, "/")
	method = strings.TrimPrefix(method, "test/")
	if token != s.token {
		writeError(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	req, err := parseRequest(r)
	if err != nil {
		writeError(w, badRequest("%v", err))
		return
	}
	req.method = method

	if method == "getUpdates" {
		s.getUpdates(w, r, req)
		return
	}

	s.mu.Lock()
	var result any
	var apiErr *apiError
	fault, faulty := 0, false
	if f := s.failures[method]; len(f) > 0 {
		s.failures[method] = f[1:]
		fault, faulty = f[0], true
	}
	switch {
	case !faulty || fault == GarbledResult || fault == DropAnswer:
		result, apiErr = s.handleLocked(req)
	case fault == DropConnection:
	case fault == HTMLBadGateway:
		apiErr = &apiError{code: http.StatusBadGateway}
	default:
		apiErr = injected(fault)
	}
	status := http.StatusOK
	if apiErr != nil {
		status = apiErr.code
	}
	s.recordLocked(req, status)
	s.mu.Unlock()

	switch {
	case faulty && (fault == DropConnection || (fault == DropAnswer && apiErr == nil)):
		dropConnection(w)
	case faulty && fault == HTMLBadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n")
	case apiErr != nil:
		writeError(w, apiErr)
	case faulty && fault == GarbledResult:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true,"result":"done"}`)
	default:
		writeResult(w, result)
	}
}

func (s *Server) recordLocked(req *request, status int) {
	s.calls = append(s.calls, Call{Method: req.method, Form: req.form, Files: req.files, At: s.now(), Status: status})
	s.stats.Calls++
	if status != http.StatusOK {
		s.stats.Errors++
	}
	switch status {
	case http.StatusTooManyRequests:
		s.stats.TooManyRequests++
	case http.StatusForbidden:
		s.stats.Forbidden++
	}
	s.notifyLocked()
}

func injected(status int) *apiError {
	switch status {
	case http.StatusTooManyRequests:
		return &apiError{code: status, desc: "Too Many Requests: retry after 1", retryAfter: 1}
	case http.StatusForbidden:
		return &apiError{code: status, desc: "Forbidden: bot was blocked by the user"}
	case http.StatusBadRequest:
		return badRequest("injected failure")
	}
	return &apiError{code: status, desc: http.StatusText(status)}
}

// handleLocked answers every method but getUpdates.
func (s *Server) handleLocked(req *request) (any, *apiError) {
	switch req.method {
	case "getMe":
		return s.botUser, nil
	case "logOut", "close", "deleteMessage", "setMyDescription", "setMyShortDescription",
		"setMyName", "setChatMenuButton", "deleteMyCommands", "leaveChat",
		"pinChatMessage", "unpinChatMessage":
		return true, nil
	case "setMyCommands":
		if !json.Valid([]byte(req.form.Get("commands"))) {
			return nil, badRequest("can't parse commands JSON object")
		}
		s.commands = req.form.Get("commands")
		return true, nil
	case "getMyCommands":
		if s.commands == "" {
			return []any{}, nil
		}
		return json.RawMessage(s.commands), nil
	case "setWebhook":
		u := req.form.Get("url")
		if u != "" {
			if _, err := url.ParseRequestURI(u); err != nil {
				return nil, badRequest("bad webhook: invalid URL")
			}
		}
		s.webhookURL, s.webhookSecret = u, req.form.Get("secret_token")
		if req.form.Get("drop_pending_updates") == "true" {
			s.updates = nil
		}
		s.notifyLocked()
		return true, nil
	case "deleteWebhook":
		s.webhookURL, s.webhookSecret = "", ""
		if req.form.Get("drop_pending_updates") == "true" {
			s.updates = nil
		}
		return true, nil
	case "getWebhookInfo":
		return models.WebhookInfo{URL: s.webhookURL, PendingUpdateCount: len(s.updates)}, nil
	case "getChat":
		id, apiErr := chatID(req)
		if apiErr != nil {
			return nil, apiErr
		}
		c, ok := s.chats[id]
		if !ok {
			return nil, badRequest("chat not found")
		}
		return models.ChatFullInfo{ID: c.ID, Type: c.Type, Title: c.Title, FirstName: c.FirstName}, nil
	case "answerCallbackQuery":
		id := req.form.Get("callback_query_id")
		if !s.callbacks[id] {
			return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
		}
		if utf16Len(req.form.Get("text")) > 200 {
			return nil, badRequest("MESSAGE_TOO_LONG")
		}
		delete(s.callbacks, id)
		return true, nil
	case "sendChatAction":
		id, apiErr := chatID(req)
		if apiErr != nil {
			return nil, apiErr
		}
		if s.blocked[id] {
			return nil, forbidden(id)
		}
		return true, nil
	case "sendMessage", "sendPhoto", "sendDocument":
		return s.sendLocked(req)
	case "editMessageText", "editMessageReplyMarkup":
		return s.editLocked(req)
	}
	return nil, &apiError{code: http.StatusNotFound, desc: "Not Found"}
}

func chatID(req *request) (int64, *apiError) {
	v := req.form.Get("chat_id")
	if v == "" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

func forbidden(chatID int64) *apiError {
	if chatID < 0 {
		return &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was kicked from the group chat"}
	}
	return &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was blocked by the user"}
}

// admitLocked applies the flood limits to a request to chatID. When it may
// go ahead it returns the windows to count it in once it has succeeded.
func (s *Server) admitLocked(chatID int64) ([]*window, *apiError) {
	now := s.now()
	var wait time.Duration
	wins := []*window{s.global}
	if s.limits.PerChatPerSecond > 0 {
		w := s.perChat[chatID]
		if w == nil {
			w = newWindow(s.limits.PerChatPerSecond, time.Second)
			s.perChat[chatID] = w
		}
		wins = append(wins, w)
	}
	if s.limits.PerGroupPerMinute > 0 && chatID < 0 {
		w := s.perGroup[chatID]
		if w == nil {
			w = newWindow(float64(s.limits.PerGroupPerMinute), time.Minute)
			s.perGroup[chatID] = w
		}
		wins = append(wins, w)
	}
	for _, w := range wins {
		wait = max(wait, w.wait(now))
	}
	if wait > 0 {
		secs := max(1, int(math.Ceil(wait.Seconds())))
		return nil, &apiError{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
	}
	return wins, nil
}

// countLocked records an accepted request in the flood windows.
func (s *Server) countLocked(wins []*window) {
	now := s.now()
	for _, w := range wins {
		w.add(now)
	}
}

// sendLocked answers sendMessage, sendPhoto and sendDocument.
func (s *Server) sendLocked(req *request) (any, *apiError) {
	id, apiErr := chatID(req)
	if apiErr != nil {
		return nil, apiErr
	}
	if s.blocked[id] {
		return nil, forbidden(id)
	}
	wins, apiErr := s.admitLocked(id)
	if apiErr != nil {
		return nil, apiErr
	}
	msg := &models.Message{ID: s.nextMessageID, From: &s.botUser, Date: int(s.now().Unix()), Chat: s.chatLocked(id)}
	var shown string
	switch req.method {
	case "sendMessage":
		text := req.form.Get("text")
		plain, apiErr := checkText(text, req.form.Get("parse_mode"), 4096)
		if apiErr != nil {
			return nil, apiErr
		}
		if strings.TrimSpace(plain) == "" {
			return nil, badRequest("message text is empty")
		}
		msg.Text, shown = text, text
	case "sendPhoto", "sendDocument":
		field := "photo"
		if req.method == "sendDocument" {
			field = "document"
		}
		if !req.has(field) {
			return nil, badRequest("there is no %s in the request", field)
		}
		caption := req.form.Get("caption")
		if _, apiErr := checkText(caption, req.form.Get("parse_mode"), 1024); apiErr != nil {
			if apiErr.desc == "Bad Request: message is too long" {
				apiErr.desc = "Bad Request: message caption is too long"
			}
			return nil, apiErr
		}
		msg.Caption, shown = caption, caption
		s.nextFile++
		f := req.files[field]
		fileID := fmt.Sprintf("file%d", s.nextFile)
		if req.method == "sendPhoto" {
			msg.Photo = []models.PhotoSize{{FileID: fileID, FileUniqueID: fileID, Width: 1280, Height: 720, FileSize: len(f.Data)}}
		} else {
			msg.Document = &models.Document{FileID: fileID, FileUniqueID: fileID, FileName: f.Name, MimeType: mime.TypeByExtension(extension(f.Name)), FileSize: int64(len(f.Data))}
		}
	}
	markup, apiErr := parseMarkup(req.form.Get("reply_markup"))
	if apiErr != nil {
		return nil, apiErr
	}
	msg.ReplyMarkup = markup
	s.countLocked(wins)
	s.nextMessageID++
	s.messages[msgKey{id, msg.ID}] = msg
	if shown != "" {
		s.sent[id] = append(s.sent[id], shown)
	}
	return msg, nil
}

// editLocked answers editMessageText and editMessageReplyMarkup.
func (s *Server) editLocked(req *request) (any, *apiError) {
	if req.form.Get("inline_message_id") != "" {
		return true, nil
	}
	id, apiErr := chatID(req)
	if apiErr != nil {
		return nil, apiErr
	}
	mid, _ := strconv.Atoi(req.form.Get("message_id"))
	old := s.messages[msgKey{id, mid}]
	if old == nil {
		return nil, badRequest("message to edit not found")
	}
	if s.blocked[id] {
		return nil, forbidden(id)
	}
	wins, apiErr := s.admitLocked(id)
	if apiErr != nil {
		return nil, apiErr
	}
	edited := *old
	if req.method == "editMessageText" {
		text := req.form.Get("text")
		plain, apiErr := checkText(text, req.form.Get("parse_mode"), 4096)
		if apiErr != nil {
			return nil, apiErr
		}
		if strings.TrimSpace(plain) == "" {
			return nil, badRequest("message text is empty")
		}
		edited.Text = text
	}
	markup, apiErr := parseMarkup(req.form.Get("reply_markup"))
	if apiErr != nil {
		return nil, apiErr
	}
	edited.ReplyMarkup = markup
	if edited.Text == old.Text && sameMarkup(edited.ReplyMarkup, old.ReplyMarkup) {
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	s.countLocked(wins)
	edited.EditDate = int(s.now().Unix())
	s.messages[msgKey{id, mid}] = &edited
	return &edited, nil
}

// checkText validates a text or caption for parse mode and length.
func checkText(text, parseMode string, limit int) (string, *apiError) {
	plain := text
	if strings.EqualFold(parseMode, "HTML") {
		p, err := parseHTML(text)
		if err != nil {
			return "", badRequest("can't parse entities: %v", err)
		}
		plain = p
	}
	if utf16Len(plain) > limit {
		return "", badRequest("message is too long")
	}
	return plain, nil
}

// parseMarkup checks reply_markup and returns it when it is an inline
// keyboard (the only kind a Message echoes).
func parseMarkup(raw string) (*models.InlineKeyboardMarkup, *apiError) {
	if raw == "" {
		return nil, nil
	}
	var m struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
			URL          string `json:"url"`
		} `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	if m.InlineKeyboard == nil {
		return nil, nil
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return nil, badRequest("BUTTON_TEXT_EMPTY")
			}
			if len(b.CallbackData) > 64 {
				return nil, badRequest("BUTTON_DATA_INVALID")
			}
			if b.URL != "" {
				if u, err := url.Parse(b.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tg") {
					return nil, badRequest("inline keyboard button URL '%s' is invalid: unsupported URL protocol", b.URL)
				}
			}
		}
	}
	var out models.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, badRequest("can't parse inline keyboard button: %v", err)
	}
	return &out, nil
}

func sameMarkup(a, b *models.InlineKeyboardMarkup) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func extension(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// getUpdates answers a long poll: updates with id ≥ offset at once, or
// wait up to timeout seconds for one. Updates below offset are confirmed
// and forgotten, as in Telegram.
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, req *request) {
	offset, _ := strconv.ParseInt(req.form.Get("offset"), 10, 64)
	limit, _ := strconv.Atoi(req.form.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(req.form.Get("timeout"))
	deadline := time.NewTimer(time.Duration(max(timeout, 0)) * time.Second)
	defer deadline.Stop()

	s.mu.Lock()
	if s.webhookURL != "" {
		apiErr := &apiError{code: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
		s.recordLocked(req, apiErr.code)
		s.mu.Unlock()
		writeError(w, apiErr)
		return
	}
	s.recordLocked(req, http.StatusOK)
	if s.pollAtOnce {
		timeout = 0
	}
	for {
		if offset > 0 {
			s.updates = slices.DeleteFunc(s.updates, func(u pendingUpdate) bool { return u.id < offset })
		}
		var out []json.RawMessage
		for _, u := range s.updates {
			if len(out) == limit {
				break
			}
			out = append(out, u.raw)
		}
		changed := s.changed
		s.mu.Unlock()
		if len(out) > 0 || timeout <= 0 {
			if out == nil {
				out = []json.RawMessage{}
			}
			writeResult(w, out)
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			timeout = 0
		case <-r.Context().Done():
			return
		case <-s.done:
			writeResult(w, []json.RawMessage{})
			return
		}
		s.mu.Lock()
	}
}

// deliverWebhooks posts pending updates, oldest first, to the webhook URL
// while one is set, retrying until the receiver answers 2xx.
func (s *Server) deliverWebhooks() {
	defer s.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.done
		cancel()
	}()
	for {
		s.mu.Lock()
		target, secret, changed := s.webhookURL, s.webhookSecret, s.changed
		var next *pendingUpdate
		if target != "" && len(s.updates) > 0 {
			u := s.updates[0]
			next = &u
		}
		s.mu.Unlock()
		if next == nil {
			select {
			case <-changed:
				continue
			case <-s.done:
				return
			}
		}
		if s.post(ctx, target, secret, next.raw) {
			s.mu.Lock()
			s.updates = slices.DeleteFunc(s.updates, func(u pendingUpdate) bool { return u.id == next.id })
			s.mu.Unlock()
			continue
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-s.done:
			return
		}
	}
}

func (s *Server) post(ctx context.Context, target, secret string, body []byte) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := s.hook.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode/100 == 2
}

// parseRequest reads parameters from the query and a multipart,
// urlencoded or JSON body.
func parseRequest(r *http.Request) (*request, error) {
	req := &request{form: url.Values{}, files: map[string]File{}}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if len(body) == 0 {
		ct = "" // go-telegram/bot sends an empty multipart body for methods without parameters
	}
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return nil, fmt.Errorf("bad multipart form: %w", err)
		}
		defer r.MultipartForm.RemoveAll()
		for k, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, err
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return nil, err
			}
			req.files[k] = File{Name: fhs[0].Filename, Data: data}
		}
	case "application/json":
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		var body map[string]any
		if err := dec.Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("bad JSON body: %w", err)
		}
		for k, v := range body {
			if str, ok := v.(string); ok {
				req.form.Set(k, str)
				continue
			}
			b, _ := json.Marshal(v)
			req.form.Set(k, string(b))
		}
	}
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("bad form: %w", err)
	}
	for k, vs := range r.Form {
		for _, v := range vs {
			req.form.Add(k, v)
		}
	}
	return req, nil
}

func writeResult(w http.ResponseWriter, result any) {
	body, err := json.Marshal(struct {
		OK     bool `json:"ok"`
		Result any  `json:"result"`
	}{true, result})
	if err != nil {
		writeError(w, &apiError{code: http.StatusInternalServerError, desc: "Internal Server Error: " + err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, e *apiError) {
	type params struct {
		RetryAfter int `json:"retry_after,omitempty"`
	}
	body, _ := json.Marshal(struct {
		OK          bool    `json:"ok"`
		ErrorCode   int     `json:"error_code"`
		Description string  `json:"description"`
		Parameters  *params `json:"parameters,omitempty"`
	}{
		ErrorCode:   e.code,
		Description: e.desc,
		Parameters: func() *params {
			if e.retryAfter > 0 {
				return &params{e.retryAfter}
			}
			return nil
		}(),
	})
	w.Header().Set("Content-Type", "application/json")
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	w.WriteHeader(e.code)
	_, _ = w.Write(body)
}

// dropConnection closes the connection without an answer.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// window is a sliding-window limit: at most n events in any span.
type window struct {
	n    int
	span time.Duration
	at   []time.Time
}

// newWindow returns a window allowing rate events per unit; nil (no
// limit) for rate ≤ 0. A rate below one per unit becomes one per longer
// span (0.5/s: one per 2s).
func newWindow(rate float64, unit time.Duration) *window {
	if rate <= 0 {
		return nil
	}
	n := max(1, int(math.Floor(rate)))
	return &window{n: n, span: time.Duration(float64(unit) * float64(n) / rate)}
}

// wait returns how long until one more event fits.
func (w *window) wait(now time.Time) time.Duration {
	if w == nil {
		return 0
	}
	cut := 0
	for cut < len(w.at) && !w.at[cut].After(now.Add(-w.span)) {
		cut++
	}
	w.at = w.at[cut:]
	if len(w.at) < w.n {
		return 0
	}
	return w.at[len(w.at)-w.n].Add(w.span).Sub(now)
}

func (w *window) add(now time.Time) {
	if w != nil {
		w.at = append(w.at, now)
	}
}
