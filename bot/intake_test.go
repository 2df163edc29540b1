package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/pufabot/pufabot/bot/outbox"
	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/store"
)

func TestTooManyRequestsThroughTheQueue(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q := outbox.New(outbox.Options{PrivateInterval: time.Millisecond})
	go func() { _ = q.Run(ctx) }()
	defer q.Close()
	h := newHarness(t, func(o *Options) { o.Sender = q })
	h.start()
	h.srv.FailNext("sendMessage", 1, http.StatusTooManyRequests)
	h.say(alice, alice, "离婚")
	contains(t, h.last(alice), "怎么离婚")
	if s := h.srv.Stats(); s.TooManyRequests != 1 {
		t.Fatalf("429 answers = %d", s.TooManyRequests)
	}
}

// TestEmptyPollsDoNotSpin: a server that answers getUpdates at once with
// nothing is not asked again and again without pause.
func TestEmptyPollsDoNotSpin(t *testing.T) {
	h := newHarness(t)
	h.srv.AnswerPollsAtOnce(true)
	h.start()
	before := len(h.srv.Calls("getUpdates"))
	time.Sleep(1500 * time.Millisecond)
	if n := len(h.srv.Calls("getUpdates")) - before; n > 4 {
		t.Fatalf("%d getUpdates calls in 1.5 s of empty answers; want at most one a second", n)
	}
	// Updates still arrive.
	h.say(alice, alice, "离婚")
	contains(t, h.last(alice), "怎么离婚")
}

func TestTooManyRequestsWithoutQueue(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.srv.FailNext("sendMessage", 1, http.StatusTooManyRequests)
	h.say(alice, alice, "离婚")
	contains(t, h.last(alice), "怎么离婚")
}

func TestBlockedChat(t *testing.T) {
	h := newHarness(t)
	h.start()
	ctx := context.Background()
	h.say(alice, alice, "/subscribe all")
	h.srv.Block(alice)
	h.say(alice, alice, "离婚")
	if ids, _ := h.db.Subscribers(ctx, store.AllTopics); len(ids) != 0 {
		t.Fatalf("blocked chat still a subscriber: %v", ids)
	}
	if n := h.reg.Counter("pufabot_bot_blocked_chats_total", "").Value(); n != 1 {
		t.Fatalf("blocked_chats_total = %v", n)
	}
	err := h.b.SendCampaign(ctx, alice, "<b>3·15</b> 提醒", nil)
	if !errors.Is(err, outbox.ErrBlocked) {
		t.Fatalf("SendCampaign to a blocked chat: %v", err)
	}
	// Unblocking and writing again makes the chat deliverable.
	h.srv.Unblock(alice)
	h.say(alice, alice, "离婚")
	if ids, _ := h.db.Subscribers(ctx, store.AllTopics); len(ids) != 1 {
		t.Fatalf("after unblocking: %v", ids)
	}
}

// recordingSender passes requests through and notes their priority.
type recordingSender struct {
	mu    sync.Mutex
	prios []outbox.Priority
}

func (r *recordingSender) Do(ctx context.Context, chatID int64, p outbox.Priority, send func(context.Context) error) error {
	r.mu.Lock()
	r.prios = append(r.prios, p)
	r.mu.Unlock()
	return directSender{}.Do(ctx, chatID, p, send)
}

func TestSendCampaign(t *testing.T) {
	rs := &recordingSender{}
	h := newHarness(t, func(o *Options) { o.Sender = rs })
	b := h.start()
	before := len(rs.prios)
	long := strings.Repeat("宪法是国家的根本法。\n", 300) + "\n\n" + strings.Repeat("尊法学法守法用法。", 200)
	err := b.SendCampaign(context.Background(), bob, "<b>12·4 国家宪法日</b>\n\n"+long,
		[]LinkButton{{Text: "了解更多", URL: "https://www.npc.gov.cn/"}, {Text: "坏链接", URL: "javascript:alert(1)"}})
	if err != nil {
		t.Fatal(err)
	}
	ms := h.messages(bob)
	if len(ms) < 2 {
		t.Fatalf("long campaign sent as %d message(s)", len(ms))
	}
	lastMsg := ms[len(ms)-1]
	if b := h.button(lastMsg, "了解更多"); b.URL != "https://www.npc.gov.cn/" {
		t.Fatalf("button = %+v", b)
	}
	if hasButton(lastMsg, "坏链接") || hasButton(ms[0], "了解更多") {
		t.Fatal("buttons wrong")
	}
	for _, p := range rs.prios[before:] {
		if p != outbox.Broadcast {
			t.Fatalf("campaign sent at priority %v", p)
		}
	}
}

func TestPanickingHandlerDoesNotKillTheBot(t *testing.T) {
	h := newHarness(t)
	b := h.start()
	b.setHook(func(it *updateItem) {
		if it.upd != nil && it.upd.Message != nil && it.upd.Message.Text == "boom" {
			panic("injected")
		}
	})
	h.say(alice, alice, "boom") // handled (recorded as done) despite the panic
	if h.last(alice) != msgInternalError {
		t.Fatalf("apology = %q", h.last(alice))
	}
	h.say(alice, alice, "离婚")
	contains(t, h.last(alice), "怎么离婚")
	if n := h.reg.Counter("pufabot_bot_handler_panics_total", "").Value(); n != 1 {
		t.Fatalf("panics = %v", n)
	}
	contains(t, h.logs.String(), "update handler panicked")
	contains(t, h.logs.String(), "stack=")
}

