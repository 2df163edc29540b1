package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pufabot/pufabot/store"
)

// login uses a fresh console link in client c.
func (h *harness) login(c *http.Client) {
	h.t.Helper()
	link, err := h.srv.NewConsoleLink(context.Background(), adminID)
	if err != nil {
		h.t.Fatal(err)
	}
	u, _ := url.Parse(link)
	tok := u.Query().Get("token")
	if r := h.get(c, "/staff/login?token="+tok); r.status != http.StatusOK || !strings.Contains(r.body, "登录工作台") {
		h.t.Fatalf("login page: %d", r.status)
	}
	r := h.form(c, "/staff/login", url.Values{"token": {tok}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/" {
		h.t.Fatalf("login: %d %s", r.status, r.body)
	}
}

func TestConsoleNeedsASession(t *testing.T) {
	h := newHarness(t)
	c := h.browser()
	for _, p := range []string{"/staff/", "/staff/tickets/1", "/staff/report", "/staff/report/download?format=csv", "/staff/broadcast", "/staff/campaigns", "/staff/laws", "/staff/faq"} {
		if r := h.get(c, p); r.status != http.StatusUnauthorized {
			t.Fatalf("GET %s without session: %d", p, r.status)
		}
	}
	for _, p := range []string{"/staff/tickets/1/reply", "/staff/tickets/1/close", "/staff/broadcast", "/staff/logout"} {
		if r := h.form(c, p, url.Values{"text": {"x"}, "confirm": {"1"}}); r.status != http.StatusUnauthorized {
			t.Fatalf("POST %s without session: %d", p, r.status)
		}
	}
	// A forged cookie is no session either.
	u, _ := url.Parse(h.ts.URL + "/staff/")
	c.Jar.SetCookies(u, []*http.Cookie{{Name: staffCookie, Value: strings.Repeat("a", 64)}})
	if r := h.get(c, "/staff/"); r.status != http.StatusUnauthorized {
		t.Fatalf("forged cookie: %d", r.status)
	}
	if len(h.bc.sent) != 0 {
		t.Fatal("a broadcast went out without a session")
	}
}

func TestConsoleLinkIsOneTimeAndExpires(t *testing.T) {
	h := newHarness(t)
	if _, err := h.srv.NewConsoleLink(context.Background(), 4242); err == nil {
		t.Fatal("a link for a user who is not staff")
	}
	c := h.browser()
	h.login(c)
	r := h.get(c, "/staff/")
	if r.status != http.StatusOK || !strings.Contains(r.body, "待办工单") {
		t.Fatalf("console: %d", r.status)
	}
	if ck := r.header.Get("Cache-Control"); ck != "no-store" {
		t.Fatalf("console cache-control %q", ck)
	}

	link, _ := h.srv.NewConsoleLink(context.Background(), adminID)
	tok := strings.SplitN(link, "token=", 2)[1]
	if r := h.form(h.browser(), "/staff/login", url.Values{"token": {tok}}); r.status != http.StatusSeeOther {
		t.Fatalf("first use: %d", r.status)
	}
	if r := h.form(h.browser(), "/staff/login", url.Values{"token": {tok}}); r.status != http.StatusForbidden {
		t.Fatalf("second use: %d", r.status)
	}

	link, _ = h.srv.NewConsoleLink(context.Background(), adminID)
	tok = strings.SplitN(link, "token=", 2)[1]
	h.clock.Add(11 * time.Minute)
	if r := h.form(h.browser(), "/staff/login", url.Values{"token": {tok}}); r.status != http.StatusForbidden {
		t.Fatalf("expired link: %d", r.status)
	}

	// The session lasts 12 hours.
	h.clock.Add(StaffSessionTTL)
	if r := h.get(c, "/staff/"); r.status != http.StatusUnauthorized {
		t.Fatalf("session after 12h: %d", r.status)
	}
}

func TestConsoleCookieIsHttpOnlyStrict(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.BaseURL = "https://pufa.example" })
	link, _ := h.srv.NewConsoleLink(context.Background(), adminID)
	tok := strings.SplitN(link, "token=", 2)[1]
	r := h.form(h.browser(), "/staff/login", url.Values{"token": {tok}})
	ck := r.header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "Secure", "SameSite=Strict", "Max-Age=43200"} {
		if !strings.Contains(ck, want) {
			t.Fatalf("cookie %q lacks %s", ck, want)
		}
	}
}

