package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/pufabot/pufabot/bot/outbox"
	"github.com/pufabot/pufabot/config"
	"github.com/pufabot/pufabot/internal/telegramtest"
	"github.com/pufabot/pufabot/schedules"
	"github.com/pufabot/pufabot/store"
)

const testStaffChat = -100777

// campaignFixture is a data dir, a config file and a fake Telegram server.
type campaignFixture struct {
	dir    string
	config string
	tg     *telegramtest.Server
}

// newCampaignFixture writes a config with two campaigns pointing at a fake
// Bot API; token "" leaves telegram.token unset.
func newCampaignFixture(t testing.TB, withToken bool, rate int) *campaignFixture {
	t.Helper()
	f := &campaignFixture{dir: t.TempDir(), tg: telegramtest.New(t)}
	token := ""
	if withToken {
		token = f.tg.Token()
	}
	cfg := fmt.Sprintf(`data_dir: %q
log:
  level: warn
knowledge:
  embedded: false
  laws: []
telegram:
  token: %q
  server_url: %q
  staff_chat: %d
  rate_per_second: %d
http:
  listen: ""
schedules:
  timezone: Asia/Shanghai
  catch_up: 6h
  campaigns:
    - id: consumer-day
      title: 3·15 国际消费者权益日
      cron: "0 9 15 3 *"
      message: "<b>3·15</b> 七日无理由退货（《消费者权益保护法》第二十五条），投诉请拨打 12315。"
      buttons:
        - text: 全国12315平台
          url: https://www.12315.cn/
    - id: legal-month
      title: 三月法治宣传月
      cron: "0 10 * * MON"
      from: "03-01"
      to: "03-31"
      audience: all
      message: "<b>三月法治宣传月</b>"
`, filepath.Join(f.dir, "data"), token, f.tg.URL(), testStaffChat, rate)
	f.config = filepath.Join(f.dir, "config.yaml")
	if err := os.WriteFile(f.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *campaignFixture) dbPath() string { return filepath.Join(f.dir, "data", dbFileName) }

func (f *campaignFixture) openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(f.dbPath())
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// seed adds n private chats subscribed to every campaign, ids 1001…
func (f *campaignFixture) seed(t testing.TB, n int) []int64 {
	t.Helper()
	db := f.openDB(t)
	defer db.Close()
	var ids []int64
	err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		for i := range n {
			id := int64(1001 + i)
			ids = append(ids, id)
			if _, err := tx.Exec(`INSERT INTO chats(chat_id, kind, created_at, updated_at) VALUES (?, 'private', 0, 0)`, id); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO subscriptions(chat_id, topic, created_at) VALUES (?, '*', 0)`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// pufabot runs a subcommand in-process.
func pufabot(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	err = run(ctx, args, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	return out.String(), errb.String(), err
}

// delivered counts successful sendMessage calls per chat.
func delivered(tg *telegramtest.Server) map[int64]int {
	got := map[int64]int{}
	for _, c := range tg.Calls("sendMessage") {
		if c.Status == 200 {
			id, _ := strconv.ParseInt(c.Form.Get("chat_id"), 10, 64)
			got[id]++
		}
	}
	return got
}

func TestCampaignsList(t *testing.T) {
	f := newCampaignFixture(t, false, 25)
	out, _, err := pufabot(context.Background(), "campaigns", "list", "--config", f.config, "--next", "2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Time zone Asia/Shanghai") {
		t.Errorf("no time zone in:\n%s", out)
	}
	for _, want := range []string{
		"consumer-day", "-03-15 09:00", "0 9 15 3 *", "3·15 国际消费者权益日",
		"legal-month", "03-01..03-31", " Mon", "all",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
}

func TestCampaignsListRejectsBadSpec(t *testing.T) {
	f := newCampaignFixture(t, false, 25)
	data, _ := os.ReadFile(f.config)
	bad := strings.Replace(string(data), `cron: "0 9 15 3 *"`, `cron: "TZ=0"`, 1)
	if err := os.WriteFile(f.config, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := pufabot(context.Background(), "campaigns", "list", "--config", f.config)
	if err == nil || !strings.Contains(err.Error(), `campaign "consumer-day": cron "TZ=0"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestCampaignsRunUsage(t *testing.T) {
	f := newCampaignFixture(t, false, 25)
	ctx := context.Background()
	if _, _, err := pufabot(ctx, "campaigns"); err != errUsage {
		t.Errorf("campaigns without a subcommand: %v", err)
	}
	if _, _, err := pufabot(ctx, "campaigns", "run", "--config", f.config); err != errUsage {
		t.Errorf("run without an id: %v", err)
	}
	_, _, err := pufabot(ctx, "campaigns", "run", "--config", f.config, "nope")
	if err == nil || !strings.Contains(err.Error(), `no campaign "nope" (configured: consumer-day, legal-month)`) {
		t.Errorf("unknown id: %v", err)
	}
}

func TestCampaignsRunWithoutServerOrToken(t *testing.T) {
	f := newCampaignFixture(t, false, 25)
	f.seed(t, 3)
	ctx := context.Background()
	out, _, err := pufabot(ctx, "campaigns", "run", "--config", f.config, "consumer-day")
	if err == nil || !strings.Contains(err.Error(), "no server is running and telegram.token is not set") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(out, "Recorded occurrence #1 of consumer-day for subscribers (3 chats now).") {
		t.Errorf("out = %q", out)
	}
	// Running it again resumes the same occurrence rather than adding one.
	out, _, _ = pufabot(ctx, "campaigns", "run", "--config", f.config, "consumer-day")
	if !strings.Contains(out, "Resuming occurrence #1 of consumer-day") {
		t.Errorf("second run: %q", out)
	}
	status, _, err := pufabot(ctx, "campaigns", "status", "--config", f.config)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(status, "Sending: no process") || !strings.Contains(status, "consumer-day") || !strings.Contains(status, "pending") {
		t.Errorf("status:\n%s", status)
	}
}

func TestCampaignsRunSendsWhenNoServerRuns(t *testing.T) {
	f := newCampaignFixture(t, true, 30)
	ids := f.seed(t, 40)
	f.tg.Block(ids[3])
	f.tg.Block(ids[17])
	ctx := context.Background()
	out, stderr, err := pufabot(ctx, "campaigns", "run", "--config", f.config, "consumer-day")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(out, "Occurrence #1 done: 40 recipients, 38 sent, 2 blocked, 0 failed.") {
		t.Errorf("out = %q", out)
	}
	if !strings.Contains(stderr, "occurrence #1 (consumer-day): 40/40 done") {
		t.Errorf("no progress on stderr: %q", stderr)
	}
	got := delivered(f.tg)
	for i, id := range ids {
		want := 1
		if i == 3 || i == 17 {
			want = 0
		}
		if got[id] != want {
			t.Errorf("chat %d received %d messages, want %d", id, got[id], want)
		}
	}
	msgs := f.tg.Sent(ids[0])
	if len(msgs) != 1 || !strings.Contains(msgs[0], "七日无理由退货") {
		t.Errorf("chat %d got %q", ids[0], msgs)
	}
	calls := f.tg.Calls("sendMessage")
	if kb := calls[0].Form.Get("reply_markup"); !strings.Contains(kb, `"url":"https://www.12315.cn/"`) || strings.Contains(kb, "copy_text") {
		t.Errorf("reply_markup = %s", kb)
	}
	if sum := f.tg.Sent(testStaffChat); len(sum) != 1 || !strings.Contains(sum[0], "送达 38 人，已屏蔽本机器人 2 人，发送失败 0 人（共 40 人）") {
		t.Errorf("staff summary = %q", sum)
	}
	// Blocked chats are marked, and the next run leaves them out.
	db := f.openDB(t)
	if n, _ := db.AudienceSize(ctx, "subscribers"); n != 38 {
		t.Errorf("audience after blocks = %d, want 38", n)
	}
	db.Close()
	status, _, err := pufabot(ctx, "campaigns", "status", "--config", f.config)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(status, "done") || !strings.Contains(status, "38") {
		t.Errorf("status:\n%s", status)
	}
}

// TestCampaignsRunLogsNoTelegramID: a failed send is logged with the
// resident's pseudonym, as serve logs it, never with the chat id (which is
// the resident's Telegram id) nor the bot token.
func TestCampaignsRunLogsNoTelegramID(t *testing.T) {
	f := newCampaignFixture(t, true, 30)
	ids := f.seed(t, 3)
	f.tg.FailNext("sendMessage", 1, 400)
	_, stderr, err := pufabot(context.Background(), "campaigns", "run", "--config", f.config, "consumer-day")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "failed") || !strings.Contains(stderr, "resident=") {
		t.Fatalf("no failed send with a pseudonym logged:\n%s", stderr)
	}
	if regexp.MustCompile(fmt.Sprintf(`\b(%d|%d|%d)\b`, ids[0], ids[1], ids[2])).MatchString(stderr) || strings.Contains(stderr, f.tg.Token()) {
		t.Errorf("stderr quotes a Telegram id or the token:\n%s", stderr)
	}
}

func TestCampaignsRunHandsOverToARunningServer(t *testing.T) {
	f := newCampaignFixture(t, true, 30)
	f.seed(t, 5)
	ctx := context.Background()
	db := f.openDB(t)
	defer db.Close()
	sent := make(chan int64, 10)
	srv, err := schedules.New(db, schedules.Options{
		PollInterval: 100 * time.Millisecond,
		Sender: schedules.SenderFunc(func(ctx context.Context, chatID int64, html string, _ []schedules.Button) error {
			sent <- chatID
			return nil
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Run(ctx)
	defer srv.Close()
	// Wait for the server's first heartbeat.
	for {
		if _, live, _ := schedules.CurrentHolder(ctx, db, time.Now(), 0); live {
			break
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
		}
	}
	out, _, err := pufabot(ctx, "campaigns", "run", "--config", f.config, "consumer-day")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "The running server (pid") {
		t.Fatalf("out = %q", out)
	}
	for range 5 {
		select {
		case <-sent:
		case <-time.After(10 * time.Second):
			t.Fatal("the server did not pick up the occurrence")
		}
	}
	if n := len(f.tg.Calls("sendMessage")); n != 0 {
		t.Errorf("the command sent %d messages itself", n)
	}
}

// asCommandEnv, set to 1, makes the test binary run as the pufabot
// command (see TestMain), so tests can start real pufabot processes
// without building one.
const asCommandEnv = "PUFABOT_TEST_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(asCommandEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// commandProcess returns how to start this test binary as the pufabot
// command: the path, and the environment to give it.
func commandProcess(t testing.TB) (bin string, env []string) {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return bin, append(os.Environ(), asCommandEnv+"=1")
}

// buildPufabot builds the command into a temp dir (for measurements, where
// the test binary's instrumentation would distort the figures).
func buildPufabot(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pufabot")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// child is a pufabot process whose exit is awaited in the background.
type child struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error
}

func startChild(t *testing.T, bin string, env []string, logs *os.File, args ...string) *child {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, exited: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	return c
}

// kill sends SIGKILL and reaps the process (so its pid is gone and a
// restart may take over the sender lease at once).
func (c *child) kill(t *testing.T) {
	t.Helper()
	c.cmd.Process.Kill()
	<-c.exited
}

// waitProgress returns once the fake server has answered at least n
// sendMessage calls, or the child has exited.
func waitProgress(tg *telegramtest.Server, c *child, n int) (exited bool) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reached := make(chan struct{})
	go func() {
		if _, err := tg.WaitCalls(ctx, "sendMessage", n); err == nil {
			close(reached)
		}
	}()
	select {
	case <-reached:
		return false
	case <-c.exited:
		return true
	}
}

// TestCampaignDeliverySurvivesSIGKILL sends a campaign to 500 subscribers
// (2,000 with PUFABOT_LONG_TESTS=1) through a fake Bot API that enforces 30
// messages a second (429 with retry_after beyond) and answers 403 for some
// chats, killing the real pufabot process with SIGKILL at random points and
// restarting it: every subscriber who did not block the bot gets the
// message, with at most one duplicate per kill.
func TestCampaignDeliverySurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pufabot processes sending 500 messages at 28/s per mode; skipped with -short")
	}
	subscribers := 500
	if longTests() {
		subscribers = 2000
	}
	bin, env := commandProcess(t)
	for _, mode := range []string{"campaigns-run", "serve"} {
		t.Run(mode, func(t *testing.T) { crashTest(t, bin, env, mode, subscribers) })
	}
}

// longTests reports whether PUFABOT_LONG_TESTS asks for the full-size
// end-to-end runs (minutes each) instead of the default smaller ones.
func longTests() bool {
	v, _ := strconv.ParseBool(os.Getenv("PUFABOT_LONG_TESTS"))
	return v
}

func crashTest(t *testing.T, bin string, env []string, mode string, subscribers int) {
	const kills = 5
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	t.Logf("random seed %d", seed)

	f := newCampaignFixture(t, true, 28)
	f.tg.Enforce(telegramtest.Limits{PerSecond: 30})
	ids := f.seed(t, subscribers)
	blocked := map[int64]bool{}
	for i := 7; i < subscribers; i += 97 {
		blocked[ids[i]] = true
		f.tg.Block(ids[i])
	}
	logs, err := os.Create(filepath.Join(f.dir, "pufabot.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	defer func() {
		if t.Failed() {
			b, _ := os.ReadFile(logs.Name())
			t.Logf("pufabot output:\n%s", b)
		}
	}()

	// Kill points: the first at a random moment right after start (opening
	// the database, recording the occurrence, snapshotting recipients), the
	// others at random progress, each a few random milliseconds after a
	// send so that some land between a send and its record.
	var points []int
	for range kills - 1 {
		points = append(points, 1+rng.IntN(subscribers-200))
	}
	slices.Sort(points)
	startArgs := []string{"campaigns", "run", "--config", f.config, "consumer-day"}
	if mode == "serve" {
		startArgs = []string{"serve", "--config", f.config}
	}
	ctx := context.Background()
	var c *child
	start := func() {
		c = startChild(t, bin, env, logs, startArgs...)
		if mode != "serve" {
			return
		}
		// Wait for the server's heartbeat, then record the run by hand
		// (the first time) for the server to pick up.
		db := f.openDB(t)
		defer db.Close()
		for {
			if h, live, _ := schedules.CurrentHolder(ctx, db, time.Now(), 0); live && h.PID == c.cmd.Process.Pid {
				break
			}
			select {
			case <-c.exited:
				t.Fatalf("serve exited: %v", c.err)
			case <-time.After(50 * time.Millisecond):
			}
		}
		if _, err := db.UnfinishedOccurrence(ctx, "consumer-day"); err == nil {
			return
		}
		out, _, err := pufabot(ctx, "campaigns", "run", "--config", f.config, "consumer-day")
		if err != nil || !strings.Contains(out, "The running server") {
			t.Fatalf("campaigns run next to serve: %q %v", out, err)
		}
	}

	start()
	select {
	case <-time.After(time.Duration(rng.IntN(300)) * time.Millisecond):
	case <-c.exited:
	}
	c.kill(t)
	for _, p := range points {
		start()
		if waitProgress(f.tg, c, p) {
			t.Fatalf("pufabot exited before the kill at %d sends: %v", p, c.err)
		}
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		c.kill(t)
	}
	t.Logf("killed %d times; the last run finishes", kills)
	start()
	if mode == "serve" {
		db := f.openDB(t)
		for {
			o, err := db.UnfinishedOccurrence(ctx, "consumer-day")
			if errors.Is(err, store.ErrNotFound) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-c.exited:
				t.Fatalf("serve exited: %v", c.err)
			case <-time.After(200 * time.Millisecond):
			}
			_ = o
		}
		db.Close()
		c.cmd.Process.Signal(syscall.SIGTERM)
	}
	<-c.exited
	if c.err != nil {
		t.Fatalf("last run: %v", c.err)
	}

	got := delivered(f.tg)
	var missing, dups int
	for _, id := range ids {
		switch n := got[id]; {
		case blocked[id] && n > 0:
			t.Errorf("blocked chat %d received %d messages", id, n)
		case !blocked[id] && n == 0:
			missing++
		case n > 1:
			dups += n - 1
		}
	}
	st := f.tg.Stats()
	t.Logf("%d subscribers, %d blocked, %d kills: %d missing, %d duplicates; server answered %d calls, %d× 429, %d× 403",
		subscribers, len(blocked), kills, missing, dups, st.Calls, st.TooManyRequests, st.Forbidden)
	if missing > 0 {
		t.Errorf("%d subscribers never received the message", missing)
	}
	if dups > kills {
		t.Errorf("%d duplicates after %d kills", dups, kills)
	}
	db := f.openDB(t)
	defer db.Close()
	ops, err := db.RecentOccurrences(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Progress{Recipients: subscribers, Sent: subscribers - len(blocked), Blocked: len(blocked)}
	if len(ops) != 1 || ops[0].Status != store.OccurrenceDone || ops[0].Progress != want {
		t.Errorf("occurrences = %+v, want one done with %+v", ops, want)
	}
}

// BenchmarkCampaignDelivery sends one campaign through the path `pufabot
// campaigns run` uses (scheduler, SQLite deliveries, the outgoing queue at
// telegram.rate_per_second 25) to a fake Bot API enforcing 30 messages a
// second, while residents' answers go through the same queue at interactive
// priority, one every 250ms. It reports the achieved rate (all messages, and
// as a share of the configured 25/s), the 429s received and the answers' p99
// latency. PUFABOT_BENCH_SUBSCRIBERS sets the audience (default 250, about
// ten seconds); the full-size run is
//
//	PUFABOT_BENCH_SUBSCRIBERS=10000 go test -run '^$' -bench CampaignDelivery -benchtime 1x -timeout 30m ./cmd/pufabot
func BenchmarkCampaignDelivery(b *testing.B) {
	n := 250
	if v := os.Getenv("PUFABOT_BENCH_SUBSCRIBERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("PUFABOT_BENCH_SUBSCRIBERS=%q", v)
		}
	}
	const limit = 25
	var (
		total, broadcast, throttled int
		elapsed                     time.Duration
		answers                     []time.Duration
	)
	for b.Loop() {
		f := newCampaignFixture(b, true, limit)
		f.tg.Enforce(telegramtest.Limits{PerSecond: 30})
		f.seed(b, n)
		cfg, err := config.Load(f.config, nil)
		if err != nil {
			b.Fatal(err)
		}
		db := f.openDB(b)
		log := slog.New(slog.DiscardHandler)
		tg, err := newTelegramSender(cfg, log)
		if err != nil {
			b.Fatal(err)
		}
		sched, err := schedules.New(db, schedules.Options{
			Campaigns: cfg.Schedules.Campaigns,
			Sender:    tg,
			IsBlocked: isBlockedSendError,
			Logger:    log,
		})
		if err != nil {
			b.Fatal(err)
		}
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var mu sync.Mutex
		wg.Add(1)
		go func() { // residents asking questions during the broadcast
			defer wg.Done()
			tick := time.NewTicker(250 * time.Millisecond)
			defer tick.Stop()
			for chat := int64(-1); ; chat-- {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				p := &tgbot.SendMessageParams{ChatID: chat, Text: "答复"}
				t0 := time.Now()
				err := tg.queue.Do(ctx, chat, outbox.Interactive, func(ctx context.Context) error {
					_, err := tg.api.SendMessage(ctx, p)
					return err
				})
				if err == nil {
					mu.Lock()
					answers = append(answers, time.Since(t0))
					mu.Unlock()
				}
			}
		}()
		calls0 := len(f.tg.Calls("sendMessage"))
		t0 := time.Now()
		if _, _, err := sched.RunNow(ctx, "consumer-day"); err != nil {
			b.Fatal(err)
		}
		if err := sched.Drain(ctx); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(t0)
		stop()
		wg.Wait()
		for _, c := range f.tg.Calls("sendMessage")[calls0:] {
			if c.Status == 200 {
				total++
				if !strings.HasPrefix(c.Form.Get("chat_id"), "-") {
					broadcast++
				}
			}
		}
		throttled += f.tg.Stats().TooManyRequests
		tg.Close()
		db.Close()
	}
	secs := elapsed.Seconds()
	b.ReportMetric(float64(total)/secs, "msgs/s")
	b.ReportMetric(float64(broadcast)/secs, "campaign_msgs/s")
	b.ReportMetric(100*float64(total)/secs/limit, "%_of_limit")
	b.ReportMetric(float64(throttled), "429s")
	slices.Sort(answers)
	if len(answers) > 0 {
		b.ReportMetric(float64(answers[(len(answers)*99)/100].Milliseconds()), "answer_p99_ms")
	}
	b.ReportMetric(float64(n), "subscribers")
}
