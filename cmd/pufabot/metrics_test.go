package main

import (
	"runtime"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// checkMetricsParse parses a /metrics body with the Prometheus text parser
// and checks it holds the standard Go and process series beside pufabot's.
func checkMetricsParse(t *testing.T, body string) {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	want := []string{"go_goroutines", "pufabot_bot_ready", "pufabot_outbox_sent_total", "pufabot_outbox_wait_seconds"}
	if runtime.GOOS == "linux" {
		want = append(want, "process_resident_memory_bytes", "process_start_time_seconds")
	}
	for _, name := range want {
		if _, ok := fams[name]; !ok {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if g := fams["go_goroutines"]; g != nil && g.GetMetric()[0].GetGauge().GetValue() < 1 {
		t.Errorf("go_goroutines = %v", g.GetMetric()[0].GetGauge().GetValue())
	}
}
