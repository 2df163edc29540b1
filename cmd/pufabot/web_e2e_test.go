package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/pufabot/pufabot/internal/telegramtest"
)

// chromiumPath finds a Chromium for the browser tests; .ci/run installs
// Debian's package.
func chromiumPath() string {
	if p := os.Getenv("PUFABOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// e2eOutDir is where screenshots go: $PUFABOT_E2E_OUT, or a folder under
// the system temp dir that outlives the test for a person to look at.
func e2eOutDir(t *testing.T) string {
	dir := os.Getenv("PUFABOT_E2E_OUT")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "pufabot-e2e")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// browserCtx starts a headless Chromium with its own profile.
func browserCtx(t *testing.T, parent context.Context, exe string) context.Context {
	t.Helper()
	profile, err := os.MkdirTemp("", "pufabot-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
	)
	actx, cancelA := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelA()
		// Chromium's helpers may still be writing to the profile for a
		// moment after the browser is gone.
		for i := 0; i < 50; i++ {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	// What the page's script says goes to the test log, to explain a
	// failure.
	chromedp.ListenTarget(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *cdpruntime.EventConsoleAPICalled:
			for _, a := range ev.Args {
				t.Logf("browser console: %s %s", ev.Type, a.Value)
			}
		case *cdpruntime.EventExceptionThrown:
			t.Logf("browser exception: %s", ev.ExceptionDetails.Error())
		}
	})
	return ctx
}

// shoot saves a full-page screenshot at a size and checks it is not blank.
func shoot(t *testing.T, ctx context.Context, dir, name string, w, h int64) {
	t.Helper()
	var buf []byte
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(w, h), chromedp.Sleep(200*time.Millisecond), chromedp.FullScreenshot(&buf, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if dark := inkShare(img); dark < 0.01 {
		t.Fatalf("screenshot %s looks blank (%.2f%% ink)", path, dark*100)
	}
	t.Logf("screenshot %s", path)
}

// inkShare is the share of pixels that are clearly not background.
func inkShare(img image.Image) float64 {
	b := img.Bounds()
	ink, all := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if (r+g+bl)/3 < 0xb000 {
				ink++
			}
			all++
		}
	}
	return float64(ink) / float64(all)
}

// The browser test's staff member and staff group.
const (
	adminUser  int64 = 7001
	staffGroup int64 = -100880
)

