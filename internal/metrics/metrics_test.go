package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func TestExposition(t *testing.T) {
	r := NewRegistry()
	sent := r.Counter("pufabot_sent_total", "Messages sent.", "priority")
	sent.Inc("interactive")
	sent.Add(2, "broadcast")
	sent.Inc("interactive")
	q := r.Gauge("pufabot_queue_length", "Jobs waiting.")
	q.Set(7)
	q.Add(-2)
	r.GaugeFunc("pufabot_up", "Always 1.", func() float64 { return 1 })
	h := r.Histogram("pufabot_send_seconds", "Send latency.", []float64{0.1, 1}, "method")
	h.Observe(0.05, "sendMessage")
	h.Observe(0.1, "sendMessage")
	h.Observe(0.5, "sendMessage")
	h.Observe(3, "sendMessage")
	r.Counter("pufabot_odd_total", "Help with \\ and\nnewline.", "v").Inc("a\"b\\c\nd")

	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP pufabot_odd_total Help with \\ and\nnewline.
# TYPE pufabot_odd_total counter
pufabot_odd_total{v="a\"b\\c\nd"} 1
# HELP pufabot_queue_length Jobs waiting.
# TYPE pufabot_queue_length gauge
pufabot_queue_length 5
# HELP pufabot_send_seconds Send latency.
# TYPE pufabot_send_seconds histogram
pufabot_send_seconds_bucket{method="sendMessage",le="0.1"} 2
pufabot_send_seconds_bucket{method="sendMessage",le="1"} 3
pufabot_send_seconds_bucket{method="sendMessage",le="+Inf"} 4
pufabot_send_seconds_sum{method="sendMessage"} 3.65
pufabot_send_seconds_count{method="sendMessage"} 4
# HELP pufabot_sent_total Messages sent.
# TYPE pufabot_sent_total counter
pufabot_sent_total{priority="broadcast"} 2
pufabot_sent_total{priority="interactive"} 2
# HELP pufabot_up Always 1.
# TYPE pufabot_up gauge
pufabot_up 1
`
	if got := b.String(); got != want {
		t.Errorf("exposition:\n%s\nwant:\n%s", got, want)
	}
}

func TestRegisterTwiceReturnsSameFamily(t *testing.T) {
	r := NewRegistry()
	r.Counter("a_total", "A.").Inc()
	r.Counter("a_total", "A.").Inc()
	if got := r.Counter("a_total", "A.").Value(); got != 2 {
		t.Fatalf("value = %v, want 2", got)
	}
}

func TestMisuse(t *testing.T) {
	tests := []struct {
		name string
		fn   func(r *Registry)
	}{
		{"bad name", func(r *Registry) { r.Counter("1abc", "") }},
		{"bad label", func(r *Registry) { r.Counter("abc", "", "a-b") }},
		{"le on histogram", func(r *Registry) { r.Histogram("h", "", nil, "le") }},
		{"unsorted buckets", func(r *Registry) { r.Histogram("h", "", []float64{2, 1}) }},
		{"kind conflict", func(r *Registry) { r.Counter("x", ""); r.Gauge("x", "") }},
		{"label count", func(r *Registry) { r.Counter("y", "", "a").Inc() }},
		{"negative counter", func(r *Registry) { r.Counter("z", "").Add(-1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.fn(NewRegistry())
		})
	}
}

func TestNilRegistryIsNoop(t *testing.T) {
	var r *Registry
	r.Counter("a_total", "").Inc("x", "y")
	r.Gauge("g", "").Set(1)
	r.Histogram("h", "", nil).Observe(1)
	r.GaugeFunc("f", "", func() float64 { return 1 })
	if n, err := r.WriteTo(io.Discard); n != 0 || err != nil {
		t.Fatalf("WriteTo = %d, %v", n, err)
	}
}

func TestServeHTTP(t *testing.T) {
	r := NewRegistry()
	r.Counter("hits_total", "Hits.").Inc()
	srv := httptest.NewServer(r)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ContentType) {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(string(body), "hits_total 1\n") {
		t.Fatalf("body:\n%s", body)
	}
	resp, err = http.Post(srv.URL, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST status %d", resp.StatusCode)
	}
}

func TestConcurrentUse(t *testing.T) {
	r := NewRegistry()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lbl := []string{"a", "b"}[i%2]
			for range 1000 {
				r.Counter("c_total", "", "l").Inc(lbl)
				r.Gauge("g", "").Add(1)
				r.Histogram("h_seconds", "", nil).Observe(0.2)
				_, _ = r.WriteTo(io.Discard)
			}
		}()
	}
	wg.Wait()
	c := r.Counter("c_total", "", "l")
	if got := c.Value("a") + c.Value("b"); got != 8000 {
		t.Fatalf("counter sum = %v, want 8000", got)
	}
	if got := r.Histogram("h_seconds", "", nil).Count(); got != 8000 {
		t.Fatalf("histogram count = %v, want 8000", got)
	}
}

func BenchmarkCounterInc(b *testing.B) {
	c := NewRegistry().Counter("c_total", "", "priority")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Inc("interactive")
		}
	})
}

// TestRuntimeCollectorsParse checks that the exposition, with the standard
// Go and process collectors, parses with the Prometheus text parser and
// holds their series beside the registry's own.
func TestRuntimeCollectorsParse(t *testing.T) {
	r := NewRegistry()
	r.RegisterRuntime()
	r.Counter("pufabot_updates_total", "Updates.", "kind").Inc("message")
	srv := httptest.NewServer(r)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	want := []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "pufabot_updates_total"}
	if runtime.GOOS == "linux" {
		want = append(want, "process_resident_memory_bytes", "process_start_time_seconds")
	}
	for _, name := range want {
		if _, ok := fams[name]; !ok {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if v := fams["pufabot_updates_total"].GetMetric()[0].GetCounter().GetValue(); v != 1 {
		t.Errorf("pufabot_updates_total = %v, want 1", v)
	}
}
