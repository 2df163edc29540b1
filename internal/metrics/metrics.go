// Package metrics is a small registry of counters, gauges and histograms
// written in the Prometheus text exposition format (version 0.0.4) and
// served at /metrics. It covers what pufabot measures — a few dozen series —
// with the standard library alone; every method is safe for concurrent use.
//
// A nil *Registry hands out nil metrics, and every method of a nil metric
// does nothing, so a component can take an optional registry without
// checking it at each use.
package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// DefBuckets are histogram upper bounds in seconds suited to request and
// send latencies.
var DefBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

var (
	nameRe  = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelRe = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

type kind string

const (
	kindCounter   kind = "counter"
	kindGauge     kind = "gauge"
	kindHistogram kind = "histogram"
)

// Registry holds metric families by name.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{families: map[string]*family{}}
}

// family is one metric name with its series, one per combination of label
// values.
type family struct {
	name    string
	help    string
	kind    kind
	labels  []string
	buckets []float64      // histograms only
	fn      func() float64 // gauge funcs only

	mu     sync.Mutex
	series map[string]*series
}

type series struct {
	values []string
	value  float64  // counter or gauge value; histogram sum
	counts []uint64 // histogram: per bucket, not cumulative; last is +Inf
	count  uint64   // histogram observations
}

// register returns the family called name, creating it on first use. A
// second registration with the same name must agree on kind and labels;
// anything else is a programming error and panics.
func (r *Registry) register(name, help string, k kind, labels []string, buckets []float64) *family {
	if !nameRe.MatchString(name) {
		panic(fmt.Sprintf("metrics: invalid metric name %q", name))
	}
	for _, l := range labels {
		if !labelRe.MatchString(l) || strings.HasPrefix(l, "__") {
			panic(fmt.Sprintf("metrics: %s: invalid label name %q", name, l))
		}
		if k == kindHistogram && l == "le" {
			panic(fmt.Sprintf("metrics: %s: histogram label %q is reserved", name, l))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.families[name]; ok {
		if f.kind != k || !slices.Equal(f.labels, labels) || !slices.Equal(f.buckets, buckets) {
			panic(fmt.Sprintf("metrics: %s registered twice with different kind, labels or buckets", name))
		}
		return f
	}
	f := &family{
		name:    name,
		help:    help,
		kind:    k,
		labels:  slices.Clone(labels),
		buckets: buckets,
		series:  map[string]*series{},
	}
	r.families[name] = f
	return f
}

// Counter returns the counter called name with the given label names,
// registering it on first use.
func (r *Registry) Counter(name, help string, labels ...string) *Counter {
	if r == nil {
		return nil
	}
	return &Counter{f: r.register(name, help, kindCounter, labels, nil)}
}

// Gauge returns the gauge called name with the given label names,
// registering it on first use.
func (r *Registry) Gauge(name, help string, labels ...string) *Gauge {
	if r == nil {
		return nil
	}
	return &Gauge{f: r.register(name, help, kindGauge, labels, nil)}
}

// GaugeFunc registers a gauge without labels whose value is read from fn at
// each scrape; registering the same name again replaces fn. fn must be safe
// for concurrent use.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	if r == nil {
		return
	}
	f := r.register(name, help, kindGauge, nil, nil)
	f.mu.Lock()
	f.fn = fn
	f.mu.Unlock()
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
	if !sort.Float64sAreSorted(buckets) || len(buckets) == 0 {
		panic(fmt.Sprintf("metrics: %s: buckets must be non-empty and sorted", name))
	}
	for i := 1; i < len(buckets); i++ {
		if buckets[i] == buckets[i-1] {
			panic(fmt.Sprintf("metrics: %s: duplicate bucket %v", name, buckets[i]))
		}
	}
	if math.IsInf(buckets[len(buckets)-1], +1) {
		buckets = buckets[:len(buckets)-1]
	}
	return &Histogram{f: r.register(name, help, kindHistogram, labels, slices.Clone(buckets))}
}

// with returns the series for the label values, creating it. Calling it
// with the wrong number of values is a programming error and panics.
// f.mu must be held.
func (f *family) with(values []string) *series {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s: got %d label values, want %d (%s)", f.name, len(values), len(f.labels), strings.Join(f.labels, ", ")))
	}
	key := strings.Join(values, "\xff")
	s, ok := f.series[key]
	if !ok {
		s = &series{values: slices.Clone(values)}
		if f.kind == kindHistogram {
			s.counts = make([]uint64, len(f.buckets)+1)
		}
		f.series[key] = s
	}
	return s
}

// Counter is a value that only goes up.
type Counter struct{ f *family }

// Inc adds one to the series with the given label values.
func (c *Counter) Inc(labelValues ...string) { c.Add(1, labelValues...) }

// Add adds v, which must not be negative, to the series with the given
// label values.
func (c *Counter) Add(v float64, labelValues ...string) {
	if c == nil {
		return
	}
	if v < 0 {
		panic(fmt.Sprintf("metrics: %s: counter cannot decrease", c.f.name))
	}
	c.f.mu.Lock()
	c.f.with(labelValues).value += v
	c.f.mu.Unlock()
}

