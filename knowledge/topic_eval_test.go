package knowledge

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pufabot/pufabot/internal/shared"
)

// topicLabels is the hand-labelled set (testdata/topics.md explains it).
const topicLabels = "testdata/topics.jsonl"

// otherTopic is how the labelled set writes "no topic" (其他).
const otherTopic = "other"

// minTopicAgreement is the share of labelled questions whose answer must
// carry the labelled topic.
const minTopicAgreement = 0.85

type topicLabel struct {
	Question string `json:"question"`
	Stard    *int   `json:"stard"`
	Topic    string `json:"topic"`
	Source   string `json:"source"`
}

// readTopicLabels reads the labelled set, taking the text of STARD
// questions from the shared training file by id.
func readTopicLabels(t *testing.T) []topicLabel {
	t.Helper()
	stard := map[int]string{}
	f, err := os.Open(shared.EvalSet(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var q struct {
			ID    int    `json:"id"`
			Query string `json:"query"`
		}
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatal(err)
		}
		stard[q.ID] = q.Query
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(topicLabels)
	if err != nil {
		t.Fatal(err)
	}
	var out []topicLabel
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var l topicLabel
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%s:%d: %v", topicLabels, i+1, err)
		}
		if l.Stard != nil {
			q, ok := stard[*l.Stard]
			if !ok {
				t.Fatalf("%s:%d: no STARD question %d", topicLabels, i+1, *l.Stard)
			}
			l.Question = q
		}
		out = append(out, l)
	}
	return out
}

// TestTopicLabelsValid checks the labelled set itself: enough questions,
// every label a topic of the starter pack or "other", no question twice.
func TestTopicLabelsValid(t *testing.T) {
	labels := readTopicLabels(t)
	e := mustEngine(t)
	known := map[string]bool{otherTopic: true}
	for _, tp := range e.Topics() {
		known[tp.ID] = true
	}
	seen := map[string]bool{}
	for _, l := range labels {
		if !known[l.Topic] {
			t.Errorf("%q: unknown topic %q", l.Question, l.Topic)
		}
		if seen[l.Question] {
			t.Errorf("%q labelled twice", l.Question)
		}
		seen[l.Question] = true
	}
	if len(labels) < 300 {
		t.Errorf("%d labelled questions, want at least 300", len(labels))
	}
}

// topicEngine is an engine over the evaluation corpus without labelled
// examples (STARD questions are in the labelled set, and examples would
// vote for their own articles), built once under $PUFABOT_BENCH_DATA.
var topicEngine struct {
	once sync.Once
	e    *Engine
	err  error
}

func openTopicEngine(t *testing.T) *Engine {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the evaluation index: skipped with -short")
	}
	base := os.Getenv("PUFABOT_BENCH_DATA")
	if base == "" {
		t.Skip("set PUFABOT_BENCH_DATA to a cache folder to measure topics on the evaluation corpus")
	}
	dirs := shared.EvalCorpusDirs(t)
	topicEngine.once.Do(func() {
		topicEngine.e, topicEngine.err = Open(context.Background(), Options{DataDir: filepath.Join(base, "topics"), Laws: dirs})
	})
	if topicEngine.err != nil {
		t.Fatalf("open evaluation index: %v", topicEngine.err)
	}
	return topicEngine.e
}

// TestTopicAgreement measures how often the topic the engine gives an
// answer equals the hand label, on the evaluation corpus; it prints the
// agreement by source and kind of answer and the most frequent confusions,
// and fails below minTopicAgreement.
func TestTopicAgreement(t *testing.T) {
	if got := topicAgreement(t, openTopicEngine(t)); got < minTopicAgreement {
		t.Errorf("topic agreement %.1f%%, want at least %.0f%%", 100*got, 100*minTopicAgreement)
	}
}

// TestTopicAgreementBuiltin reports the agreement with the default corpus,
// the law texts built into the binary (national laws and judicial
// interpretations, no State Council regulations): a figure, not a gate.
func TestTopicAgreementBuiltin(t *testing.T) {
	if os.Getenv("PUFABOT_BENCH_DATA") == "" {
		t.Skip("set PUFABOT_BENCH_DATA to measure topics")
	}
	topicAgreement(t, builtinEngine(t))
}

