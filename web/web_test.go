package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pufabot/pufabot/bot"
	"github.com/pufabot/pufabot/internal/telegramtest"
	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/store"
)

const (
	adminID   int64 = 9001
	staffChat int64 = -100200300
)

// engine is one real knowledge base over the test fixture laws and the
// starter FAQ, shared by the package's tests.
var (
	engineOnce sync.Once
	engine     *knowledge.Engine
	engineErr  error
	engineDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if engine != nil {
		engine.Close()
	}
	if engineDir != "" {
		os.RemoveAll(engineDir)
	}
	os.Exit(code)
}

func testEngine(tb testing.TB) *knowledge.Engine {
	tb.Helper()
	engineOnce.Do(func() {
		engineDir, engineErr = os.MkdirTemp("", "pufabot-web-test")
		if engineErr != nil {
			return
		}
		engine, engineErr = knowledge.Open(context.Background(), knowledge.Options{
			DataDir: engineDir,
			Laws:    []string{filepath.Join("..", "knowledge", "testdata", "laws")},
		})
	})
	if engineErr != nil {
		tb.Fatalf("knowledge: %v", engineErr)
	}
	return engine
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type harness struct {
	t     *testing.T
	srv   *Server
	ts    *httptest.Server
	db    *store.DB
	tg    *telegramtest.Server
	bot   *bot.Bot
	clock *clock
	bc    *fakeBroadcaster
}

// testWriter sends log lines to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

type fakeBroadcaster struct {
	mu   sync.Mutex
	sent []string
}

func (f *fakeBroadcaster) Broadcast(ctx context.Context, staff int64, html string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, html)
	return int64(len(f.sent)), nil
}

func (f *fakeBroadcaster) Status(ctx context.Context) (string, error) {
	return "宪法宣传周：下次 2026-12-01 09:00", nil
}

