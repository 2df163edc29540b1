package bot

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pufabot/pufabot/internal/shared"
	"github.com/pufabot/pufabot/internal/telegramtest"
	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/store"
)

// BenchmarkAnswerEndToEnd measures questions answered end to end: a fake
// Bot API on loopback, questions pushed as updates (each from a different
// resident), long polling, storage, the knowledge engine, the consultation
// record and sendMessage. It reports
//
//	questions/s     b.N questions pushed at once, until every answer is sent
//	p50_ms, p99_ms  update pushed → sendMessage received, one question at a
//	                time (no queueing)
//	burst_p99_ms    the same during the burst (with queueing)
//	rss_MiB         resident memory of the whole test process afterwards
//
// With the evaluation corpus beside the repository (../shared, or
// $PUFABOT_SHARED) the engine indexes it once under $PUFABOT_BENCH_DATA
// (default: the user cache directory) and questions come from the STARD
// set; otherwise the embedded starter pack answers canned questions.
//
//	go test -run '^$' -bench AnswerEndToEnd -benchtime 3000x -cpu 2 ./bot
func BenchmarkAnswerEndToEnd(b *testing.B) {
	eng, questions := benchEngine(b)
	srv := telegramtest.New(b)
	db, err := store.Open(filepath.Join(b.TempDir(), "pufabot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	bot, err := New(Options{
		Token:              srv.Token(),
		ServerURL:          srv.URL(),
		Store:              db,
		Knowledge:          eng,
		StaffChat:          staffChat,
		QuestionsPerMinute: 1 << 20,
		Logger:             slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()
	for !bot.Ready() {
		time.Sleep(time.Millisecond)
	}

	nextChat := int64(10_000_000)
	ask := func(n int) (pushed map[int64]time.Time) {
		pushed = make(map[int64]time.Time, n)
		for i := 0; i < n; i++ {
			nextChat++
			pushed[nextChat] = time.Now()
			srv.PushMessage(nextChat, nextChat, questions[int(nextChat)%len(questions)])
		}
		return pushed
	}
	// wait returns each chat's latency once all have been answered.
	seen := 0
	wait := func(pushed map[int64]time.Time) []time.Duration {
		var lat []time.Duration
		answered := map[int64]bool{}
		for len(answered) < len(pushed) {
			// Each call answers at most one chat: wait for at least as
			// many calls as chats still unanswered.
			calls, err := srv.WaitCalls(ctx, "sendMessage", seen+len(pushed)-len(answered))
			if err != nil {
				b.Fatal(err)
			}
			for _, c := range calls[seen:] {
				id, _ := strconv.ParseInt(c.Form.Get("chat_id"), 10, 64)
				if t0, ok := pushed[id]; ok && !answered[id] {
					answered[id] = true
					lat = append(lat, c.At.Sub(t0))
				}
			}
			seen = len(calls)
		}
		return lat
	}

	// Warm up, then one question at a time: latency without queueing.
	for range 20 {
		wait(ask(1))
	}
	var solo []time.Duration
	for range min(b.N, 300) {
		solo = append(solo, wait(ask(1))...)
	}

	b.ResetTimer()
	start := time.Now()
	burst := wait(ask(b.N))
	elapsed := time.Since(start)
	b.StopTimer()

	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "questions/s")
	b.ReportMetric(percentile(solo, 0.50), "p50_ms")
	b.ReportMetric(percentile(solo, 0.99), "p99_ms")
	b.ReportMetric(percentile(burst, 0.99), "burst_p99_ms")
	if rss := residentMiB(); rss > 0 {
		b.ReportMetric(rss, "rss_MiB")
	}
}

func percentile(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[min(len(s)-1, int(p*float64(len(s))))]) / float64(time.Millisecond)
}

// residentMiB reads the process's resident set size (Linux only).
func residentMiB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

var bench struct {
	once      sync.Once
	eng       *knowledge.Engine
	questions []string
	err       error
}

// benchEngine opens the engine once per process: on the evaluation corpus
// when it is present, else on the starter pack.
func benchEngine(b *testing.B) (*knowledge.Engine, []string) {
	b.Helper()
	corpus := shared.Root() != ""
	if corpus {
		if _, err := os.Stat(filepath.Join(shared.Root(), "laws")); err != nil {
			corpus = false
		}
	}
	var dirs []string
	var evalSet string
	if corpus {
		dirs = shared.EvalCorpusDirs(b)
		evalSet = shared.EvalSet(b)
	}
	bench.once.Do(func() {
		ctx := context.Background()
		// The index outlives one benchmark run (the engine is reused as
		// b.N grows), so it lives in a cache directory, not b.TempDir.
		dir := os.Getenv("PUFABOT_BENCH_DATA")
		if dir == "" {
			cache, err := os.UserCacheDir()
			if err != nil {
				cache = os.TempDir()
			}
			dir = filepath.Join(cache, "pufabot-bench")
		}
		o := knowledge.Options{DataDir: filepath.Join(dir, "starter")}
		if corpus {
			o = knowledge.Options{DataDir: filepath.Join(dir, "eval"), Laws: dirs}
			b.Logf("evaluation corpus: index under %s (built once, then reused)", o.DataDir)
		} else {
			b.Logf("no evaluation corpus: starter pack, index under %s", o.DataDir)
		}
		bench.eng, bench.err = knowledge.Open(ctx, o)
		if bench.err != nil {
			return
		}
		bench.questions = []string{
			"有个警察打电话说我的银行卡涉及洗钱案要冻结", "网上刷单返佣金是真的吗", "离婚后孩子归谁抚养",
			"老板拖欠工资三个月怎么办", "邻居占了我家的宅基地", "民法典第1079条", "买到假货怎么赔偿",
			"未成年人在网吧打游戏谁负责", "借钱不还可以起诉吗", "被狗咬了谁赔",
		}
		if evalSet != "" {
			if qs, err := readQueries(evalSet); err == nil && len(qs) > 0 {
				bench.questions = qs
			}
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.eng, bench.questions
}

func readQueries(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var l struct {
			Query string `json:"query"`
		}
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Query != "" {
			out = append(out, l.Query)
		}
	}
	return out, sc.Err()
}