// topicAgreement answers the labelled set with e, logs the agreement by
// source, answer kind and label, the confusions and the other vote rules
// measured on the same answers, and returns the agreement.
func topicAgreement(t *testing.T, e *Engine) float64 {
	t.Helper()
	labels := readTopicLabels(t)
	ctx := context.Background()
	type tally struct{ n, ok int }
	var all, answered tally // answered: kind other than none
	var unlikeFAQ tally     // own and stard: not paraphrases of curated questions
	bySource, byKind := map[string]*tally{}, map[string]*tally{}
	confusions := map[string]int{}
	perTopic := map[string]*tally{} // by label: recall
	// Other vote rules, measured on the same answers for the record.
	variants := map[string][]float64{"first hit": {1}, "1, 0.6, 0.5 (used)": topicVoteWeights, "equal top 3": {1, 1, 1}, "1/rank top 3": {1, 0.5, 1.0 / 3}}
	variantOK := map[string]int{}
	add := func(m map[string]*tally, k string, ok bool) {
		if m[k] == nil {
			m[k] = &tally{}
		}
		m[k].n++
		if ok {
			m[k].ok++
		}
	}
	for _, l := range labels {
		a, err := e.Answer(ctx, l.Question)
		if err != nil {
			t.Fatal(err)
		}
		got := a.Topic
		if got == "" {
			got = otherTopic
		}
		ok := got == l.Topic
		all.n++
		if ok {
			all.ok++
		} else {
			confusions[l.Topic+" → "+got]++
		}
		if a.Kind != KindNone {
			answered.n++
			if ok {
				answered.ok++
			}
		}
		source, _, _ := strings.Cut(l.Source, ":")
		if source != "faq" {
			unlikeFAQ.n++
			if ok {
				unlikeFAQ.ok++
			}
		}
		add(bySource, source, ok)
		add(byKind, string(a.Kind), ok)
		add(perTopic, l.Topic, ok)
		for name, w := range variants {
			v := got
			if a.Kind == KindArticles {
				if v = e.topics.vote(a.Hits, w); v == "" {
					v = otherTopic
				}
			}
			if v == l.Topic {
				variantOK[name]++
			}
		}
		if !ok && testing.Verbose() {
			first := ""
			if len(a.Hits) > 0 {
				first = a.Hits[0].Citation + " " + strings.Join(a.Hits[0].Headings, "/")
			}
			t.Logf("miss [%s] %s: label %s, got %s (%s) %s", l.Source, l.Question, l.Topic, got, a.Kind, first)
		}
	}
	pct := func(x tally) string { return fmt.Sprintf("%d/%d = %.1f%%", x.ok, x.n, 100*float64(x.ok)/float64(x.n)) }
	var b strings.Builder
	fmt.Fprintf(&b, "topic agreement: %s\n", pct(all))
	fmt.Fprintf(&b, "  on the questions answered (kind not none): %s\n", pct(answered))
	fmt.Fprintf(&b, "  without the FAQ paraphrases (own + stard): %s\n", pct(unlikeFAQ))
	for _, m := range []struct {
		name string
		m    map[string]*tally
	}{{"source", bySource}, {"answer kind", byKind}, {"label", perTopic}} {
		keys := make([]string, 0, len(m.m))
		for k := range m.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "  by %s %-18s %s\n", m.name, k, pct(*m.m[k]))
		}
	}
	type pair struct {
		k string
		n int
	}
	var cs []pair
	for k, n := range confusions {
		cs = append(cs, pair{k, n})
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].n > cs[j].n || cs[i].n == cs[j].n && cs[i].k < cs[j].k })
	b.WriteString("  confusions (label → engine):\n")
	for _, c := range cs {
		fmt.Fprintf(&b, "    %3d  %s\n", c.n, c.k)
	}
	names := make([]string, 0, len(variants))
	for k := range variants {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, "  vote rule %-20s %.1f%%\n", k, 100*float64(variantOK[k])/float64(all.n))
	}
	t.Log("\n" + b.String())
	return float64(all.ok) / float64(all.n)
}

