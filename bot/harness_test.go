package bot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/pufabot/pufabot/internal/metrics"
	"github.com/pufabot/pufabot/internal/telegramtest"
	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/knowledge/faq"
	"github.com/pufabot/pufabot/store"
)

const (
	adminID   int64 = 9001
	staffChat int64 = -100200300
	alice     int64 = 1001  // a resident
	bob       int64 = 1002  // another resident
	village   int64 = -4242 // a village group
)

// fakeKB is a small, predictable knowledge base.
type fakeKB struct {
	mu        sync.Mutex
	questions []string
	articles  map[string]knowledge.Hit
	ranked    []knowledge.Hit // what Search returns, best first
	topics    []faq.Topic
}

func newFakeKB() *fakeKB {
	kb := &fakeKB{articles: map[string]knowledge.Hit{}}
	add := func(id, law string, n int, text string) knowledge.Hit {
		h := knowledge.Hit{ID: id, Law: law, Article: n, Citation: fmt.Sprintf("《%s》第%s条", law, faq.Numeral(n)),
			Headings: []string{"第一编 总则"}, Snippet: truncate(text, 40), Text: text}
		kb.articles[id] = h
		return h
	}
	add("a0001-1079", "中华人民共和国民法典", 1079, "夫妻一方要求离婚的，可以由有关组织进行调解或者直接向人民法院提起离婚诉讼。")
	add("a0001-1084", "中华人民共和国民法典", 1084, "父母与子女间的关系，不因父母离婚而消除。")
	var long []string
	for i := 1; i <= 40; i++ {
		long = append(long, fmt.Sprintf("（%d）%s", i, strings.Repeat("劳动者享有平等就业和选择职业的权利。", 8)))
	}
	add("a0002-3", "中华人民共和国劳动法", 3, strings.Join(long, "\n"))
	for i := 0; i < 10; i++ {
		kb.ranked = append(kb.ranked, add(fmt.Sprintf("a0003-%d", 50+i), "中华人民共和国劳动法", 50+i, fmt.Sprintf("第%d条的内容：工资应当以货币形式按月支付给劳动者本人。", 50+i)))
	}
	kb.topics = []faq.Topic{
		{ID: "anti-fraud", Name: "防范电信网络诈骗", Summary: "守好钱袋子。", Points: []string{"不转账给陌生人", "公检法不会电话办案"},
			Articles: []faq.ArticleRef{{Law: "民法典", Article: 1079}}},
		{ID: "family", Name: "婚姻家庭", Summary: "家和万事兴。", Points: []string{"离婚可以协议也可以诉讼"},
			Articles: []faq.ArticleRef{{Law: "民法典", Article: 1084}, {Law: "不存在法", Article: 1}}},
	}
	return kb
}

func (kb *fakeKB) asked() []string {
	kb.mu.Lock()
	defer kb.mu.Unlock()
	return append([]string(nil), kb.questions...)
}

func (kb *fakeKB) Answer(ctx context.Context, q string) (*knowledge.Answer, error) {
	kb.mu.Lock()
	kb.questions = append(kb.questions, q)
	kb.mu.Unlock()
	a := &knowledge.Answer{Question: q, Kind: knowledge.KindNone}
	switch talk, ok := knowledge.SmallTalk(q); {
	case ok:
		a.Kind, a.Talk = knowledge.KindSmallTalk, talk
	case strings.Contains(q, "第1079条"):
		a.Kind, a.Hits, a.Topic = knowledge.KindCitation, []knowledge.Hit{kb.articles["a0001-1079"]}, "family"
	case strings.Contains(q, "废止"):
		a.Kind, a.Hits = knowledge.KindCitation, []knowledge.Hit{kb.articles["a0001-1079"]}
		a.Notice = "《中华人民共和国婚姻法》已经废止。原第三十二条的内容，现在规定在《中华人民共和国民法典》第一千零七十九条。"
	case strings.Contains(q, "离婚"):
		a.Kind, a.Topic = knowledge.KindFAQ, "family"
		a.FAQ = &faq.Entry{ID: "divorce-how", Question: "怎么离婚？", Answer: "可以协议离婚，也可以到法院起诉离婚。"}
		a.Hits = []knowledge.Hit{kb.articles["a0001-1079"], {Law: "中华人民共和国民法典", Article: 1076, Citation: "《中华人民共和国民法典》第一千零七十六条"}}
	case strings.Contains(q, "工资"):
		a.Kind, a.Hits, a.More, a.Topic = knowledge.KindArticles, kb.ranked[:3], true, "labor"
		if strings.Contains(q, "欠") {
			a.Suggestions = []knowledge.Suggestion{{ID: "wage-arrears", Question: "老板拖欠工资不给，怎么讨？"}}
		}
	case strings.Contains(q, "法条"):
		// Like the real engine, a notice may quote the question.
		a.Notice = "知识库里没有找到“" + q + "”，请核对法律名称。"
	}
	return a, nil
}

