// Package metrics gives pufabot's components counters, gauges and
// histograms registered with the Prometheus client library
// (github.com/prometheus/client_golang) and served at /metrics in the text
// exposition format. It keeps the small API the components were written
// against — label values passed at each use, and registration by name that
// returns the same metric on a second call — and adds the standard Go and
// process collectors on request.
//
// A nil *Registry hands out nil metrics, and every method of a nil metric
// does nothing, so a component can take an optional registry without
// checking it at each use.
package metrics

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// ContentType is the media type of the text exposition format (version
// 0.0.4) that /metrics answers with by default; the Prometheus handler
// appends its escaping scheme as a further parameter.
var ContentType = string(expfmt.NewFormat(expfmt.TypeTextPlain))

// Names follow the classic Prometheus rules, which every scraper accepts.
var (
	nameRe  = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelRe = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// DefBuckets are histogram upper bounds in seconds suited to request and
// send latencies.
var DefBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

type kind string

const (
	kindCounter   kind = "counter"
	kindGauge     kind = "gauge"
	kindHistogram kind = "histogram"
	kindGaugeFunc kind = "gauge func"
)

// Registry holds metrics by name in a Prometheus registry.
type Registry struct {
	reg *prometheus.Registry

	mu    sync.Mutex
	names map[string]*family

	handlerOnce sync.Once
	handler     http.Handler
}

// family is what was registered under one name.
type family struct {
	kind    kind
	labels  []string
	buckets []float64
	vec     any                            // *prometheus.CounterVec, GaugeVec or HistogramVec
	fn      atomic.Pointer[func() float64] // gauge funcs only
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{reg: prometheus.NewRegistry(), names: map[string]*family{}}
}

// RegisterRuntime adds the standard Go runtime collector (go_goroutines,
// go_memstats_…) and process collector (process_resident_memory_bytes,
// process_start_time_seconds, …).
func (r *Registry) RegisterRuntime() {
	if r == nil {
		return
	}
	r.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// register returns the family called name, creating it with mk on first
// use. A second registration with the same name must agree on kind, labels
// and buckets; anything else is a programming error and panics, as does an
// invalid name or label.
func (r *Registry) register(name string, k kind, labels []string, buckets []float64, mk func() prometheus.Collector) *family {
	if !nameRe.MatchString(name) {
		panic(fmt.Sprintf("metrics: invalid metric name %q", name))
	}
	for _, l := range labels {
		if !labelRe.MatchString(l) || strings.HasPrefix(l, "__") || (k == kindHistogram && l == "le") {
			panic(fmt.Sprintf("metrics: %s: invalid label name %q", name, l))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.names[name]; ok {
		if f.kind != k || !slices.Equal(f.labels, labels) || !slices.Equal(f.buckets, buckets) {
			panic(fmt.Sprintf("metrics: %s registered twice with different kind, labels or buckets", name))
		}
		return f
	}
	f := &family{kind: k, labels: slices.Clone(labels), buckets: buckets}
	c := mk()
	r.reg.MustRegister(c)
	f.vec = c
	r.names[name] = f
	return f
}

// Counter returns the counter called name with the given label names,
// registering it on first use.
func (r *Registry) Counter(name, help string, labels ...string) *Counter {
	if r == nil {
		return nil
	}
	f := r.register(name, kindCounter, labels, nil, func() prometheus.Collector {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	})
	return &Counter{vec: f.vec.(*prometheus.CounterVec)}
}

// Gauge returns the gauge called name with the given label names,
// registering it on first use.
func (r *Registry) Gauge(name, help string, labels ...string) *Gauge {
	if r == nil {
		return nil
	}
	f := r.register(name, kindGauge, labels, nil, func() prometheus.Collector {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	})
	return &Gauge{vec: f.vec.(*prometheus.GaugeVec)}
}

// GaugeFunc registers a gauge without labels whose value is read from fn at
// each scrape; registering the same name again replaces fn. fn must be safe
// for concurrent use.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	if r == nil {
		return
	}
	var f *family
	f = r.register(name, kindGaugeFunc, nil, nil, func() prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			return (*f.fn.Load())()
		})
	})
	f.fn.Store(&fn)
}

