package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// newClient returns a go-telegram/bot client talking to srv.
func newClient(t *testing.T, srv *Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	opts = append([]bot.Option{
		bot.WithServerURL(srv.URL()),
		bot.WithHTTPClient(2*time.Second, &http.Client{Timeout: 5 * time.Second}),
		bot.WithDefaultHandler(func(context.Context, *bot.Bot, *models.Update) {}),
		bot.WithErrorsHandler(func(error) {}),
	}, opts...)
	b, err := bot.New(srv.Token(), opts...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestGetMeAndSendMessage(t *testing.T) {
	srv := New(t)
	b := newClient(t, srv) // calls getMe
	ctx := ctxT(t)
	me, err := b.GetMe(ctx)
	if err != nil || !me.IsBot || me.ID != 123456 {
		t.Fatalf("getMe = %+v, %v", me, err)
	}
	var ids []int
	for _, text := range []string{"您好，请问有什么法律问题？", "<b>《中华人民共和国民法典》第一千零七十九条</b>"} {
		m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: int64(42), Text: text, ParseMode: models.ParseModeHTML})
		if err != nil {
			t.Fatalf("sendMessage: %v", err)
		}
		if m.Chat.ID != 42 || m.Text != text {
			t.Fatalf("message %+v", m)
		}
		ids = append(ids, m.ID)
	}
	if ids[1] <= ids[0] {
		t.Fatalf("message ids %v do not increase", ids)
	}
	if got := srv.Sent(42); len(got) != 2 || !strings.Contains(got[1], "民法典") {
		t.Fatalf("Sent(42) = %q", got)
	}
	calls := srv.Calls("sendMessage")
	if len(calls) != 2 || calls[0].Form.Get("chat_id") != "42" || calls[0].Status != http.StatusOK {
		t.Fatalf("calls %+v", calls)
	}
	if s := srv.Stats(); s.Calls != 4 || s.Errors != 0 { // getMe twice, sendMessage twice
		t.Fatalf("stats %+v", s)
	}
}

func TestWrongTokenAndUnknownMethod(t *testing.T) {
	srv := New(t)
	resp, err := http.Post(srv.URL()+"/bot999:nope/getMe", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong token: status %d", resp.StatusCode)
	}
	var out any
	if err := rawCall(srv, "noSuchMethod", url.Values{}, &out); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("unknown method: %v", err)
	}
}

// rawCall posts an urlencoded form and decodes the answer.
func rawCall(srv *Server, method string, form url.Values, result any) error {
	resp, err := http.PostForm(srv.URL()+"/bot"+srv.Token()+"/"+method, form)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return err
	}
	if !r.OK {
		return errors.New(strings.TrimSpace(http.StatusText(r.ErrorCode) + " " + r.Description + " " + resp.Status))
	}
	return json.Unmarshal(r.Result, result)
}

