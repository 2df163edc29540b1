package knowledge

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/pufabot/pufabot/internal/shared"
)

// TestTune searches the ranking parameters by coordinate ascent on the
// tuning folds (every fold but 0) of the training questions, with
// leave-one-out, and prints the best parameters and their held-out (fold 0)
// figures. It runs only with PUFABOT_TUNE=ROUNDS (for example 2); the
// objective is R@10 + R@100 + MRR@10.
func TestTune(t *testing.T) {
	rounds, _ := strconv.Atoi(os.Getenv("PUFABOT_TUNE"))
	if rounds <= 0 {
		t.Skip("set PUFABOT_TUNE=ROUNDS to tune ranking parameters")
	}
	e, err := Open(context.Background(), evalOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	set, err := ReadExamples(shared.EvalSet(t))
	if err != nil {
		t.Fatal(err)
	}
	eval := func(p Params, fold int) *EvalResult {
		e.SetParams(p)
		r, err := e.Evaluate(context.Background(), set, EvalOptions{LeaveOneOut: true, Folds: 5, Fold: fold})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	objective := func(r *EvalResult) float64 { return r.Recall[10] + r.Recall[100] + r.MRR10 }
	line := func(r *EvalResult) string {
		return fmt.Sprintf("R@1=%.3f R@10=%.3f R@100=%.3f MRR@10=%.3f p99=%.1fms", r.Recall[1], r.Recall[10], r.Recall[100], r.MRR10, r.LatencyMS.P99)
	}
	best := e.Params()
	if s := os.Getenv("PUFABOT_TUNE_START"); s != "" {
		if err := json.Unmarshal([]byte(s), &best); err != nil {
			t.Fatal(err)
		}
	}
	bestR := eval(best, -1)
	bestObj := objective(bestR)
	t.Logf("start: %s", line(bestR))
	type knob struct {
		name string
		get  func(*Params) *float64
	}
	f := func(name string, get func(*Params) *float64) knob { return knob{name, get} }
	knobs := []knob{
		f("WExamples", func(p *Params) *float64 { return &p.WExamples }),
		f("ExamplePower", func(p *Params) *float64 { return &p.ExamplePower }),
		f("WRank", func(p *Params) *float64 { return &p.WRank }),
		f("WExampleRank", func(p *Params) *float64 { return &p.WExampleRank }),
		f("RankK", func(p *Params) *float64 { return &p.RankK }),
		f("WNeighbour", func(p *Params) *float64 { return &p.WNeighbour }),
		f("WLaw", func(p *Params) *float64 { return &p.WLaw }),
		f("WHeadings", func(p *Params) *float64 { return &p.WHeadings }),
		f("WFAQRef", func(p *Params) *float64 { return &p.WFAQRef }),
		f("WExpand", func(p *Params) *float64 { return &p.WExpand }),
		f("K1", func(p *Params) *float64 { return &p.K1 }),
		f("B", func(p *Params) *float64 { return &p.B }),
		f("ExampleK1", func(p *Params) *float64 { return &p.ExampleK1 }),
		f("ExampleB", func(p *Params) *float64 { return &p.ExampleB }),
		f("WCoCited", func(p *Params) *float64 { return &p.WCoCited }),
		f("WTextUni", func(p *Params) *float64 { return &p.WTextUni }),
		f("UniMaxDF", func(p *Params) *float64 { return &p.UniMaxDF }),
		f("WExampleUni", func(p *Params) *float64 { return &p.WExampleUni }),
		f("WTailCoCited", func(p *Params) *float64 { return &p.WTailCoCited }),
		f("WTailLaw", func(p *Params) *float64 { return &p.WTailLaw }),
		f("WTailNeighbour", func(p *Params) *float64 { return &p.WTailNeighbour }),
		f("WTailPRF", func(p *Params) *float64 { return &p.WTailPRF }),
		f("ExampleFloor", func(p *Params) *float64 { return &p.ExampleFloor }),
		f("ExampleNear", func(p *Params) *float64 { return &p.ExampleNear }),
		f("CoCitedNear", func(p *Params) *float64 { return &p.CoCitedNear }),
	}
	// Integer knobs are tuned through a float copy, written back by try.
	ints := map[string]func(*Params) *int{
		"IntCoCitedDepth": func(p *Params) *int { return &p.CoCitedDepth },
		"IntTailDepth":    func(p *Params) *int { return &p.TailDepth },
		"IntTailSpan":     func(p *Params) *int { return &p.TailSpan },
		"IntUniMaxTerms":  func(p *Params) *int { return &p.UniMaxTerms },
		"IntTailFrom":     func(p *Params) *int { return &p.TailFrom },
		"IntPRFDocs":      func(p *Params) *int { return &p.PRFDocs },
	}
	for name, get := range ints {
		get := get
		knobs = append(knobs, f(name, func(p *Params) *float64 { v := float64(*get(p)); return &v }))
	}
	if only := os.Getenv("PUFABOT_TUNE_KNOBS"); only != "" {
		want := map[string]bool{}
		for _, n := range strings.Split(only, ",") {
			want[n] = true
		}
		kept := knobs[:0]
		for _, k := range knobs {
			if want[k.name] || want[strings.TrimPrefix(k.name, "Int")] {
				kept = append(kept, k)
			}
		}
		knobs = kept
	}
	for _, c := range []string{"民法典", "民法商法", "司法解释", "行政法规", "部门规章", "社会法", "刑法", "行政法", "经济法", "诉讼与非诉讼程序法", "宪法相关法"} {
		c := c
		knobs = append(knobs, f("CategoryPrior."+c, func(p *Params) *float64 {
			m := make(map[string]float64, len(p.CategoryPrior)+1)
			for k, v := range p.CategoryPrior {
				m[k] = v
			}
			if _, ok := m[c]; !ok {
				m[c] = 1
			}
			p.CategoryPrior = m
			v := m[c]
			return &v
		}))
	}
	try := func(p Params, k knob, v float64) (Params, *EvalResult) {
		if len(k.name) > 14 && k.name[:14] == "CategoryPrior." {
			c := k.name[14:]
			m := make(map[string]float64, len(p.CategoryPrior)+1)
			for kk, vv := range p.CategoryPrior {
				m[kk] = vv
			}
			m[c] = v
			p.CategoryPrior = m
		} else if get, ok := ints[k.name]; ok {
			*get(&p) = int(math.Round(v))
		} else {
			*k.get(&p) = v
		}
		return p, eval(p, -1)
	}
	for round := 0; round < rounds; round++ {
		for _, k := range knobs {
			cur := *k.get(&best)
			var cands []float64
			if cur == 0 {
				cands = []float64{0.1, 0.5, 1}
			} else {
				cands = []float64{cur * 0.5, cur * 0.8, cur * 1.25, cur * 2}
				if k.name == "B" || k.name == "ExampleB" {
					cands = []float64{cur - 0.2, cur - 0.1, cur + 0.1, cur + 0.2}
				}
				if k.name[:1] == "W" || k.name[:1] == "C" {
					cands = append(cands, 0)
				}
			}
			for _, v := range cands {
				if v < 0 || ((k.name == "B" || k.name == "ExampleB") && v > 1) {
					continue
				}
				p, r := try(best, k, v)
				if o := objective(r); o > bestObj+0.002 {
					best, bestR, bestObj = p, r, o
					t.Logf("%s=%.3g: %s", k.name, v, line(r))
				}
			}
		}
		b, _ := json.Marshal(best)
		t.Logf("round %d best: %s\n%s", round, line(bestR), b)
	}
	t.Logf("held-out fold 0: %s", line(eval(best, 0)))
}