// Histogram returns the histogram called name with the given upper bounds
// (sorted ascending; +Inf is implied) and label names, registering it on
// first use. Nil buckets mean DefBuckets.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *Histogram {
	if r == nil {
		return nil
	}
	if buckets == nil {
		buckets = DefBuckets
	}
	if len(buckets) == 0 || !slices.IsSorted(buckets) {
		panic(fmt.Sprintf("metrics: %s: buckets must be non-empty and sorted", name))
	}
	buckets = slices.Clone(buckets)
	f := r.register(name, kindHistogram, labels, buckets, func() prometheus.Collector {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	})
	return &Histogram{vec: f.vec.(*prometheus.HistogramVec)}
}

// Counter is a value that only goes up.
type Counter struct{ vec *prometheus.CounterVec }

// Inc adds one to the series with the given label values.
func (c *Counter) Inc(labelValues ...string) { c.Add(1, labelValues...) }

// Add adds v, which must not be negative, to the series with the given
// label values. Wrong label counts and negative values panic.
func (c *Counter) Add(v float64, labelValues ...string) {
	if c == nil {
		return
	}
	c.vec.WithLabelValues(labelValues...).Add(v)
}

// Value returns the current value of one series (0 if never touched).
func (c *Counter) Value(labelValues ...string) float64 {
	if c == nil {
		return 0
	}
	return read(c.vec.WithLabelValues(labelValues...)).GetCounter().GetValue()
}

// Gauge is a value that goes up and down.
type Gauge struct{ vec *prometheus.GaugeVec }

// Set sets the series with the given label values to v.
func (g *Gauge) Set(v float64, labelValues ...string) {
	if g == nil {
		return
	}
	g.vec.WithLabelValues(labelValues...).Set(v)
}

// Add adds v (possibly negative) to the series with the given label values.
func (g *Gauge) Add(v float64, labelValues ...string) {
	if g == nil {
		return
	}
	g.vec.WithLabelValues(labelValues...).Add(v)
}

// Value returns the current value of one series (0 if never set).
func (g *Gauge) Value(labelValues ...string) float64 {
	if g == nil {
		return 0
	}
	return read(g.vec.WithLabelValues(labelValues...)).GetGauge().GetValue()
}

// Histogram counts observations in fixed buckets.
type Histogram struct{ vec *prometheus.HistogramVec }

// Observe records v in the series with the given label values.
func (h *Histogram) Observe(v float64, labelValues ...string) {
	if h == nil {
		return
	}
	h.vec.WithLabelValues(labelValues...).Observe(v)
}

// Count returns the number of observations in one series.
func (h *Histogram) Count(labelValues ...string) uint64 {
	if h == nil {
		return 0
	}
	return read(h.vec.WithLabelValues(labelValues...).(prometheus.Metric)).GetHistogram().GetSampleCount()
}

// read returns the current state of one series.
func read(m prometheus.Metric) *dto.Metric {
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		panic(fmt.Sprintf("metrics: read %s: %v", m.Desc(), err))
	}
	return &out
}

// WriteTo writes every metric in the text exposition format, families
// sorted by name and series by label values, so the output is stable.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	if r == nil {
		return 0, nil
	}
	fams, err := r.reg.Gather()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, mf := range fams {
		k, err := expfmt.MetricFamilyToText(w, mf)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// ServeHTTP serves the metrics to GET and HEAD requests.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r == nil {
		w.Header().Set("Content-Type", ContentType)
		return
	}
	r.handlerOnce.Do(func() { r.handler = promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{}) })
	r.handler.ServeHTTP(w, req)
}
