package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pufabot/pufabot/internal/shared"
	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/store"
)

// benchEngine is the law built into the binary (what a fresh install
// answers from) when PUFABOT_WEB_BENCH=builtin, else the evaluation corpus
// when PUFABOT_BENCH_DATA names a cache folder and the shared corpus is
// present, else the test fixture.
func benchEngine(b *testing.B) (*knowledge.Engine, string) {
	b.Helper()
	cache := os.Getenv("PUFABOT_BENCH_DATA")
	if os.Getenv("PUFABOT_WEB_BENCH") == "builtin" {
		dir := b.TempDir()
		if cache != "" {
			dir = filepath.Join(cache, "web-builtin")
		}
		e, err := knowledge.Open(context.Background(), knowledge.Options{DataDir: dir, Embedded: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { e.Close() })
		return e, "built-in national laws"
	}
	if cache == "" || shared.Root() == "" {
		return testEngine(b), "fixture"
	}
	e, err := knowledge.Open(context.Background(), knowledge.Options{DataDir: filepath.Join(cache, "web-eval"), Laws: shared.EvalCorpusDirs(b)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	return e, "evaluation corpus"
}

// benchQuestions are the STARD training questions when present, else a
// few written the way residents type.
func benchQuestions(b *testing.B) []string {
	qs := []string{"老板拖欠工资不给怎么办", "借钱不还可以起诉吗", "离婚孩子归谁", "被狗咬了谁负责", "邻居占了我家宅基地", "网上买到假货怎么赔", "民法典第1079条", "被电信诈骗了怎么办"}
	root := shared.Root()
	if root == "" {
		return qs
	}
	f, err := os.Open(filepath.Join(root, "eval", "stard-train.jsonl"))
	if err != nil {
		return qs
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ex struct {
			Query string `json:"query"`
		}
		if json.Unmarshal(sc.Bytes(), &ex) == nil && ex.Query != "" {
			out = append(out, ex.Query)
		}
	}
	if len(out) == 0 {
		return qs
	}
	return out
}

func benchServer(b *testing.B) (*httptest.Server, string) {
	b.Helper()
	eng, corpus := benchEngine(b)
	db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	// Limits off: the load comes from one address and few sessions.
	srv, err := New(Options{Store: db, Knowledge: eng, SessionLimit: Limit{Burst: 1 << 30, Every: time.Nanosecond}, AddressLimit: Limit{Burst: 1 << 30, Every: time.Nanosecond}})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	b.Cleanup(ts.Close)
	return ts, corpus
}

func askOnce(c *http.Client, base, q string) (time.Duration, error) {
	body, _ := json.Marshal(map[string]string{"question": q})
	start := time.Now()
	res, err := c.Post(base+"/api/v1/ask", "application/json", strings.NewReader(string(body)))
	if err != nil {
		return 0, err
	}
	var out map[string]any
	err = json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	if err == nil && res.StatusCode != http.StatusOK {
		err = &statusError{res.StatusCode}
	}
	return time.Since(start), err
}

type statusError struct{ code int }

func (e *statusError) Error() string { return http.StatusText(e.code) }

// BenchmarkAPIAsk100PerSecond sends b.N questions through POST /api/v1/ask
// at a steady 100 per second (open loop: a slow answer does not slow the
// sender) and reports latency percentiles.
//
//	go test -run '^$' -bench APIAsk100PerSecond -benchtime 2000x ./web
func BenchmarkAPIAsk100PerSecond(b *testing.B) {
	ts, corpus := benchServer(b)
	qs := benchQuestions(b)
	b.Logf("corpus: %s, %d questions", corpus, len(qs))
	tr := &http.Transport{MaxIdleConnsPerHost: 200}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	// Warm up.
	for i := 0; i < 20; i++ {
		askOnce(client, ts.URL, qs[i%len(qs)])
	}
	lat := make([]time.Duration, b.N)
	errs := make([]error, b.N)
	var wg sync.WaitGroup
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		<-tick.C
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			lat[i], errs[i] = askOnce(client, ts.URL, qs[i%len(qs)])
		}(i)
	}
	wg.Wait()
	b.StopTimer()
	failed := 0
	var first error
	for _, err := range errs {
		if err != nil {
			failed++
			if first == nil {
				first = err
			}
		}
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(float64(failed), "errors")
	if failed > 0 {
		b.Fatalf("%d of %d questions failed; the first: %v", failed, b.N, first)
	}
}

// BenchmarkConcurrentSessions opens 500 sessions at once, each asking a
// question and reading its answer, and reports errors and the slowest.
//
//	go test -run '^$' -bench ConcurrentSessions -benchtime 1x ./web
func BenchmarkConcurrentSessions(b *testing.B) {
	ts, _ := benchServer(b)
	qs := benchQuestions(b)
	const sessions = 500
	for n := 0; n < b.N; n++ {
		var wg sync.WaitGroup
		lat := make([]time.Duration, sessions)
		errs := make([]error, sessions)
		start := make(chan struct{})
		transports := make([]*http.Transport, sessions)
		for i := 0; i < sessions; i++ {
			jar, _ := cookiejar.New(nil)
			transports[i] = &http.Transport{}
			c := &http.Client{Jar: jar, Timeout: 60 * time.Second, Transport: transports[i]}
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				lat[i], errs[i] = askOnce(c, ts.URL, qs[i%len(qs)])
			}(i)
		}
		close(start)
		wg.Wait()
		for _, t := range transports {
			t.CloseIdleConnections()
		}
		failed := 0
		for _, err := range errs {
			if err != nil {
				failed++
			}
		}
		slices.Sort(lat)
		b.ReportMetric(float64(failed), "errors")
		b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "slowest_ms")
		if failed > 0 {
			b.Fatalf("%d of %d sessions failed: %v", failed, sessions, errs[slices.IndexFunc(errs, func(e error) bool { return e != nil })])
		}
	}
}