func TestLongPollDeliversAndConfirms(t *testing.T) {
	srv := New(t)
	got := make(chan *models.Update, 10)
	b := newClient(t, srv, bot.WithDefaultHandler(func(_ context.Context, _ *bot.Bot, u *models.Update) { got <- u }))
	ctx, cancel := context.WithCancel(ctxT(t))
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Start(ctx)
	}()
	defer func() { cancel(); <-done }()

	if _, err := srv.WaitCalls(ctx, "getUpdates", 1); err != nil {
		t.Fatal(err)
	}
	id1 := srv.PushMessage(42, 42, "/start")
	id2 := srv.PushMessage(-100, 7, "邻居占了我家宅基地怎么办 /help@pufa_test_bot")
	id3 := srv.PushCallback(42, 42, 9, "page:2")
	var ups []*models.Update
	for range 3 {
		select {
		case u := <-got:
			ups = append(ups, u)
		case <-ctx.Done():
			t.Fatal("updates not delivered")
		}
	}
	byID := map[int64]*models.Update{}
	for _, u := range ups {
		byID[u.ID] = u
	}
	if m := byID[id1].Message; m == nil || m.Text != "/start" || m.Chat.Type != models.ChatTypePrivate ||
		len(m.Entities) != 1 || m.Entities[0].Type != models.MessageEntityTypeBotCommand || m.Entities[0].Length != 6 {
		t.Fatalf("update 1: %+v", byID[id1].Message)
	}
	m2 := byID[id2].Message
	if m2 == nil || m2.Chat.Type != models.ChatTypeGroup || len(m2.Entities) != 1 {
		t.Fatalf("update 2: %+v", m2)
	}
	// Offsets are in UTF-16 units, as from Telegram.
	if e := m2.Entities[0]; e.Offset != 13 || e.Length != len("/help@pufa_test_bot") {
		t.Fatalf("command entity %+v", e)
	}
	cq := byID[id3].CallbackQuery
	if cq == nil || cq.Data != "page:2" || cq.Message.Message == nil || cq.Message.Message.ID != 9 {
		t.Fatalf("callback %+v", cq)
	}
	if ok, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID}); !ok || err != nil {
		t.Fatalf("answerCallbackQuery: %v %v", ok, err)
	}
	if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("second answer: %v, want 400", err)
	}
	// The next poll confirms the three updates; the server forgets them.
	if _, err := srv.WaitCalls(ctx, "getUpdates", 3); err != nil {
		t.Fatal(err)
	}
	for {
		srv.mu.Lock()
		n, changed := len(srv.updates), srv.changed
		srv.mu.Unlock()
		if n == 0 {
			break
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("%d confirmed updates kept", n)
		}
	}
}

func TestGetUpdatesOffsetAndTimeout(t *testing.T) {
	srv := New(t)
	srv.PushMessage(1, 1, "一")
	srv.PushMessage(1, 1, "二")
	var ups []models.Update
	if err := rawCall(srv, "getUpdates", url.Values{"offset": {"0"}, "timeout": {"0"}}, &ups); err != nil || len(ups) != 2 {
		t.Fatalf("getUpdates: %d updates, %v", len(ups), err)
	}
	if err := rawCall(srv, "getUpdates", url.Values{"offset": {"2"}, "timeout": {"0"}}, &ups); err != nil || len(ups) != 1 || ups[0].Message.Text != "二" {
		t.Fatalf("getUpdates offset 2: %+v, %v", ups, err)
	}
	// A poll with nothing to return waits, and answers when an update comes.
	res := make(chan []models.Update, 1)
	go func() {
		var ups []models.Update
		_ = rawCall(srv, "getUpdates", url.Values{"offset": {"3"}, "timeout": {"30"}}, &ups)
		res <- ups
	}()
	if _, err := srv.WaitCalls(ctxT(t), "getUpdates", 3); err != nil {
		t.Fatal(err)
	}
	srv.PushMessage(1, 1, "三")
	if ups := <-res; len(ups) != 1 || ups[0].Message.Text != "三" {
		t.Fatalf("long poll: %+v", ups)
	}
}

func TestBlock(t *testing.T) {
	srv := New(t)
	b := newClient(t, srv)
	ctx := ctxT(t)
	srv.Block(42)
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: int64(42), Text: "通知"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "blocked by the user") {
		t.Fatalf("err = %v, want 403 blocked", err)
	}
	srv.Unblock(42)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: int64(42), Text: "通知"}); err != nil {
		t.Fatal(err)
	}
	if s := srv.Stats(); s.Forbidden != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestEnforce(t *testing.T) {
	clk := &clock{now: time.Date(2025, 12, 4, 9, 0, 0, 0, time.UTC)}
	srv := New(t, WithClock(clk.Now))
	b := newClient(t, srv)
	ctx := ctxT(t)
	send := func(chat int64) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "12·4 国家宪法日"})
		return err
	}
	retryAfter := func(err error) int {
		var tm *bot.TooManyRequestsError
		if !errors.As(err, &tm) {
			t.Fatalf("err = %v, want 429", err)
		}
		return tm.RetryAfter
	}

	srv.Enforce(Limits{PerSecond: 30})
	for i := range 30 {
		if err := send(int64(i + 1)); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if ra := retryAfter(send(100)); ra != 1 {
		t.Fatalf("retry_after %d, want 1", ra)
	}
	clk.Advance(time.Second)
	if err := send(100); err != nil {
		t.Fatalf("after a second: %v", err)
	}

	srv.Enforce(Limits{PerChatPerSecond: 1})
	if err := send(5); err != nil {
		t.Fatal(err)
	}
	retryAfter(send(5))
	if err := send(6); err != nil {
		t.Fatalf("another chat: %v", err)
	}
	clk.Advance(time.Second)
	if err := send(5); err != nil {
		t.Fatal(err)
	}

	srv.Enforce(Limits{PerGroupPerMinute: 20})
	for range 20 {
		if err := send(-500); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
	}
	if ra := retryAfter(send(-500)); ra != 40 {
		t.Fatalf("group retry_after %d, want 40", ra)
	}
	if err := send(500); err != nil {
		t.Fatalf("private chat under the group limit: %v", err)
	}
	if s := srv.Stats(); s.TooManyRequests != 3 {
		t.Fatalf("stats %+v", s)
	}
}