func (kb *fakeKB) Search(ctx context.Context, q string, k, offset int) ([]knowledge.Hit, error) {
	if offset >= len(kb.ranked) {
		return nil, nil
	}
	return kb.ranked[offset:min(offset+k, len(kb.ranked))], nil
}

func (kb *fakeKB) Article(id string) (knowledge.Hit, bool) {
	h, ok := kb.articles[id]
	return h, ok
}

func (kb *fakeKB) LookupArticle(law string, n int, suffix string) (knowledge.Hit, bool) {
	for _, h := range kb.articles {
		if strings.HasSuffix(h.Law, law) && h.Article == n {
			return h, true
		}
	}
	return knowledge.Hit{}, false
}

func (kb *fakeKB) Topics() []faq.Topic { return kb.topics }

func (kb *fakeKB) FAQEntry(id string) (*knowledge.Answer, bool) {
	if id != "wage-arrears" {
		return nil, false
	}
	return &knowledge.Answer{Question: "老板拖欠工资不给，怎么讨？", Kind: knowledge.KindFAQ, Topic: "labour",
		FAQ: &faq.Entry{ID: id, Question: "老板拖欠工资不给，怎么讨？", Answer: "可以向劳动保障监察投诉，也可以申请劳动仲裁。"}}, true
}

func (kb *fakeKB) Topic(id string) (faq.Topic, bool) {
	for _, t := range kb.topics {
		if t.ID == id {
			return t, true
		}
	}
	return faq.Topic{}, false
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness runs a Bot against the fake Bot API on a temporary database.
type harness struct {
	t     *testing.T
	srv   *telegramtest.Server
	db    *store.DB
	path  string
	kb    Knowledge
	fkb   *fakeKB
	clock *testClock
	logs  *syncBuffer
	reg   *metrics.Registry
	opts  Options
	b     *Bot

	cancel context.CancelFunc
	done   chan error
}

func newHarness(t *testing.T, configure ...func(*Options)) *harness {
	t.Helper()
	h := &harness{
		t:     t,
		srv:   telegramtest.New(t),
		path:  filepath.Join(t.TempDir(), "pufabot.db"),
		fkb:   newFakeKB(),
		clock: &testClock{t: time.Date(2025, 3, 15, 2, 0, 0, 0, time.UTC)},
		logs:  &syncBuffer{},
		reg:   metrics.NewRegistry(),
	}
	h.kb = h.fkb
	h.openDB()
	h.opts = Options{
		Token:        h.srv.Token(),
		ServerURL:    h.srv.URL(),
		Admins:       []int64{adminID},
		StaffChat:    staffChat,
		Knowledge:    h.kb,
		Metrics:      h.reg,
		Logger:       slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:          h.clock.Now,
		PollTimeout:  2 * time.Second,
		DrainTimeout: 5 * time.Second,
	}
	for _, c := range configure {
		c(&h.opts)
	}
	t.Cleanup(func() {
		h.stop()
		h.db.Close()
	})
	return h
}

func (h *harness) openDB() {
	h.t.Helper()
	db, err := store.Open(h.path)
	if err != nil {
		h.t.Fatal(err)
	}
	db.Now = h.clock.Now
	h.db = db
}

// start creates the bot and runs it until Ready.
func (h *harness) start() *Bot {
	h.t.Helper()
	o := h.opts
	o.Store = h.db
	if o.Knowledge == nil {
		o.Knowledge = h.kb
	}
	b, err := New(o)
	if err != nil {
		h.t.Fatal(err)
	}
	h.b = b
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- b.Run(ctx) }()
	h.eventually("bot ready", b.Ready)
	return b
}

