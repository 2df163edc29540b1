package knowledge

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pufabot/pufabot/knowledge/corpus/embedded"
)

// builtinIndex is the one index of the embedded corpus the package's tests
// share: building it takes seconds.
var builtinIndex struct {
	once sync.Once
	dir  string
	eng  *Engine
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtinIndex.eng != nil {
		builtinIndex.eng.Close()
	}
	if builtinIndex.dir != "" {
		os.RemoveAll(builtinIndex.dir)
	}
	os.Exit(code)
}

// longTests reports whether PUFABOT_LONG_TESTS asks for the slow tests.
func longTests() bool {
	v, _ := strconv.ParseBool(os.Getenv("PUFABOT_LONG_TESTS"))
	return v
}

// builtinEngine returns the shared engine over the embedded corpus only.
func builtinEngine(t *testing.T) *Engine {
	t.Helper()
	if testing.Short() {
		t.Skip("building the index of the embedded corpus takes seconds")
	}
	if raceDetector && !longTests() {
		t.Skip("building the index of the embedded corpus under -race takes minutes (PUFABOT_LONG_TESTS=1 runs it)")
	}
	b := &builtinIndex
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "pufabot-builtin-")
		if b.err == nil {
			b.eng, b.err = Open(context.Background(), Options{DataDir: b.dir, Embedded: true})
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.eng
}

// TestBuiltinCorpusAnswers is what a fresh clone with no corpus folder
// answers: the exact text of a cited article, and cited labour-law
// articles with their text for an everyday question.
func TestBuiltinCorpusAnswers(t *testing.T) {
	e := builtinEngine(t)
	ctx := context.Background()
	st := e.Stats()
	if st.Articles < embedded.Info().Articles {
		t.Errorf("%d articles indexed, the embedded corpus has %d", st.Articles, embedded.Info().Articles)
	}
	if snap, ok := e.Builtin(); !ok || snap != embedded.Snapshot() {
		t.Errorf("Builtin() = %q, %v", snap, ok)
	}
	a, err := e.Answer(ctx, "民法典第1079条")
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != KindCitation || len(a.Hits) == 0 || !strings.HasPrefix(a.Hits[0].Text, "夫妻一方要求离婚的") {
		t.Fatalf("民法典第1079条: kind %s, hits %+v", a.Kind, a.Hits)
	}
	a, err = e.Answer(ctx, "公司不给加班费怎么办")
	if err != nil {
		t.Fatal(err)
	}
	labour := 0
	for _, h := range a.Hits {
		if (h.Law == "中华人民共和国劳动法" || h.Law == "中华人民共和国劳动合同法") && h.Snippet != "" {
			labour++
		}
	}
	if labour == 0 {
		t.Errorf("公司不给加班费怎么办: no 劳动法 or 劳动合同法 article with text in %s answer:\n%s", a.Kind, RenderText(a))
	}
}

// TestBuiltinOff checks that an engine without Embedded has no law text.
func TestBuiltinOff(t *testing.T) {
	e := mustEngine(t)
	if e.HasCorpus() {
		t.Error("an engine with neither Embedded nor Laws has articles")
	}
	if _, ok := e.Builtin(); ok {
		t.Error("Builtin() reports the embedded corpus on an engine without it")
	}
}