func newHarness(t *testing.T, edit ...func(*Options)) *harness {
	t.Helper()
	h := &harness{t: t, clock: &clock{t: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)}, bc: &fakeBroadcaster{}}
	db, err := store.Open(filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Now = h.clock.Now
	t.Cleanup(func() { db.Close() })
	h.db = db
	h.tg = telegramtest.New(t)
	b, err := bot.New(bot.Options{
		Token: h.tg.Token(), ServerURL: h.tg.URL(), Store: db, Knowledge: testEngine(t),
		Admins: []int64{adminID}, StaffChat: staffChat, Now: h.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.bot = b
	o := Options{
		Store: db, Knowledge: testEngine(t), Desk: func() Desk { return b }, Broadcaster: h.bc,
		Admins: []int64{adminID}, BaseURL: "http://pufa.example", Office: "石桥镇司法所", Now: h.clock.Now,
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil)),
	}
	for _, e := range edit {
		e(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	h.srv = srv
	h.ts = httptest.NewServer(srv)
	t.Cleanup(h.ts.Close)
	return h
}

// browser is a client with its own cookies, like one phone.
func (h *harness) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type resp struct {
	status int
	header http.Header
	body   string
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("not JSON (%d): %s", r.status, r.body)
	}
	return m
}

// do sends a request as the page's own script or form would (same origin).
func (h *harness) do(c *http.Client, method, path, ctype, body string, hdr ...string) resp {
	h.t.Helper()
	req, err := http.NewRequest(method, h.ts.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if method == http.MethodPost {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", h.ts.URL)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, string(b)}
}

func (h *harness) postJSON(c *http.Client, path string, v any) resp {
	h.t.Helper()
	b, _ := json.Marshal(v)
	return h.do(c, http.MethodPost, path, "application/json", string(b))
}

func (h *harness) form(c *http.Client, path string, vals url.Values, hdr ...string) resp {
	h.t.Helper()
	return h.do(c, http.MethodPost, path, "application/x-www-form-urlencoded", vals.Encode(), hdr...)
}

func (h *harness) get(c *http.Client, path string, hdr ...string) resp {
	h.t.Helper()
	return h.do(c, http.MethodGet, path, "", "", hdr...)
}

func TestAskAPIReturnsTheAskJSONObjectAndCountsAWebConsultation(t *testing.T) {
	h := newHarness(t)
	c := h.browser()
	r := h.postJSON(c, "/api/v1/ask", map[string]string{"question": "民法典第1079条"})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	got := r.json(t)
	if got["kind"] != "citation" {
		t.Fatalf("kind %v", got["kind"])
	}
	hits := got["hits"].([]any)
	if len(hits) == 0 || !strings.Contains(hits[0].(map[string]any)["citation"].(string), "第一千零七十九条") {
		t.Fatalf("hits %v", hits)
	}
	// The same object as `pufabot ask --json`, plus the consultation id.
	a, err := testEngine(t).Answer(context.Background(), "民法典第1079条")
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(knowledge.View(a))
	var want map[string]any
	json.Unmarshal(wantJSON, &want)
	id := got["consultation"]
	delete(got, "consultation")
	if g, w := fmt.Sprint(got), fmt.Sprint(want); g != w {
		t.Fatalf("API answer differs from ask --json:\n got %s\nwant %s", g, w)
	}
	cons, err := h.db.GetConsultation(context.Background(), int64(id.(float64)))
	if err != nil {
		t.Fatal(err)
	}
	if cons.Channel != "web" || cons.AnswerKind != "citation" || cons.Question != "民法典第1079条" || !strings.HasPrefix(cons.Resident, "web-") {
		t.Fatalf("consultation %+v", cons)
	}
	if ck := r.header.Get("Set-Cookie"); !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Lax") {
		t.Fatalf("session cookie %q", ck)
	}
}

func TestFormWorksWithoutJavaScript(t *testing.T) {
	h := newHarness(t)
	c := h.browser()
	home := h.get(c, "/")
	for _, want := range []string{`<meta name="viewport"`, `<form class="ask" method="post" action="/ask"`, `name="q"`, "石桥镇司法所"} {
		if !strings.Contains(home.body, want) {
			t.Fatalf("home page lacks %q", want)
		}
	}
	r := h.form(c, "/ask", url.Values{"q": {"民法典第1079条"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "第一千零七十九条") || !strings.Contains(r.body, "查看全文") {
		t.Fatalf("answer page %d: %s", r.status, r.body)
	}
	// The full text is a plain link.
	i := strings.Index(r.body, `href="/articles/`)
	if i < 0 {
		t.Fatal("no full-text link")
	}
	link := r.body[i+6:]
	link = link[:strings.IndexByte(link, '"')]
	art := h.get(c, link)
	if art.status != http.StatusOK || !strings.Contains(art.body, "夫妻一方要求离婚的") {
		t.Fatalf("article page %d: %s", art.status, art.body)
	}
	// The script asks for the card alone.
	frag := h.form(c, "/ask", url.Values{"q": {"民法典第1079条"}}, "X-Fragment", "1")
	if strings.Contains(frag.body, "<html") || !strings.Contains(frag.body, `class="card"`) {
		t.Fatalf("fragment: %s", frag.body)
	}
}

// TestSmallTalkAndChatterCards: a greeting gets the small-talk reply with
// nothing to rate; chatter the not-found text with a person to turn to.
func TestSmallTalkAndChatterCards(t *testing.T) {
	h := newHarness(t)
	c := h.browser()
	r := h.form(c, "/ask", url.Values{"q": {"你好"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "普法小助手") || strings.Contains(r.body, "有帮助") || strings.Contains(r.body, "没有找到") {
		t.Fatalf("small talk page %d: %s", r.status, r.body)
	}
	r = h.form(c, "/ask", url.Values{"q": {"今天晚饭吃什么好呢"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "没有找到") || !strings.Contains(r.body, "12348") || !strings.Contains(r.body, "转人工") {
		t.Fatalf("chatter page %d: %s", r.status, r.body)
	}
	if strings.Contains(r.body, "有帮助") || strings.Contains(r.body, "没帮助") {
		t.Errorf("chatter page asks for feedback: %s", r.body)
	}
	r = h.form(c, "/ask", url.Values{"q": {"有个事想问问"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "您请说") || strings.Contains(r.body, "没有找到") {
		t.Fatalf("opening page %d: %s", r.status, r.body)
	}
}

func TestHTMLInQuestionsIsEscaped(t *testing.T) {
	h := newHarness(t)
	c := h.browser()
	r := h.form(c, "/ask", url.Values{"q": {`<script>alert(1)</script><img src=x onerror=alert(2)>`}})
	if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") {
		t.Fatalf("question not escaped: %s", r.body)
	}
	if !strings.Contains(r.body, "&lt;script&gt;") {
		t.Fatalf("question not shown escaped: %s", r.body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/", "/api/v1/articles/nope", "/staff/"} {
		r := h.get(h.browser(), path)
		csp := r.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Fatalf("%s: CSP %q", path, csp)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s: no nosniff", path)
		}
	}
	// No inline script anywhere on the page: the CSP would block it.
	if body := h.get(h.browser(), "/").body; strings.Contains(body, "<script>") || strings.Contains(body, "onclick=") {
		t.Fatal("inline script on the page")
	}
}

func TestCrossSitePostsAreRefused(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/api/v1/ask", "/ask", "/api/v1/handover", "/staff/login"} {
		req, _ := http.NewRequest(http.MethodPost, h.ts.URL+path, strings.NewReader(`{"question":"借钱不还怎么办"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("%s: cross-site POST got %d", path, res.StatusCode)
		}
	}
}

func TestQuestionAndBodyLimits(t *testing.T) {
	h := newHarness(t)
	c := h.browser()
	r := h.postJSON(c, "/api/v1/ask", map[string]string{"question": strings.Repeat("借", MaxQuestionRunes+1)})
	if r.status != http.StatusBadRequest || !strings.Contains(r.json(t)["error"].(string), "2000") {
		t.Fatalf("long question: %d %s", r.status, r.body)
	}
	r = h.do(c, http.MethodPost, "/api/v1/ask", "application/json", `{"question":"`+strings.Repeat("a", 40<<10)+`"}`)
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("huge body: %d %s", r.status, r.body)
	}
	for _, body := range []string{`{`, `{"question": 5}`, `{"q":"x"}`, ``} {
		r = h.do(c, http.MethodPost, "/api/v1/ask", "application/json", body)
		if r.status != http.StatusBadRequest || r.json(t)["error"] == "" {
			t.Fatalf("bad body %q: %d %s", body, r.status, r.body)
		}
	}
	r = h.postJSON(c, "/api/v1/ask", map[string]string{"question": "  \n "})
	if r.status != http.StatusBadRequest {
		t.Fatalf("empty question: %d", r.status)
	}
}

func TestRateLimitAllowsABurstThenSaysWhen(t *testing.T) {
	h := newHarness(t)
	c := h.browser()
	for i := 0; i < 10; i++ {
		if r := h.postJSON(c, "/api/v1/ask", map[string]string{"question": "借钱不还怎么办"}); r.status != http.StatusOK {
			t.Fatalf("question %d refused: %d %s", i+1, r.status, r.body)
		}
	}
	r := h.postJSON(c, "/api/v1/ask", map[string]string{"question": "借钱不还怎么办"})
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.json(t)["error"].(string), "秒") {
		t.Fatalf("11th question: %d %s", r.status, r.body)
	}
	// Another resident is not held up by the first.
	if r := h.postJSON(h.browser(), "/api/v1/ask", map[string]string{"question": "借钱不还怎么办"}); r.status != http.StatusOK {
		t.Fatalf("other session: %d", r.status)
	}
	h.clock.Add(10 * time.Second)
	if r := h.postJSON(c, "/api/v1/ask", map[string]string{"question": "借钱不还怎么办"}); r.status != http.StatusOK {
		t.Fatalf("after waiting: %d", r.status)
	}
}

func TestFeedbackOnlyOnOwnConsultations(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.browser(), h.browser()
	id := h.postJSON(alice, "/api/v1/ask", map[string]string{"question": "被电信诈骗了怎么办"}).json(t)["consultation"]
	if r := h.postJSON(bob, "/api/v1/feedback", map[string]any{"consultation": id, "helpful": true}); r.status != http.StatusNotFound {
		t.Fatalf("feedback on another's consultation: %d", r.status)
	}
	if r := h.postJSON(alice, "/api/v1/feedback", map[string]any{"consultation": id, "helpful": true}); r.status != http.StatusOK {
		t.Fatalf("feedback: %d %s", r.status, r.body)
	}
	cons, _ := h.db.GetConsultation(context.Background(), int64(id.(float64)))
	if cons.Feedback != store.FeedbackHelpful {
		t.Fatalf("feedback stored %d", cons.Feedback)
	}
}

func TestHandOverReachesStaffChatAndTheReplyTheResident(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.browser(), h.browser()
	id := h.postJSON(alice, "/api/v1/ask", map[string]string{"question": "邻居占了我家宅基地怎么办"}).json(t)["consultation"]
	r := h.postJSON(alice, "/api/v1/handover", map[string]any{"consultation": id, "contact": "138 0000 0000"})
	if r.status != http.StatusOK {
		t.Fatalf("handover: %d %s", r.status, r.body)
	}
	ticket := int64(r.json(t)["ticket"].(float64))
	sent := h.tg.Sent(staffChat)
	if len(sent) != 1 || !strings.Contains(sent[0], fmt.Sprintf("工单 #%d", ticket)) || !strings.Contains(sent[0], "宅基地") || !strings.Contains(sent[0], "138 0000 0000") {
		t.Fatalf("staff chat got %q", sent)
	}
	path := fmt.Sprintf("/api/v1/tickets/%d", ticket)
	h.postJSON(bob, "/api/v1/ask", map[string]string{"question": "你好"}) // bob has a session of his own
	if r := h.get(bob, path); r.status != http.StatusForbidden {
		t.Fatalf("another session read the ticket: %d %s", r.status, r.body)
	}
	if r := h.get(&http.Client{}, path); r.status != http.StatusNotFound {
		t.Fatalf("no session read the ticket: %d", r.status)
	}
	if err := h.bot.ReplyToTicket(context.Background(), ticket, adminID, "请带上<宅基地证>来司法所。"); err != nil {
		t.Fatal(err)
	}
	got := h.get(alice, path)
	if got.status != http.StatusOK {
		t.Fatalf("own ticket: %d", got.status)
	}
	v := got.json(t)
	replies := v["replies"].([]any)
	if v["status"] != "answered" || len(replies) != 1 || replies[0].(map[string]any)["text"] != "请带上<宅基地证>来司法所。" {
		t.Fatalf("ticket %v", v)
	}
	page := h.get(alice, fmt.Sprintf("/tickets/%d", ticket))
	if !strings.Contains(page.body, "请带上&lt;宅基地证&gt;来司法所。") {
		t.Fatalf("ticket page: %s", page.body)
	}
	// A web ticket never gets a Telegram message: there is no chat.
	if n := len(h.tg.Calls("sendMessage")); n != 1 {
		t.Fatalf("%d sendMessage calls, want only the staff announcement", n)
	}
}

func TestHandOverWithoutJavaScript(t *testing.T) {
	h := newHarness(t)
	c := h.browser()
	r := h.form(c, "/human", url.Values{"question": {"儿子不给赡养费"}, "contact": {""}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/tickets/") {
		t.Fatalf("hand-over form: %d %v", r.status, r.header)
	}
	page := h.get(c, r.header.Get("Location"))
	if page.status != http.StatusOK || !strings.Contains(page.body, "儿子不给赡养费") || !strings.Contains(page.body, "等待工作人员回复") {
		t.Fatalf("ticket page %d: %s", page.status, page.body)
	}
}

func TestHandOverWithoutBotSaysWhereToTurn(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.Desk = func() Desk { return nil } })
	r := h.postJSON(h.browser(), "/api/v1/handover", map[string]any{"question": "欠钱不还"})
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.json(t)["error"].(string), "12348") {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestTopicAndPrivacyPages(t *testing.T) {
	h := newHarness(t)
	c := h.browser()
	list := h.get(c, "/topics")
	if list.status != http.StatusOK || !strings.Contains(list.body, "防范电信网络诈骗") {
		t.Fatalf("topics: %d", list.status)
	}
	if r := h.get(c, "/topics/anti-fraud"); r.status != http.StatusOK || !strings.Contains(r.body, "要点") {
		t.Fatalf("topic: %d", r.status)
	}
	if r := h.get(c, "/topics/nope"); r.status != http.StatusNotFound {
		t.Fatalf("unknown topic: %d", r.status)
	}
	if r := h.get(c, "/privacy"); !strings.Contains(r.body, "不记录您的IP地址") {
		t.Fatal("privacy note")
	}
}

func TestLargeTypeWorksWithoutJavaScript(t *testing.T) {
	h := newHarness(t)
	c := h.browser()
	h.get(c, "/?big=1")
	if !strings.Contains(h.get(c, "/").body, `<html lang="zh-CN" class="big">`) {
		t.Fatal("large type not kept")
	}
	h.get(c, "/?big=0")
	if strings.Contains(h.get(c, "/").body, `class="big"`) {
		t.Fatal("large type not switched off")
	}
}

func TestPageWeight(t *testing.T) {
	h := newHarness(t)
	c := h.browser()
	total := 0
	for _, p := range []string{"/", "/static/app.css", "/static/app.js"} {
		r := h.get(c, p)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", p, r.status)
		}
		total += len(r.body)
	}
	t.Logf("page weight: %d bytes", total)
	if total > 150<<10 {
		t.Fatalf("page weighs %d bytes, over 150 KB", total)
	}
}

func TestCurrencyWarningsShowOnThePage(t *testing.T) {
	h := newHarness(t)
	const q = "民营经济促进法是怎么规定的"
	a, err := testEngine(t).Answer(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Currency) == 0 {
		t.Fatal("the engine gives no currency note for a law that is not loaded")
	}
	r := h.form(h.browser(), "/ask", url.Values{"q": {q}})
	if !strings.Contains(r.body, a.Currency[0].Text) {
		t.Fatalf("page lacks the currency warning %q:\n%s", a.Currency[0].Text, r.body)
	}
}

// TestNotLoadedArticleHasNoFullTextLink: an article a curated answer cites
// whose text is not loaded is said to be so, with no link to a page that
// cannot exist.
func TestNotLoadedArticleHasNoFullTextLink(t *testing.T) {
	h := newHarness(t)
	c := h.browser()
	r := h.form(c, "/ask", url.Values{"q": {"老板拖欠工资不给，怎么讨？"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "劳动保障监察条例") {
		t.Fatalf("answer page %d: %s", r.status, r.body)
	}
	if !strings.Contains(r.body, knowledge.NotLoadedNote) {
		t.Errorf("page does not say the text is not loaded: %s", r.body)
	}
	if strings.Contains(r.body, `href="/articles/"`) {
		t.Errorf("page links to an article without an id: %s", r.body)
	}
}