func TestFailNext(t *testing.T) {
	srv := New(t)
	b := newClient(t, srv)
	ctx := ctxT(t)
	send := func() error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: int64(1), Text: "hi"})
		return err
	}
	srv.FailNext("sendMessage", 1, http.StatusBadGateway)
	srv.FailNext("sendMessage", 1, 0)
	srv.FailNext("sendMessage", 1, http.StatusTooManyRequests)
	if err := send(); err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("first: %v, want 502", err)
	}
	if err := send(); err == nil || errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("second: %v, want a network error", err)
	}
	var tm *bot.TooManyRequestsError
	if err := send(); !errors.As(err, &tm) || tm.RetryAfter != 1 {
		t.Fatalf("third: %v, want 429", err)
	}
	if err := send(); err != nil {
		t.Fatalf("fourth: %v", err)
	}
	if got := srv.Sent(1); len(got) != 1 {
		t.Fatalf("Sent = %q", got)
	}

	// Faults that carry the request out, and a proxy's page that does not.
	srv.FailNext("sendMessage", 1, GarbledResult)
	srv.FailNext("sendMessage", 1, DropAnswer)
	srv.FailNext("sendMessage", 1, HTMLBadGateway)
	if err := send(); err == nil || !strings.Contains(err.Error(), "decode response result") {
		t.Errorf("garbled result: %v, want a decode error", err)
	}
	if err := send(); err == nil || errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("dropped answer: %v, want a network error", err)
	}
	if err := send(); err == nil || !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Errorf("proxy page: %v, want the page in a decode error", err)
	}
	if got := srv.Sent(1); len(got) != 3 {
		t.Errorf("Sent = %q, want 3: the garbled and the dropped answer were carried out", got)
	}
}

func TestValidation(t *testing.T) {
	srv := New(t)
	b := newClient(t, srv)
	ctx := ctxT(t)
	long := strings.Repeat("法", 4097)
	tests := []struct {
		name   string
		params *bot.SendMessageParams
		want   string // "" for success
	}{
		{"plain", &bot.SendMessageParams{ChatID: int64(1), Text: "a < b & c"}, ""},
		{"html ok", &bot.SendMessageParams{ChatID: int64(1), Text: `<b>粗</b> <a href="https://12348.gov.cn">12348</a> &lt;x&gt; &amp;`, ParseMode: models.ParseModeHTML}, ""},
		{"html bare lt", &bot.SendMessageParams{ChatID: int64(1), Text: "a < b", ParseMode: models.ParseModeHTML}, "can't parse entities"},
		{"html unknown tag", &bot.SendMessageParams{ChatID: int64(1), Text: "<div>x</div>", ParseMode: models.ParseModeHTML}, "Unsupported start tag"},
		{"html unclosed", &bot.SendMessageParams{ChatID: int64(1), Text: "<b>x", ParseMode: models.ParseModeHTML}, "end tag"},
		{"too long", &bot.SendMessageParams{ChatID: int64(1), Text: long}, "message is too long"},
		{"4096 fits", &bot.SendMessageParams{ChatID: int64(1), Text: long[:4096*3]}, ""},
		{"empty", &bot.SendMessageParams{ChatID: int64(1), Text: " "}, "message text is empty"},
		{"callback data too long", &bot.SendMessageParams{ChatID: int64(1), Text: "x", ReplyMarkup: &models.InlineKeyboardMarkup{
			InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "更多", CallbackData: strings.Repeat("x", 65)}}},
		}}, "BUTTON_DATA_INVALID"},
		{"keyboard ok", &bot.SendMessageParams{ChatID: int64(1), Text: "x", ReplyMarkup: &models.InlineKeyboardMarkup{
			InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "更多", CallbackData: "more:1"}, {Text: "12348", URL: "https://12348.gov.cn"}}},
		}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.SendMessage(ctx, tt.params)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.want != "" && (!errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("err = %v, want 400 %q", err, tt.want)
			}
		})
	}
}