// topicAcceptance are the questions the acceptance names, asked
// plainly: a loan, a divorce, an inheritance, a traffic accident, a dog bite
// and unpaid wages.
var topicAcceptance = []struct{ question, want string }{
	{"别人借我的钱不还怎么办", "debt"},
	{"我想和老公离婚，该怎么办", "family"},
	{"父母去世后遗产怎么继承", "inheritance"},
	{"出了交通事故怎么赔偿", "traffic"},
	{"被狗咬了谁负责", "injury"},
	{"邻居家的狗把我娃咬了", "injury"},
	{"老板拖欠工资不给怎么办", "labour"},
}

// topicVariants ask the same six things in longer, more particular words,
// which the curated entries rarely match, so that ranked articles answer.
// At most maxVariantMisses of them may miss: a miss here is a ranking miss
// (the wrong article first) or the gate turning the question away, which
// the topic cannot repair.
var topicVariants = []struct{ question, want string }{
	{"朋友找我借了三万块钱，说好年底还，现在一直拖着不还", "debt"},
	{"借给别人的钱约定了利息，对方只还本金不给利息", "debt"},
	{"老公要跟我离婚，房子和孩子怎么判", "family"},
	{"夫妻感情不和分居了，起诉离婚法院会不会判离", "family"},
	{"爷爷去世了没有遗嘱，他的房子几个子女怎么分", "inheritance"},
	{"父亲生前立了遗嘱，兄弟姐妹对遗产分配有争议", "inheritance"},
	{"骑电动车在路口被汽车撞伤了，对方该赔哪些钱", "traffic"},
	{"开车追尾了前面的车，交警认定我全责，保险怎么赔", "traffic"},
	{"被邻居家养的狗咬伤了腿，狗主人不肯赔医药费", "injury"},
	{"走在路上被一条没拴绳的大狗扑倒咬伤", "injury"},
	{"在建筑工地干了几个月，包工头一直拖欠工资不发", "labour"},
	{"公司三个月没发工资了，老板说没钱", "labour"},
}

// maxVariantMisses is how many topicVariants may get another topic.
const maxVariantMisses = 1

// TestTopicAcceptance: on the evaluation corpus each acceptance question
// is counted under its topic, and all but maxVariantMisses of the variants.
func TestTopicAcceptance(t *testing.T) {
	e := openTopicEngine(t)
	checkTopicAcceptance(t, e)
	var misses []string
	for _, c := range topicVariants {
		a := topicAnswer(t, e, c.question)
		if a.Topic != c.want {
			misses = append(misses, fmt.Sprintf("%s: topic %q (%s), want %q", c.question, a.Topic, describeAnswer(a), c.want))
			continue
		}
		t.Logf("variant %s: %q (%s)", c.question, a.Topic, describeAnswer(a))
	}
	t.Logf("variants with the right topic: %d of %d", len(topicVariants)-len(misses), len(topicVariants))
	for _, m := range misses {
		if len(misses) > maxVariantMisses {
			t.Errorf("variant %s", m)
		} else {
			t.Logf("variant miss (allowed): %s", m)
		}
	}
}

// TestTopicAcceptanceBuiltin: with the default corpus (the law texts built
// into the binary, what a fresh clone answers from), the acceptance
// questions are counted under their topics too.
func TestTopicAcceptanceBuiltin(t *testing.T) {
	checkTopicAcceptance(t, builtinEngine(t))
}

// TestTopicAcceptanceWithoutCorpus: with neither law folders nor the
// built-in texts, curated answers give the acceptance questions their
// topics.
func TestTopicAcceptanceWithoutCorpus(t *testing.T) {
	checkTopicAcceptance(t, mustEngine(t))
}

func checkTopicAcceptance(t *testing.T, e *Engine) {
	t.Helper()
	for _, c := range topicAcceptance {
		a := topicAnswer(t, e, c.question)
		if a.Topic != c.want {
			t.Errorf("%s: topic %q (%s), want %q", c.question, a.Topic, describeAnswer(a), c.want)
			continue
		}
		t.Logf("%s: %q (%s)", c.question, a.Topic, describeAnswer(a))
	}
}

func topicAnswer(t *testing.T, e *Engine, q string) *Answer {
	t.Helper()
	a, err := e.Answer(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func describeAnswer(a *Answer) string {
	if len(a.Hits) == 0 {
		return string(a.Kind)
	}
	return string(a.Kind) + ", first " + a.Hits[0].Citation
}
