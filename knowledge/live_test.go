package knowledge

import (
	"context"
	"reflect"
	"testing"
)

// Live stands in for an Engine wherever a front takes one: it must offer
// every method a front may use.
func TestLiveHasTheEngineMethods(t *testing.T) {
	notForFronts := map[string]bool{"Close": true, "SetParams": true, "Params": true, "SearchExcluding": true, "Evaluate": true}
	et, lt := reflect.TypeOf(&Engine{}), reflect.TypeOf(&Live{})
	for i := range et.NumMethod() {
		m := et.Method(i)
		if notForFronts[m.Name] {
			continue
		}
		lm, ok := lt.MethodByName(m.Name)
		if !ok {
			t.Errorf("Live lacks %s", m.Name)
			continue
		}
		if lm.Type.NumIn() != m.Type.NumIn() || lm.Type.NumOut() != m.Type.NumOut() {
			t.Errorf("Live.%s is %s, Engine.%s is %s", m.Name, lm.Type, m.Name, m.Type)
			continue
		}
		for j := 1; j < m.Type.NumIn(); j++ {
			if lm.Type.In(j) != m.Type.In(j) {
				t.Errorf("Live.%s is %s, Engine.%s is %s", m.Name, lm.Type, m.Name, m.Type)
			}
		}
		for j := range m.Type.NumOut() {
			if lm.Type.Out(j) != m.Type.Out(j) {
				t.Errorf("Live.%s is %s, Engine.%s is %s", m.Name, lm.Type, m.Name, m.Type)
			}
		}
	}
}

// The FAQ-only engine answers the common questions at once; once the full
// engine is swapped in, the same Live answers from the laws.
func TestOpenFAQThenSwapInTheFullEngine(t *testing.T) {
	ctx := context.Background()
	faqOnly, err := OpenFAQ(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer faqOnly.Close()
	live := NewLive(faqOnly)
	a, err := live.Answer(ctx, "被电信诈骗了怎么办")
	if err != nil || a.Kind != KindFAQ {
		t.Fatalf("FAQ-only answer = %+v, %v; want a FAQ answer", a, err)
	}
	if live.HasCorpus() {
		t.Error("the FAQ-only engine claims a corpus")
	}
	full := mustEngine(t, fixtureLaws())
	if old := live.Swap(full); old != faqOnly {
		t.Error("Swap did not return the engine it replaced")
	}
	mustAnswerCitation(t, full)
	if a, err := live.Answer(ctx, "民法典第1079条"); err != nil || a.Kind != KindCitation {
		t.Fatalf("after the swap: %+v, %v; want the article", a, err)
	}
}