func TestConsoleRepliesReachBothChannels(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	const resident int64 = 1001
	tgTicket, err := h.db.OpenTicket(ctx, store.Ticket{ChatID: resident, Resident: "r1", Question: "工伤怎么认定"})
	if err != nil {
		t.Fatal(err)
	}
	web := h.browser()
	r := h.postJSON(web, "/api/v1/handover", map[string]any{"question": "土地承包到期怎么办"})
	webTicket := int64(r.json(t)["ticket"].(float64))

	staff := h.browser()
	h.login(staff)
	list := h.get(staff, "/staff/")
	if !strings.Contains(list.body, "工伤怎么认定") || !strings.Contains(list.body, "土地承包到期怎么办") {
		t.Fatalf("ticket list: %s", list.body)
	}
	page := h.get(staff, fmt.Sprintf("/staff/tickets/%d", webTicket))
	if !strings.Contains(page.body, "（网页）") {
		t.Fatalf("web ticket page: %s", page.body)
	}

	r = h.form(staff, fmt.Sprintf("/staff/tickets/%d/reply", tgTicket), url.Values{"text": {"请带上病历到人社局申请工伤认定。"}})
	if r.status != http.StatusSeeOther || strings.Contains(r.header.Get("Location"), "error") {
		t.Fatalf("reply: %d %s", r.status, r.header.Get("Location"))
	}
	if sent := h.tg.Sent(resident); len(sent) != 1 || !strings.Contains(sent[0], "请带上病历到人社局申请工伤认定。") {
		t.Fatalf("resident got %q", sent)
	}
	r = h.form(staff, fmt.Sprintf("/staff/tickets/%d/reply", webTicket), url.Values{"text": {"承包期届满可以延长。"}})
	if strings.Contains(r.header.Get("Location"), "error") {
		t.Fatalf("web reply: %s", r.header.Get("Location"))
	}
	v := h.get(web, fmt.Sprintf("/api/v1/tickets/%d", webTicket)).json(t)
	if rs := v["replies"].([]any); len(rs) != 1 {
		t.Fatalf("web ticket replies %v", v)
	}
	// Closing tells the Telegram resident; the page shows the status.
	h.form(staff, fmt.Sprintf("/staff/tickets/%d/close", tgTicket), nil)
	if t1, _ := h.db.GetTicket(ctx, tgTicket); t1.Status != store.TicketClosed {
		t.Fatalf("status %s", t1.Status)
	}
	if sent := h.tg.Sent(resident); len(sent) != 2 || !strings.Contains(sent[1], "办结") {
		t.Fatalf("resident got %q", sent)
	}
}

func TestConsoleBroadcastNeedsConfirmation(t *testing.T) {
	h := newHarness(t)
	staff := h.browser()
	h.login(staff)
	r := h.form(staff, "/staff/broadcast", url.Values{"text": {"12月4日是国家宪法日 <b>"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "预览") || !strings.Contains(r.body, "确认群发") {
		t.Fatalf("preview: %d", r.status)
	}
	if len(h.bc.sent) != 0 {
		t.Fatal("sent before confirmation")
	}
	r = h.form(staff, "/staff/broadcast", url.Values{"text": {"12月4日是国家宪法日 <b>"}, "confirm": {"1"}})
	if r.status != http.StatusSeeOther || len(h.bc.sent) != 1 || h.bc.sent[0] != "12月4日是国家宪法日 &lt;b&gt;" {
		t.Fatalf("confirm: %d %q", r.status, h.bc.sent)
	}
	if r := h.get(staff, "/staff/campaigns"); !strings.Contains(r.body, "宪法宣传周") {
		t.Fatal("campaign status missing")
	}
}

func TestConsoleReportsDownload(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := h.db.RecordConsultation(ctx, store.Consultation{At: h.clock.Now().Add(-time.Hour), Resident: "web-x", Channel: "web", AnswerKind: "articles", Topic: "family"}); err != nil {
			t.Fatal(err)
		}
	}
	staff := h.browser()
	h.login(staff)
	r := h.get(staff, "/staff/report?from=2026-01-01&to=2026-12-31")
	if r.status != http.StatusOK || !strings.Contains(r.body, "网页咨询") {
		t.Fatalf("report page: %d %s", r.status, r.body)
	}
	for format, magic := range map[string]string{"csv": "\ufeff", "xlsx": "PK", "png": "\x89PNG"} {
		d := h.get(staff, "/staff/report/download?from=2026-01-01&to=2026-12-31&format="+format)
		if d.status != http.StatusOK || !strings.HasPrefix(d.body, magic) || !strings.Contains(d.header.Get("Content-Disposition"), "."+format) {
			t.Fatalf("%s download: %d %q", format, d.status, d.header)
		}
	}
	if r := h.get(staff, "/staff/report?from=2026-13-01"); !strings.Contains(r.body, "开始日期") {
		t.Fatal("bad date not explained")
	}
	if r := h.get(staff, "/staff/laws"); r.status != http.StatusOK || !strings.Contains(r.body, "治安管理处罚法") || !strings.Contains(r.body, "请导入新文本") {
		t.Fatalf("laws page: %d %s", r.status, r.body)
	}
	if r := h.get(staff, "/staff/faq"); r.status != http.StatusOK || !strings.Contains(r.body, "被骗") {
		t.Fatalf("faq page: %d", r.status)
	}
}

func TestUseConsoleLinkRace(t *testing.T) {
	h := newHarness(t)
	link, _ := h.srv.NewConsoleLink(context.Background(), adminID)
	tok := strings.SplitN(link, "token=", 2)[1]
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			_, _, err := h.db.UseConsoleLink(context.Background(), tok, time.Hour)
			errs <- err
		}()
	}
	ok := 0
	for i := 0; i < 8; i++ {
		err := <-errs
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrLinkUsed) && !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy"):
			t.Fatalf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d logins with one link", ok)
	}
}