// jsClick clicks an element the way a tap does, through the page: a click
// at screen coordinates can miss while the page still moves.
func jsClick(sel string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.WaitVisible(sel, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector(`+strconv.Quote(sel)+`).click()`, nil),
	}
}

// emulateNoScript turns JavaScript off in the page, as some phones have it.
func emulateNoScript() chromedp.Action {
	return emulation.SetScriptExecutionDisabled(true)
}

var consoleLinkRe = regexp.MustCompile(`http://[0-9.:]+/staff/login\?token=[0-9a-f]{64}`)

// TestWebEndToEndInChromium drives the real pages in a real browser: a
// resident asks, reads the full text, rates the answer and asks for a
// person; a staff member logs in through the /console link the bot sends
// and answers; the resident's page shows the reply.
func TestWebEndToEndInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	exe := chromiumPath()
	if exe == "" {
		t.Skip("chromium not installed (apt-get install chromium fonts-noto-cjk); set PUFABOT_CHROMIUM to use another")
	}
	out := e2eOutDir(t)
	tg := telegramtest.New(t)
	logs := &syncBuffer{}
	s := testServer(t, tg, logs)
	addr := freePort(t)
	s.cfg.HTTP.Listen = addr
	s.cfg.Web.URL = "http://" + addr
	s.cfg.Telegram.Admins = []int64{adminUser}
	s.cfg.Telegram.StaffChat = staffGroup
	s.cfg.Knowledge.Laws = []string{filepath.Join("..", "..", "knowledge", "testdata", "laws")}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	runErr := start(t, ctx, s)
	waitHealthy(t, s, runErr)
	base := "http://" + addr

	// The resident, on a phone.
	res := browserCtx(t, ctx, exe)
	var text string
	err := chromedp.Run(res,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/"),
		// The page works without its script, so a click before the script
		// has run would follow the plain link instead: wait for it.
		chromedp.WaitReady(`html[data-js="ready"]`, chromedp.ByQuery),
		chromedp.SendKeys(`#q`, "民法典第1079条", chromedp.ByQuery),
		jsClick(`#ask-form button`),
		chromedp.WaitVisible(`#chat .card .hit`, chromedp.ByQuery),
		chromedp.Text(`#chat .card`, &text, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("asking: %v\n%s", err, logs)
	}
	if !strings.Contains(text, "第一千零七十九条") {
		t.Fatalf("answer card: %q", text)
	}
	err = chromedp.Run(res,
		jsClick(`#chat .card a[data-article]`),
		chromedp.WaitVisible(`#chat .card .article-text`, chromedp.ByQuery),
		chromedp.Text(`#chat .card .article-text`, &text, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(text, "夫妻一方要求离婚的") {
		t.Fatalf("full text: %v %q", err, text)
	}
	err = chromedp.Run(res,
		jsClick(`#chat .card button[data-feedback="1"]`),
		chromedp.Poll(`document.querySelector("#chat .card .status").textContent.includes("谢谢")`, nil, chromedp.WithPollingTimeout(time.Minute)),
	)
	if err != nil {
		var status string
		_ = chromedp.Run(res, chromedp.OuterHTML(`#chat`, &status, chromedp.ByQuery))
		t.Fatalf("feedback: %v (the card says %q)\n%s", err, status, logs)
	}
	shoot(t, res, out, "resident-phone", 390, 844)
	err = chromedp.Run(res,
		jsClick(`#chat .card a[data-human]`),
		chromedp.WaitVisible(`#chat .card form.handover button`, chromedp.ByQuery),
		chromedp.SendKeys(`#chat .card form.handover input[name=contact]`, "13800000000", chromedp.ByQuery),
		jsClick(`#chat .card form.handover button`),
		chromedp.Poll(`document.querySelector("#chat .card .status").textContent.includes("工单号")`, nil, chromedp.WithPollingTimeout(time.Minute)),
		chromedp.Text(`#chat .card .status`, &text, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("hand-over: %v", err)
	}
	m := regexp.MustCompile(`#(\d+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no ticket number in %q", text)
	}
	ticket := m[1]
	if !waitSent(tg, staffGroup, "工单 #"+ticket, 10*time.Second) {
		t.Fatalf("ticket #%s never reached the staff chat: %q", ticket, tg.Sent(staffGroup))
	}

	// The staff member asks the bot for a console link.
	tg.PushMessage(adminUser, adminUser, "/console")
	var link string
	deadline := time.Now().Add(20 * time.Second)
	for link == "" && time.Now().Before(deadline) {
		for _, m := range tg.Sent(adminUser) {
			if l := consoleLinkRe.FindString(m); l != "" {
				link = l
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if link == "" {
		t.Fatalf("no console link sent: %q", tg.Sent(adminUser))
	}
	staff := browserCtx(t, ctx, exe)
	err = chromedp.Run(staff,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(link),
		jsClick(`form[action="/staff/login"] button`),
		chromedp.WaitVisible(`a[href="/staff/tickets/`+ticket+`"]`, chromedp.ByQuery),
		jsClick(`a[href="/staff/tickets/`+ticket+`"]`),
		chromedp.WaitVisible(`#reply-form textarea`, chromedp.ByQuery),
		chromedp.Text(`main`, &text, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("console: %v\n%s", err, logs)
	}
	if !strings.Contains(text, "13800000000") {
		t.Fatalf("ticket page lacks the contact: %q", text)
	}
	shoot(t, staff, out, "staff-ticket-desktop", 1280, 800)
	err = chromedp.Run(staff,
		chromedp.SendKeys(`#reply-form textarea`, "请带上结婚证和身份证到镇司法所，我们帮您调解。", chromedp.ByQuery),
		jsClick(`#reply-form button`),
		chromedp.WaitVisible(`p.flash`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("staff reply: %v", err)
	}

	// The resident's page shows the reply without a reload.
	err = chromedp.Run(res,
		chromedp.WaitVisible(`#chat .card .reply`, chromedp.ByQuery),
		chromedp.Text(`#chat .card .reply`, &text, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(text, "请带上结婚证和身份证") {
		t.Fatalf("resident did not see the reply: %v %q", err, text)
	}
	shoot(t, res, out, "resident-desktop", 1280, 800)
	shoot(t, staff, out, "staff-ticket-phone", 390, 844)

	// Without JavaScript the form still answers.
	nojs := browserCtx(t, ctx, exe)
	err = chromedp.Run(nojs,
		chromedp.ActionFunc(func(ctx context.Context) error {
			return chromedp.Run(ctx, emulateNoScript())
		}),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`#q`, chromedp.ByQuery),
		chromedp.SendKeys(`#q`, "民法典第1079条", chromedp.ByQuery),
		chromedp.Submit(`#ask-form`, chromedp.ByQuery),
		chromedp.WaitVisible(`.card .hit`, chromedp.ByQuery),
		chromedp.Location(&text),
	)
	if err != nil || !strings.HasSuffix(text, "/ask") {
		t.Fatalf("no-JavaScript form: %v (at %s)", err, text)
	}
	fmt.Fprintln(os.Stderr, "screenshots in", out)
}

func waitSent(tg *telegramtest.Server, chat int64, want string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		for _, m := range tg.Sent(chat) {
			if strings.Contains(m, want) {
				return true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}
