package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pufabot/pufabot/config"
	"github.com/pufabot/pufabot/internal/telegramtest"
)

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

// testServer returns a server configured for a temp dir, a random port
// and the fake Telegram server tg, logging at debug level into logs.
func testServer(t *testing.T, tg *telegramtest.Server, logs io.Writer) *server {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Knowledge.Embedded = false // the FAQ index builds in a moment
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Telegram.Token = tg.Token()
	cfg.Telegram.ServerURL = tg.URL()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return newServer(cfg, log)
}

// start runs s in the background and waits until its HTTP endpoints
// listen; the returned channel yields Run's result.
func start(t *testing.T, ctx context.Context, s *server) <-chan error {
	t.Helper()
	runErr := make(chan error, 1)
	go func() { runErr <- s.Run(ctx) }()
	select {
	case <-s.Listening():
	case err := <-runErr:
		t.Fatalf("Run returned before listening: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return runErr
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitHealthy polls /healthz until it answers 200; the deadline only
// guards against a hang (building the starter index takes a moment).
func waitHealthy(t *testing.T, s *server, runErr <-chan error) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		code, body := get(t, "http://"+s.Addr()+"/healthz")
		if code == http.StatusOK {
			if strings.TrimSpace(body) != `{"status":"ok"}` {
				t.Fatalf("/healthz 200 with body %q, want {\"status\":\"ok\"}", body)
			}
			return
		}
		if code != http.StatusServiceUnavailable {
			t.Fatalf("/healthz: %d %q", code, body)
		}
		select {
		case err := <-runErr:
			t.Fatalf("Run returned while starting: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz still %d %q", code, body)
		}
	}
}

func TestServeEndToEnd(t *testing.T) {
	tg := telegramtest.New(t)
	logs := &syncBuffer{}
	s := testServer(t, tg, logs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runErr := start(t, ctx, s)
	waitHealthy(t, s, runErr)

	// A resident asks in a private chat and gets an answer.
	const resident = 100200300
	tg.PushMessage(resident, resident, "订婚给了彩礼，后来没结成婚，彩礼能要回来吗？")
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	if _, err := tg.WaitCalls(wctx, "sendMessage", 1); err != nil {
		t.Fatalf("no answer: %v", err)
	}
	sent := tg.Sent(resident)
	if len(sent) == 0 {
		t.Fatalf("nothing sent to the resident; calls: %+v", tg.Calls("sendMessage"))
	}
	// The starter FAQ pack answers this on a machine with no corpus.
	if answer := strings.Join(sent, "\n"); !strings.Contains(answer, "彩礼") || !strings.Contains(answer, "12348") {
		t.Errorf("answer does not address the question or lacks the 12348 pointer:\n%s", answer)
	}

	// The outbox counts a message as sent once Telegram's reply is back,
	// which may be just after the fake server recorded it.
	code, body := get(t, "http://"+s.Addr()+"/metrics")
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(body, "pufabot_outbox_sent_total{") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		code, body = get(t, "http://"+s.Addr()+"/metrics")
	}
	for _, want := range []string{"pufabot_bot_ready 1\n", "pufabot_outbox_wait_seconds_count{priority=\"interactive\"}", "# TYPE pufabot_outbox_sent_total counter"} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("/metrics: %d, want %q in\n%s", code, want, body)
		}
	}
	checkMetricsParse(t, body)

	cancel()
	select {
	case err := <-runErr:
		if err != nil {
			t.Fatalf("Run after cancel: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not return after cancel")
	}
	if s.Addr() != "" {
		if _, err := http.Get("http://" + s.Addr() + "/healthz"); err == nil {
			t.Error("/healthz still served after Run returned")
		}
	}
	if strings.Contains(logs.String(), tg.Token()) || strings.Contains(logs.String(), strings.SplitN(tg.Token(), ":", 2)[1]) {
		t.Error("the bot token appears in the logs")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestServeNotReadyUntilTelegramAnswers(t *testing.T) {
	tg := telegramtest.New(t)
	tg.FailNext("getMe", 1_000_000, http.StatusBadGateway) // Telegram unreachable
	s := testServer(t, tg, io.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	runErr := start(t, ctx, s)
	if code, body := get(t, "http://"+s.Addr()+"/healthz"); code != http.StatusServiceUnavailable {
		t.Fatalf("/healthz before ready: %d %q, want 503", code, body)
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
}

func TestServeNeedsToken(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Knowledge.Embedded = false // the FAQ index builds in a moment
	cfg.HTTP.Listen = ""
	err := newServer(cfg, nil).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "telegram.token") {
		t.Fatalf("err = %v, want one naming telegram.token", err)
	}
}

func TestServeCloseBeforeRunAndTwice(t *testing.T) {
	s := newServer(config.Default(), nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background()); err == nil {
		t.Fatal("Run after Close returned nil")
	}
}

func TestServeRejectsArguments(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve", "extra"}, strings.NewReader(""), &out, &out, func(string) string { return "" })
	if !errors.Is(err, errUsage) {
		t.Fatalf("err = %v, want a usage error", err)
	}
}

// TestServeProcessStopsOnSIGTERM runs "pufabot serve" as a child process
// (this test binary, see TestServeChildProcess) against the fake Telegram
// server, waits for /healthz, sends SIGTERM and expects exit status 0.
func TestServeProcessStopsOnSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGTERM")
	}
	tg := telegramtest.New(t)
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config.yaml")
	yaml := "data_dir: " + filepath.Join(dir, "data") + "\n" +
		"log: {format: json, level: debug}\n" +
		"knowledge: {embedded: false}\n" +
		"http: {listen: \"127.0.0.1:0\"}\n" +
		"telegram: {server_url: \"" + tg.URL() + "\"}\n"
	if err := os.WriteFile(cfgFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeChildProcess$")
	cmd.Env = append(os.Environ(), "PUFABOT_SERVE_CHILD="+cfgFile, config.EnvToken+"="+tg.Token())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	// The child logs the address it listens on; keep all of its output.
	logs := &syncBuffer{}
	addrc := make(chan string, 1)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Addr != "" && strings.HasPrefix(line.Msg, "serving /healthz") {
				addrc <- line.Addr
			}
		}
	}()
	var addr string
	select {
	case addr = <-addrc:
	case <-scanned:
		t.Fatalf("child exited before listening:\n%s", logs.String())
	case <-time.After(time.Minute):
		t.Fatalf("child did not listen:\n%s", logs.String())
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("child never healthy:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-scanned
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v, want exit status 0\n%s", err, logs.String())
	}
	if strings.Contains(logs.String(), tg.Token()) {
		t.Error("the bot token appears in the logs")
	}
}

// TestServeChildProcess is the child of TestServeProcessStopsOnSIGTERM: it
// does what main does for "pufabot serve --config $PUFABOT_SERVE_CHILD".
func TestServeChildProcess(t *testing.T) {
	cfgFile := os.Getenv("PUFABOT_SERVE_CHILD")
	if cfgFile == "" {
		t.Skip("helper process for TestServeProcessStopsOnSIGTERM")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, []string{"serve", "--config", cfgFile}, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	os.Exit(exitCode(err, os.Stderr))
}

// TestServeBroadcastReachesSubscribers checks that serve hands the bot the
// campaign scheduler: /broadcast from staff is previewed, confirmed and
// delivered to a subscriber.
func TestServeBroadcastReachesSubscribers(t *testing.T) {
	tg := telegramtest.New(t)
	const admin, resident = 777001, 100200301
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Knowledge.Embedded = false // the FAQ index builds in a moment
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Telegram.Token = tg.Token()
	cfg.Telegram.ServerURL = tg.URL()
	cfg.Telegram.Admins = []int64{admin}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	s := newServer(cfg, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runErr := start(t, ctx, s)
	waitHealthy(t, s, runErr)

	wait := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	lastTo := func(chat int64) string {
		sent := tg.Sent(chat)
		if len(sent) == 0 {
			return ""
		}
		return sent[len(sent)-1]
	}

	tg.PushMessage(resident, resident, "/subscribe all")
	wait("subscription page", func() bool { return strings.Contains(lastTo(resident), "订阅") })

	tg.PushMessage(admin, admin, "/broadcast 明天上午九点在村委会开展普法讲座")
	wait("broadcast preview", func() bool { return len(tg.Sent(admin)) >= 2 })
	if sent := strings.Join(tg.Sent(admin), "\n"); strings.Contains(sent, "还没有配置") || !strings.Contains(sent, "群发预览") {
		t.Fatalf("/broadcast in serve:\n%s", sent)
	}
	var preview int
	var confirm string
	for id := 1; id < 100; id++ {
		m, ok := tg.Message(admin, id)
		if !ok || m.ReplyMarkup == nil {
			continue
		}
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if strings.Contains(b.Text, "确认") {
					preview, confirm = m.ID, b.CallbackData
				}
			}
		}
	}
	if confirm == "" {
		t.Fatal("no confirm button under the preview")
	}
	tg.PushCallback(admin, admin, preview, confirm)
	wait("broadcast delivered", func() bool { return strings.Contains(lastTo(resident), "普法讲座") })
	wait("staff told the broadcast started", func() bool { return strings.Contains(lastTo(admin), "已开始群发") })
}

func TestServeWebhookSharesHTTPListen(t *testing.T) {
	tg := telegramtest.New(t)
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Knowledge.Embedded = false // the FAQ index builds in a moment
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Telegram.Token = tg.Token()
	cfg.Telegram.ServerURL = tg.URL()
	cfg.Telegram.Webhook = config.Webhook{URL: "https://bot.example.gov.cn/telegram", SecretToken: "s3cret-token", Listen: ""}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	s := newServer(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runErr := start(t, ctx, s)
	waitHealthy(t, s, runErr)

	post := func(secret string, body string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, "http://"+s.Addr()+"/telegram", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	update := `{"update_id": 7001, "message": {"message_id": 1, "date": 1, "chat": {"id": 4242, "type": "private"}, "from": {"id": 4242, "is_bot": false, "first_name": "村民"}, "text": "彩礼能要回来吗"}}`
	if code := post("wrong", update); code == http.StatusOK {
		t.Fatalf("webhook accepted a wrong secret token")
	}
	if code := post("s3cret-token", update); code != http.StatusOK {
		t.Fatalf("webhook answered %d", code)
	}
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	if _, err := tg.WaitCalls(wctx, "sendMessage", 1); err != nil {
		t.Fatalf("no answer to the webhook update: %v", err)
	}
	if sent := strings.Join(tg.Sent(4242), "\n"); !strings.Contains(sent, "彩礼") {
		t.Errorf("answer: %q", sent)
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
}