func TestEditMessage(t *testing.T) {
	srv := New(t)
	b := newClient(t, srv)
	ctx := ctxT(t)
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "下一页", CallbackData: "p:2"}}}}
	m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: int64(3), Text: "第1页", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if m.ReplyMarkup == nil || m.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "p:2" {
		t.Fatalf("reply markup not echoed: %+v", m.ReplyMarkup)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: int64(3), MessageID: m.ID, Text: "第1页", ReplyMarkup: kb})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "not modified") {
		t.Fatalf("same content: %v, want 400 not modified", err)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: int64(3), MessageID: m.ID, Text: "第2页"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: int64(3), MessageID: m.ID, ReplyMarkup: kb}); err != nil {
		t.Fatal(err)
	}
	got, ok := srv.Message(3, m.ID)
	if !ok || got.Text != "第2页" || got.ReplyMarkup == nil || got.EditDate == 0 {
		t.Fatalf("message after edits: %+v", got)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: int64(3), MessageID: 999, Text: "x"}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("edit of unknown message: %v", err)
	}
}

func TestSendDocumentAndPhoto(t *testing.T) {
	srv := New(t)
	b := newClient(t, srv)
	ctx := ctxT(t)
	png := []byte("\x89PNG fake")
	m, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: int64(-7), Photo: &models.InputFileUpload{Filename: "report.png", Data: bytes.NewReader(png)}, Caption: "2025年咨询统计"})
	if err != nil || len(m.Photo) == 0 {
		t.Fatalf("sendPhoto: %+v, %v", m, err)
	}
	d, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: int64(-7), Document: &models.InputFileUpload{Filename: "report.csv", Data: strings.NewReader("a,b\n")}})
	if err != nil || d.Document == nil || d.Document.FileName != "report.csv" {
		t.Fatalf("sendDocument: %+v, %v", d, err)
	}
	call := srv.Calls("sendPhoto")[0]
	if f := call.Files["photo"]; f.Name != "report.png" || !bytes.Equal(f.Data, png) {
		t.Fatalf("uploaded file %+v", f)
	}
	if got := srv.Sent(-7); len(got) != 1 || got[0] != "2025年咨询统计" {
		t.Fatalf("Sent = %q", got)
	}
	if _, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: int64(-7), Document: &models.InputFileString{Data: ""}}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("sendDocument without a document: %v", err)
	}
}

func TestOtherMethods(t *testing.T) {
	srv := New(t)
	b := newClient(t, srv)
	ctx := ctxT(t)
	if ok, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "start", Description: "开始"}}}); !ok || err != nil {
		t.Fatalf("setMyCommands: %v %v", ok, err)
	}
	if ok, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: int64(1), Action: models.ChatActionTyping}); !ok || err != nil {
		t.Fatalf("sendChatAction: %v %v", ok, err)
	}
	if ok, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{DropPendingUpdates: true}); !ok || err != nil {
		t.Fatalf("deleteWebhook: %v %v", ok, err)
	}
	if _, err := b.GetChat(ctx, &bot.GetChatParams{ChatID: int64(77)}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("getChat of an unknown chat: %v", err)
	}
	srv.PushMessage(-1001234567890, 5, "大家好")
	c, err := b.GetChat(ctx, &bot.GetChatParams{ChatID: int64(-1001234567890)})
	if err != nil || c.Type != models.ChatTypeSupergroup || c.Title == "" {
		t.Fatalf("getChat: %+v, %v", c, err)
	}
}