func TestRestartNeitherRepeatsNorLosesUpdates(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.Workers = 1 })
	b := h.start()

	h.say(alice, alice, "问题一 离婚")

	// A handler is in progress when the bot is stopped; two more updates
	// for the chat are stored but not started.
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	b.setHook(func(it *updateItem) {
		if it.upd != nil && it.upd.Message != nil && it.upd.Message.Text == "问题二 离婚" {
			once.Do(func() { close(entered) })
			<-release
		}
	})
	h.srv.PushMessage(alice, alice, "问题二 离婚")
	<-entered
	h.srv.PushMessage(alice, alice, "问题三 离婚")
	h.srv.PushMessage(alice, alice, "问题四 离婚")
	h.eventually("updates stored", func() bool {
		var n int
		_ = h.db.SQL().QueryRow(`SELECT COUNT(*) FROM telegram_updates`).Scan(&n)
		return n == 4
	})
	stopped := make(chan struct{})
	go func() {
		h.stop()
		close(stopped)
	}()
	h.eventually("stop begun", func() bool { return !b.Ready() })
	close(release)
	<-stopped

	// While the bot is down, a resident writes; and an update that a
	// crashed process had stored but not handled is in the database.
	// (Ids follow Telegram's sequence: 5 was stored by the crashed
	// process, 6 is still waiting at Telegram.)
	raw, _ := json.Marshal(models.Update{ID: 5, Message: &models.Message{ID: 9, From: &models.User{ID: bob},
		Chat: models.Chat{ID: bob, Type: models.ChatTypePrivate}, Date: int(time.Now().Unix()), Text: "问题六 离婚"}})
	if _, err := h.db.ReceiveUpdates(context.Background(), []store.InboundUpdate{{ID: 5, ChatID: bob, Payload: raw}}); err != nil {
		t.Fatal(err)
	}
	h.srv.PushUpdate(models.Update{ID: 6, Message: &models.Message{ID: 10, From: &models.User{ID: alice},
		Chat: models.Chat{ID: alice, Type: models.ChatTypePrivate}, Date: int(time.Now().Unix()), Text: "问题五 离婚"}})

	// Restart on the same database.
	h.start()
	h.eventually("all answered", func() bool { return len(h.fkb.asked()) >= 6 })
	h.eventually("all handled", func() bool {
		var n int
		_ = h.db.SQL().QueryRow(`SELECT COUNT(*) FROM telegram_updates WHERE done_at IS NULL`).Scan(&n)
		return n == 0
	})
	h.stop()
	count := map[string]int{}
	for _, q := range h.fkb.asked() {
		count[strings.Fields(q)[0]]++
	}
	for _, q := range []string{"问题一", "问题二", "问题三", "问题四", "问题五", "问题六"} {
		if count[q] != 1 {
			t.Errorf("%s asked %d times (all: %q)", q, count[q], h.fkb.asked())
		}
	}
	// Per-chat order held across the restart.
	var order []string
	for _, q := range h.fkb.asked() {
		if w := strings.Fields(q)[0]; w != "问题六" {
			order = append(order, w)
		}
	}
	if strings.Join(order, ",") != "问题一,问题二,问题三,问题四,问题五" {
		t.Errorf("order = %v", order)
	}
	if n := len(h.sent(alice)); n != 5 {
		t.Errorf("alice got %d answers, want 5", n)
	}
}

func TestDuplicateUpdateInOneBatch(t *testing.T) {
	h := newHarness(t)
	h.start()
	u := models.Update{ID: 500, Message: &models.Message{ID: 1, From: &models.User{ID: alice}, Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: alice, Type: models.ChatTypePrivate}, Text: "离婚 重复"}}
	h.srv.PushUpdate(u)
	h.srv.PushUpdate(u)
	h.handled(500)
	h.say(alice, alice, "离婚 之后")
	if n := len(h.fkb.asked()); n != 2 {
		t.Fatalf("asked %d times: %q", n, h.fkb.asked())
	}
}