// stop stops the bot and waits for Run to return.
func (h *harness) stop() {
	h.t.Helper()
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run returned %v", err)
		}
	case <-time.After(30 * time.Second):
		h.t.Fatal("Run did not return after cancel")
	}
	if err := h.b.Close(); err != nil {
		h.t.Errorf("Close: %v", err)
	}
	if err := h.b.Close(); err != nil {
		h.t.Errorf("second Close: %v", err)
	}
}

// eventually waits (without asserting on time) until cond holds.
func (h *harness) eventually(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// handled waits until the update has been handled.
func (h *harness) handled(updateID int64) {
	h.t.Helper()
	h.eventually(fmt.Sprintf("update %d handled", updateID), func() bool {
		var done bool
		err := h.db.SQL().QueryRow(`SELECT done_at IS NOT NULL FROM telegram_updates WHERE update_id = ?`, updateID).Scan(&done)
		return err == nil && done
	})
}

// push sends a text message from user in chat and waits until handled.
func (h *harness) say(chat, user int64, text string) {
	h.t.Helper()
	h.handled(h.srv.PushMessage(chat, user, text))
}

// send pushes a hand-made update and waits until handled.
func (h *harness) send(u models.Update) {
	h.t.Helper()
	h.handled(h.srv.PushUpdate(u))
}

// sent returns what the bot sent to chat.
func (h *harness) sent(chat int64) []string { return h.srv.Sent(chat) }

// last returns the last text sent to chat.
func (h *harness) last(chat int64) string {
	h.t.Helper()
	s := h.srv.Sent(chat)
	if len(s) == 0 {
		h.t.Fatalf("nothing sent to chat %d", chat)
	}
	return s[len(s)-1]
}

// messages returns the messages the bot sent to chat, as edited since.
func (h *harness) messages(chat int64) []models.Message {
	var out []models.Message
	for id := 1; id < 5000; id++ {
		if m, ok := h.srv.Message(chat, id); ok {
			out = append(out, m)
		}
	}
	return out
}

// lastMessage returns the last message the bot sent to chat.
func (h *harness) lastMessage(chat int64) models.Message {
	h.t.Helper()
	ms := h.messages(chat)
	if len(ms) == 0 {
		h.t.Fatalf("no message in chat %d", chat)
	}
	return ms[len(ms)-1]
}

// button finds a button whose text starts with prefix in a message.
func (h *harness) button(m models.Message, prefix string) models.InlineKeyboardButton {
	h.t.Helper()
	if m.ReplyMarkup != nil {
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if strings.HasPrefix(b.Text, prefix) {
					return b
				}
			}
		}
	}
	h.t.Fatalf("no button %q in message %q (%+v)", prefix, m.Text, m.ReplyMarkup)
	return models.InlineKeyboardButton{}
}

func hasButton(m models.Message, prefix string) bool {
	if m.ReplyMarkup == nil {
		return false
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if strings.HasPrefix(b.Text, prefix) {
				return true
			}
		}
	}
	return false
}

// press presses a button of a message and waits until handled.
func (h *harness) press(chat, user int64, m models.Message, prefix string) {
	h.t.Helper()
	b := h.button(m, prefix)
	h.handled(h.srv.PushCallback(chat, user, m.ID, b.CallbackData))
}

// callbackAnswers returns the texts of answerCallbackQuery calls.
func (h *harness) callbackAnswers() []string {
	var out []string
	for _, c := range h.srv.Calls("answerCallbackQuery") {
		out = append(out, c.Form.Get("text"))
	}
	return out
}

// groupMessage builds a group message update.
func groupMessage(id int, user int64, text string, entities ...models.MessageEntity) models.Update {
	return models.Update{Message: &models.Message{
		ID: id, From: &models.User{ID: user, FirstName: "村民"}, Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: village, Type: models.ChatTypeGroup, Title: "石桥村村民群"}, Text: text, Entities: entities,
	}}
}

func contains(t *testing.T, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Fatalf("message does not contain %q:\n%s", want, got)
	}
}

func notContains(t *testing.T, got, unwanted string) {
	t.Helper()
	if strings.Contains(got, unwanted) {
		t.Fatalf("message contains %q:\n%s", unwanted, got)
	}
}

// setHook installs a function run before each update is handled.
func (b *Bot) setHook(fn func(*updateItem)) { b.beforeHandle.Store(&fn) }