// Value returns the current value of one series (0 if never touched).
func (c *Counter) Value(labelValues ...string) float64 {
	if c == nil {
		return 0
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	return c.f.with(labelValues).value
}

// Gauge is a value that goes up and down.
type Gauge struct{ f *family }

// Set sets the series with the given label values to v.
func (g *Gauge) Set(v float64, labelValues ...string) {
	if g == nil {
		return
	}
	g.f.mu.Lock()
	g.f.with(labelValues).value = v
	g.f.mu.Unlock()
}

// Add adds v (possibly negative) to the series with the given label values.
func (g *Gauge) Add(v float64, labelValues ...string) {
	if g == nil {
		return
	}
	g.f.mu.Lock()
	g.f.with(labelValues).value += v
	g.f.mu.Unlock()
}

// Value returns the current value of one series (0 if never set).
func (g *Gauge) Value(labelValues ...string) float64 {
	if g == nil {
		return 0
	}
	g.f.mu.Lock()
	defer g.f.mu.Unlock()
	return g.f.with(labelValues).value
}

// Histogram counts observations in fixed buckets.
type Histogram struct{ f *family }

// Observe records v in the series with the given label values.
func (h *Histogram) Observe(v float64, labelValues ...string) {
	if h == nil {
		return
	}
	i := sort.SearchFloat64s(h.f.buckets, v) // first bucket with bound >= v
	h.f.mu.Lock()
	s := h.f.with(labelValues)
	s.counts[i]++
	s.count++
	s.value += v
	h.f.mu.Unlock()
}

// Count returns the number of observations in one series.
func (h *Histogram) Count(labelValues ...string) uint64 {
	if h == nil {
		return 0
	}
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	return h.f.with(labelValues).count
}

// WriteTo writes every metric in the text exposition format, families
// sorted by name and series by label values, so the output is stable.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	if r == nil {
		return 0, nil
	}
	r.mu.Lock()
	fams := make([]*family, 0, len(r.families))
	for _, f := range r.families {
		fams = append(fams, f)
	}
	r.mu.Unlock()
	sort.Slice(fams, func(i, j int) bool { return fams[i].name < fams[j].name })

	cw := &countingWriter{w: bufio.NewWriter(w)}
	for _, f := range fams {
		f.write(cw)
	}
	if cw.err == nil {
		cw.err = cw.w.Flush()
	}
	return cw.n, cw.err
}

func (f *family) write(w *countingWriter) {
	f.mu.Lock()
	fn := f.fn
	list := make([]series, 0, len(f.series))
	for _, s := range f.series {
		c := *s
		c.counts = slices.Clone(s.counts)
		list = append(list, c)
	}
	f.mu.Unlock()
	if fn != nil {
		// Called outside the lock: fn may take locks of its own.
		list = []series{{value: fn()}}
	}
	sort.Slice(list, func(i, j int) bool { return slices.Compare(list[i].values, list[j].values) < 0 })

	if f.help != "" {
		w.printf("# HELP %s %s\n", f.name, escapeHelp(f.help))
	}
	w.printf("# TYPE %s %s\n", f.name, f.kind)
	for _, s := range list {
		if f.kind != kindHistogram {
			w.printf("%s%s %s\n", f.name, labelPairs(f.labels, s.values, "", ""), formatFloat(s.value))
			continue
		}
		var cum uint64
		for i, b := range f.buckets {
			cum += s.counts[i]
			w.printf("%s_bucket%s %d\n", f.name, labelPairs(f.labels, s.values, "le", formatFloat(b)), cum)
		}
		w.printf("%s_bucket%s %d\n", f.name, labelPairs(f.labels, s.values, "le", "+Inf"), s.count)
		w.printf("%s_sum%s %s\n", f.name, labelPairs(f.labels, s.values, "", ""), formatFloat(s.value))
		w.printf("%s_count%s %d\n", f.name, labelPairs(f.labels, s.values, "", ""), s.count)
	}
}

// ServeHTTP serves the registry in the text exposition format.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	if req.Method == http.MethodHead {
		return
	}
	_, _ = r.WriteTo(w)
}

func labelPairs(names, values []string, extraName, extraValue string) string {
	if len(names) == 0 && extraName == "" {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
		b.WriteString(`="`)
		b.WriteString(escapeLabel(values[i]))
		b.WriteByte('"')
	}
	if extraName != "" {
		if len(names) > 0 {
			b.WriteByte(',')
		}
		b.WriteString(extraName)
		b.WriteString(`="`)
		b.WriteString(extraValue)
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, +1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

type countingWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (c *countingWriter) printf(format string, args ...any) {
	if c.err != nil {
		return
	}
	n, err := fmt.Fprintf(c.w, format, args...)
	c.n += int64(n)
	c.err = err
}
