package knowledge

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// A curated answer may cite a regulation whose text is not loaded: the
// JSON must say so instead of showing an article with empty fields, the
// text must say so next to the citation, and the FAQ entry must use the
// documented snake_case keys.
func TestFAQHitsWithoutTextAreMarkedNotLoaded(t *testing.T) {
	e := mustEngine(t, fixtureLaws())
	ctx := context.Background()

	a, err := e.Answer(ctx, "老板拖欠工资不给，怎么讨？")
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != KindFAQ || a.FAQ == nil || a.FAQ.ID != "wage-arrears" {
		t.Fatalf("kind %s, faq %+v: want the wage-arrears entry", a.Kind, a.FAQ)
	}
	var missing *Hit
	for i, h := range a.Hits {
		if strings.Contains(h.Citation, "劳动保障监察条例") {
			missing = &a.Hits[i]
		}
		if h.Loaded {
			t.Errorf("%s marked loaded, but the fixture corpus has no such law", h.Citation)
		}
	}
	if missing == nil {
		t.Fatalf("no 劳动保障监察条例 citation in %+v", a.Hits)
	}
	text := RenderText(a)
	if !strings.Contains(text, missing.Citation+NotLoadedNote) {
		t.Errorf("text does not mark %s as not loaded:\n%s", missing.Citation, text)
	}
	raw, err := json.Marshal(View(a))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		FAQ  map[string]json.RawMessage   `json:"faq"`
		Hits []map[string]json.RawMessage `json:"hits"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "question", "answer", "articles", "topics"} {
		if _, ok := got.FAQ[k]; !ok {
			t.Errorf("faq object lacks %q: %s", k, raw)
		}
	}
	for _, k := range []string{"ID", "Question", "Source"} {
		if _, ok := got.FAQ[k]; ok {
			t.Errorf("faq object has Go field name %q: %s", k, raw)
		}
	}
	for _, h := range got.Hits {
		if string(h["loaded"]) != "false" {
			t.Errorf("hit %s: loaded = %s, want false", h["citation"], h["loaded"])
		}
	}

	// Articles whose text is loaded are marked so, and not annotated.
	a, err = e.Answer(ctx, "被电信诈骗了怎么办")
	if err != nil {
		t.Fatal(err)
	}
	loaded := 0
	for _, h := range a.Hits {
		if h.Loaded != (h.ID != "") {
			t.Errorf("%s: loaded %v with id %q", h.Citation, h.Loaded, h.ID)
		}
		if h.Loaded {
			loaded++
			if strings.Contains(RenderText(a), h.Citation+NotLoadedNote) {
				t.Errorf("%s is loaded but rendered as not loaded", h.Citation)
			}
		}
	}
	if loaded == 0 {
		t.Errorf("no loaded 反电信网络诈骗法 article among %+v", a.Hits)
	}
}