func TestWebhook(t *testing.T) {
	var current atomic.Pointer[Bot]
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		current.Load().WebhookHandler().ServeHTTP(w, r)
	}))
	defer hook.Close()
	const secret = "s3cret-token"
	h := newHarness(t, func(o *Options) {
		o.Webhook = Webhook{URL: hook.URL + "/telegram", SecretToken: secret}
	})
	current.Store(h.start())
	if got := h.srv.WebhookURL(); got != hook.URL+"/telegram" {
		t.Fatalf("webhook URL = %q", got)
	}
	for _, c := range h.srv.Calls("setWebhook") {
		if c.Form.Get("secret_token") != secret {
			t.Fatalf("setWebhook without the secret: %v", c.Form)
		}
	}
	if n := len(h.srv.Calls("getUpdates")); n != 0 {
		t.Fatalf("getUpdates called %d times in webhook mode", n)
	}

	// Telegram delivers through the webhook.
	h.say(alice, alice, "离婚")
	contains(t, h.last(alice), "怎么离婚")

	post := func(secretHeader string, body []byte) int {
		req, _ := http.NewRequest(http.MethodPost, hook.URL+"/telegram", bytes.NewReader(body))
		if secretHeader != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secretHeader)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	update := func(id int64, text string) []byte {
		raw, _ := json.Marshal(models.Update{ID: id, Message: &models.Message{ID: int(id), From: &models.User{ID: bob}, Date: int(time.Now().Unix()),
			Chat: models.Chat{ID: bob, Type: models.ChatTypePrivate}, Text: text}})
		return raw
	}
	if code := post("", update(9000, "离婚 无密钥")); code != http.StatusForbidden {
		t.Fatalf("no secret: %d", code)
	}
	if code := post("wrong", update(9000, "离婚 错密钥")); code != http.StatusForbidden {
		t.Fatalf("wrong secret: %d", code)
	}
	if resp, _ := http.Get(hook.URL + "/telegram"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
	if code := post(secret, []byte("{not json")); code != http.StatusOK {
		t.Fatalf("garbage: %d", code)
	}
	// The same update twice is handled once.
	for range 2 {
		if code := post(secret, update(9001, "离婚 九千零一")); code != http.StatusOK {
			t.Fatalf("update: %d", code)
		}
	}
	h.handled(9001)

	// An update that arrives while the bot is stopped is kept and handled
	// after the restart; delivered again afterwards, it is not repeated.
	h.stop()
	if code := post(secret, update(9002, "离婚 九千零二")); code != http.StatusOK {
		t.Fatalf("update while stopped: %d", code)
	}
	current.Store(h.start())
	h.handled(9002)
	if code := post(secret, update(9002, "离婚 九千零二")); code != http.StatusOK {
		t.Fatalf("repeat: %d", code)
	}
	if code := post(secret, update(9003, "离婚 九千零三")); code != http.StatusOK {
		t.Fatal(code)
	}
	h.handled(9003)
	count := map[string]int{}
	for _, q := range h.fkb.asked() {
		count[q]++
	}
	for _, q := range []string{"离婚 九千零一", "离婚 九千零二", "离婚 九千零三"} {
		if count[q] != 1 {
			t.Errorf("%q asked %d times", q, count[q])
		}
	}
	if count["离婚 无密钥"]+count["离婚 错密钥"] != 0 {
		t.Error("an update without the right secret was handled")
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	db, err := store.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	kb := newFakeKB()
	for name, o := range map[string]Options{
		"no token":           {Store: db, Knowledge: kb},
		"no store":           {Token: "1:x", Knowledge: kb},
		"no knowledge":       {Token: "1:x", Store: db},
		"webhook, no secret": {Token: "1:x", Store: db, Knowledge: kb, Webhook: Webhook{URL: "https://x/y"}},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func TestRunFailsOnRejectedToken(t *testing.T) {
	h := newHarness(t)
	o := h.opts
	o.Store, o.Token = h.db, "999:wrong"
	b, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "rejected the token") {
		t.Fatalf("Run = %v", err)
	}
	if strings.Contains(err.Error(), "999:wrong") || strings.Contains(h.logs.String(), "999:wrong") {
		t.Fatal("the token leaked into an error or the log")
	}
	if err := b.Run(context.Background()); err == nil {
		t.Fatal("second Run succeeded")
	}
}

func TestRealEngineStarterPack(t *testing.T) {
	eng, err := knowledge.Open(context.Background(), knowledge.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	h := newHarness(t, func(o *Options) { o.Knowledge = eng })
	h.kb = eng
	h.start()
	h.say(alice, alice, "有个警察打电话说我的银行卡涉及洗钱案要冻结")
	m := h.lastMessage(alice)
	contains(t, m.Text, "冒充公检法诈骗")
	contains(t, m.Text, knowledge.Disclaimer)
	h.button(m, btnHelpful)
	c, err := h.db.GetConsultation(context.Background(), 1)
	if err != nil || c.AnswerKind != "faq" || c.FAQID == "" {
		t.Fatalf("consultation = %+v, %v", c, err)
	}
	h.say(alice, alice, "/topics")
	if len(eng.Topics()) > 0 {
		h.button(h.lastMessage(alice), eng.Topics()[0].Name)
	}
	for _, q := range []string{"😀", "<b>*_+-:*\"~^()</b>", "\u202e民法典第1079条", strings.Repeat("我", 4096)} {
		h.say(alice, alice, q)
	}
}

func TestWebhookOwnListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	h := newHarness(t, func(o *Options) {
		o.Webhook = Webhook{URL: "http://" + addr + "/hook/secret-path", SecretToken: "tok", Listen: addr}
	})
	h.start()
	h.say(alice, alice, "离婚")
	contains(t, h.last(alice), "怎么离婚")
	h.stop()
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Fatal("webhook listener still open after Run returned")
	}
}