func TestWebhookDelivery(t *testing.T) {
	srv := New(t)
	got := make(chan *models.Update, 4)
	var secret string
	var mu sync.Mutex
	fail := 1
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fail > 0 { // the receiver is briefly down: delivery is retried
			fail--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		secret = r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		var u models.Update
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &u); err != nil {
			t.Error(err)
		}
		got <- &u
	}))
	defer hook.Close()

	b := newClient(t, srv)
	ctx := ctxT(t)
	if ok, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL, SecretToken: "s3cret"}); !ok || err != nil {
		t.Fatalf("setWebhook: %v %v", ok, err)
	}
	if srv.WebhookURL() != hook.URL {
		t.Fatalf("WebhookURL = %q", srv.WebhookURL())
	}
	srv.PushMessage(8, 8, "你好")
	select {
	case u := <-got:
		if u.Message == nil || u.Message.Text != "你好" {
			t.Fatalf("update %+v", u)
		}
	case <-ctx.Done():
		t.Fatal("update not delivered to the webhook")
	}
	mu.Lock()
	if secret != "s3cret" {
		t.Errorf("secret header %q", secret)
	}
	mu.Unlock()
	var ups []models.Update
	if err := rawCall(srv, "getUpdates", url.Values{}, &ups); err == nil || !strings.Contains(err.Error(), "webhook is active") {
		t.Fatalf("getUpdates with a webhook: %v, want 409", err)
	}
}

func TestJSONAndURLEncodedRequests(t *testing.T) {
	srv := New(t)
	var m models.Message
	if err := rawCall(srv, "sendMessage", url.Values{"chat_id": {"5"}, "text": {"表单"}}, &m); err != nil || m.Text != "表单" {
		t.Fatalf("urlencoded: %+v, %v", m, err)
	}
	body := `{"chat_id": 1234567890123, "text": "JSON", "reply_markup": {"inline_keyboard": [[{"text": "好", "callback_data": "ok"}]]}}`
	resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/sendMessage", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("JSON: status %d", resp.StatusCode)
	}
	if got := srv.Sent(1234567890123); len(got) != 1 || got[0] != "JSON" {
		t.Fatalf("Sent = %q", got)
	}
	if rm := srv.Calls("sendMessage")[1].Form.Get("reply_markup"); !strings.Contains(rm, "callback_data") {
		t.Fatalf("reply_markup form value %q", rm)
	}
}

func TestWaitCallsGivesUp(t *testing.T) {
	srv := New(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := srv.WaitCalls(ctx, "sendMessage", 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseHTML(t *testing.T) {
	tests := []struct {
		in, plain string
		bad       bool
	}{
		{in: "<b>第一千零七十九条</b> 夫妻一方要求离婚的", plain: "第一千零七十九条 夫妻一方要求离婚的"},
		{in: "<i><b>x</b></i>", plain: "x"},
		{in: `<a href="https://example.com/?a=1&amp;b=2">链接</a>`, plain: "链接"},
		{in: "&lt;&gt;&amp;&quot;&#20013;", plain: `<>&"中`},
		{in: "A & B", plain: "A & B"},
		{in: `<span class="tg-spoiler">x</span>`, plain: "x"},
		{in: "<blockquote expandable>x</blockquote>", plain: "x"},
		{in: "<b>x</i>", bad: true},
		{in: "x</b>", bad: true},
		{in: "<>", bad: true},
		{in: "<br>", bad: true},
		{in: "1 < 2", bad: true},
	}
	for _, tt := range tests {
		plain, err := parseHTML(tt.in)
		if tt.bad != (err != nil) || (!tt.bad && plain != tt.plain) {
			t.Errorf("parseHTML(%q) = %q, %v", tt.in, plain, err)
		}
	}
}

func TestCloseTwiceAndHandler(t *testing.T) {
	s := NewHandler(WithToken("42:xyz"))
	hs := httptest.NewServer(s)
	defer hs.Close()
	resp, err := http.Post(hs.URL+"/bot42:xyz/getMe", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || s.Bot().ID != 42 || s.URL() != "" {
		t.Fatalf("status %d, bot %+v", resp.StatusCode, s.Bot())
	}
	s.Close()
	s.Close()
}
