package knowledge

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pufabot/pufabot/internal/shared"
)

// readMessages reads a labelled message file of testdata/intent: one
// message a line, "# " comments.
func readMessages(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "intent", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "# ") {
			continue
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// readMessageParts reads a held-out message file in its parts, split where
// a comment says the lines below were written later.
func readMessageParts(t *testing.T, name string) [][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "intent", name))
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]string{nil}
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "# The lines below were written after"):
			parts = append(parts, nil)
		case l == "" || strings.HasPrefix(l, "# "):
		default:
			parts[len(parts)-1] = append(parts[len(parts)-1], l)
		}
	}
	return parts
}

func TestSmallTalk(t *testing.T) {
	cases := []struct {
		msg  string
		want TalkKind // "" = not small talk
	}{
		{"你好", TalkGreeting},
		{"您好，在吗？", TalkGreeting},
		{"hello", TalkGreeting},
		{"ni hao", TalkGreeting},
		{"谢谢！", TalkThanks},
		{"好的谢谢啦", TalkThanks},
		{"OK谢谢", TalkThanks},
		{"拜拜", TalkBye},
		{"88", TalkBye},
		{"你是谁", TalkIdentity},
		{"你好，你是机器人吗", TalkIdentity},
		{"好的", TalkAck},
		{"嗯嗯", TalkAck},
		{"哈哈哈哈", TalkAck},
		{"👍", TalkAck},
		{"🙏🙏", TalkAck},
		{"[微笑]", TalkAck},
		{"我想咨询一下", TalkOpen},
		{"有个事想问问", TalkOpen},
		{"你好呀，请问一下", TalkOpen},
		{"能帮我吗", TalkOpen},
		{"亲在吗", TalkOpen},
		{"在不", TalkOpen},
		{"好吗", TalkOpen},
		{"我想咨询一下离婚的事", ""},
		{"？？？", ""},
		{"今天晚饭吃什么好呢", ""},
		{"你好，我想问离婚孩子归谁", ""},
		{"好的，那工资不给怎么办", ""},
		{"谢谢你，邻居占我家地怎么办", ""},
		{"在吗 被打了咋办", ""},
	}
	for _, c := range cases {
		got, ok := SmallTalk(c.msg)
		if c.want == "" {
			if ok {
				t.Errorf("SmallTalk(%q) = %s, want not small talk", c.msg, got)
			}
			continue
		}
		if !ok || got != c.want {
			t.Errorf("SmallTalk(%q) = %q, %v; want %s", c.msg, got, ok, c.want)
		}
	}
}

func TestCueScore(t *testing.T) {
	cases := []struct {
		q   string
		min float64 // at least
		max float64 // at most
	}{
		{"今天晚饭吃什么好呢", 0, 0},
		{"孩子不听话天天玩手机", 0, 0},
		{"用什么办法让孩子好好吃饭", 0, 0},
		{"被打了咋办", cueStrong, 10},
		{"工钱不给", cueStrong, 10},
		{"借钱不还咋整", cueStrong, 10}, // a lay phrase weighs what its cue weighs
		{"居住权是什么", cueStrong, 10}, // a 权 word
		{"民法典怎么规定的", cueStrong, 10},
		{"邻居家的树", cueWeak, cueWeak}, // 邻居 is weak, 树 no cue at all
		{"楼上吵", cueStrong, 10},      // 吵 is weak, and a neighbour's noise is a pair
		{"喝了酒开三轮车被查了", cueStrong, 10},
		{"老人走了房子哪个得", cueStrong, 10},
		{"离混了娃儿跟哪个", cueStrong, 10}, // typed by sound
		{"劳动法怎么规定的", cueStrong, 10},
		{"有没有好的减肥法", 0, 0}, // X法 counts only as a law name
		{"红烧肉的做法和炒法", 0, 0},
		{"打麻将算番法", 0, 0},
		{"垃圾怎么分类", 0, 0},
		{"这几天受罪了", 0, 0},
	}
	for _, c := range cases {
		if got := cueScore(c.q); got < c.min || got > c.max {
			t.Errorf("cueScore(%q) = %v, want in [%v, %v]", c.q, got, c.min, c.max)
		}
	}
}

// TestEveryCueCanFire: every legal cue counts in a message holding it.
// Cues are scored on the message as written, since question words that
// the cleaned question drops are part of some (怎么分, 罪吗).
func TestEveryCueCanFire(t *testing.T) {
	e := mustEngine(t)
	for k, w := range legalCues {
		if w == 0 {
			continue
		}
		q := "请问" + k + "？"
		if got := e.legalEvidence(q); got < w {
			t.Errorf("legalEvidence(%q) = %v, want ≥ %v (the weight of %q)", q, got, w, k)
		}
	}
}

// TestAnswerOffTopic: on the default corpus (the FAQ starter pack only),
// small talk gets a small-talk answer, chatter the not-found answer with
// nothing cited, and a legal question still its answer.
func TestAnswerOffTopic(t *testing.T) {
	e := mustEngine(t)
	ctx := context.Background()
	cases := []struct {
		q    string
		kind Kind
		talk TalkKind
	}{
		{"今天晚饭吃什么好呢", KindNone, ""},
		{"微信怎么转账", KindNone, ""}, // once answered by a FAQ entry on transfers
		{"可以", KindSmallTalk, TalkAck},
		{"你好", KindSmallTalk, TalkGreeting},
		{"谢谢", KindSmallTalk, TalkThanks},
		{"你是谁", KindSmallTalk, TalkIdentity},
		{"👍", KindSmallTalk, TalkAck},
		{"我想咨询一下", KindSmallTalk, TalkOpen},
		{"被电信诈骗了怎么办", KindFAQ, ""},
	}
	for _, c := range cases {
		a, err := e.Answer(ctx, c.q)
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind != c.kind || a.Talk != c.talk {
			t.Errorf("%q: kind %s talk %q, want %s %q", c.q, a.Kind, a.Talk, c.kind, c.talk)
		}
		if c.kind != KindFAQ && (len(a.Hits) > 0 || len(a.Suggestions) > 0 || a.FAQ != nil) {
			t.Errorf("%q: %s answer cites %+v, suggests %+v", c.q, a.Kind, a.Hits, a.Suggestions)
		}
		text := RenderText(a)
		switch c.kind {
		case KindSmallTalk:
			if strings.Contains(text, "没有找到") {
				t.Errorf("%q: small talk rendered as not found:\n%s", c.q, text)
			}
		case KindNone:
			for _, want := range []string{"转人工", "12348"} {
				if !strings.Contains(text, want) {
					t.Errorf("%q: not-found text lacks %q:\n%s", c.q, want, text)
				}
			}
		}
	}
}

// TestQuestionAboutLawNotLoaded: a question about a law of which no text
// is loaded gets a notice saying so, not articles of other laws.
func TestQuestionAboutLawNotLoaded(t *testing.T) {
	e := mustEngine(t, fixtureLaws())
	a, err := e.Answer(context.Background(), "劳动合同法第38条规定了什么")
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != KindNone || len(a.Hits) > 0 || !strings.Contains(a.Notice, "劳动合同法") {
		t.Errorf("citation of a law not loaded: kind %s, notice %q, hits %+v", a.Kind, a.Notice, a.Hits)
	}
	// Named without an article, it is said to be missing; the laws that
	// are loaded may still answer.
	a, err = e.Answer(context.Background(), "违反《重庆市婚姻登记办法》离婚登记有效吗")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Notice, "知识库里没有《重庆市婚姻登记办法》") {
		t.Errorf("named law not loaded: notice %q", a.Notice)
	}
	// A loaded law named beside a missing one still gets its answer.
	a, err = e.Answer(context.Background(), "《民法典》和《重庆市物业管理条例》对离婚冷静期怎么规定的")
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind == KindNone {
		t.Errorf("question naming a loaded law got none (notice %q)", a.Notice)
	}
}

// TestIntentLabelledDefaultCorpus checks the labelled messages on the
// default corpus, where only cue words and the FAQ speak.
func TestIntentLabelledDefaultCorpus(t *testing.T) {
	e := mustEngine(t)
	ctx := context.Background()
	nonLegal := readMessages(t, "nonlegal.txt")
	legal := readMessages(t, "legal.txt")
	if len(nonLegal) < 300 || len(legal) < 100 {
		t.Fatalf("labelled set too small: %d non-legal, %d legal", len(nonLegal), len(legal))
	}
	off := 0
	for _, q := range nonLegal {
		a, err := e.Answer(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind == KindNone || a.Kind == KindSmallTalk {
			off++
		} else {
			t.Logf("non-legal answered as %s: %s", a.Kind, q)
		}
	}
	kept := 0
	for _, q := range legal {
		if _, talk := SmallTalk(q); !talk && e.legalEvidence(q) >= legalThreshold {
			kept++
		} else {
			t.Logf("legal question gated: %s", q)
		}
	}
	t.Logf("default corpus: non-legal not answered %d/%d (%.1f%%); legal questions passed %d/%d (%.1f%%)",
		off, len(nonLegal), pct(off, len(nonLegal)), kept, len(legal), pct(kept, len(legal)))
	if pct(off, len(nonLegal)) < 95 {
		t.Errorf("only %.1f%% of non-legal messages get none or small talk, want ≥ 95%%", pct(off, len(nonLegal)))
	}
	if pct(kept, len(legal)) < 90 {
		t.Errorf("only %.1f%% of legal questions pass the gate, want ≥ 90%%", pct(kept, len(legal)))
	}
}

func pct(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return 100 * float64(n) / float64(total)
}

// TestIntentGate measures the gate on the evaluation corpus: the labelled
// messages and the training questions, answered as a resident would get
// them. With -v it prints the threshold's trade-off curve:
//
//	PUFABOT_BENCH_DATA=/tmp/pufabot-bench go test -run TestIntentGate -v ./knowledge
func TestIntentGate(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the evaluation corpus index: skipped with -short")
	}
	o := evalOptions(t)
	e, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	measureGate(t, e)
}

// TestIntentGateBuiltin is TestIntentGate on the default corpus, the
// embedded national laws (no labelled examples).
func TestIntentGateBuiltin(t *testing.T) {
	if _, ok := os.LookupEnv("PUFABOT_INTENT_BUILTIN"); !ok {
		t.Skip("set PUFABOT_INTENT_BUILTIN=1 to answer the training questions on the embedded corpus (a minute)")
	}
	measureGate(t, builtinEngine(t))
}

// measureGate answers the labelled messages and the training questions,
// checks the targets and logs the trade-off curve.
func measureGate(t *testing.T, e *Engine) {
	t.Helper()
	set, err := ReadExamples(shared.EvalSet(t))
	if err != nil {
		t.Fatal(err)
	}
	var stard []string
	for _, ex := range set {
		stard = append(stard, ex.Query)
	}
	nonLegal := readMessages(t, "nonlegal.txt")
	legal := readMessages(t, "legal.txt")
	ctx := context.Background()

	// What residents get.
	answered := func(qs []string, label string, wantAnswer bool) int {
		n := 0
		for _, q := range qs {
			a, err := e.Answer(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got := a.Kind != KindNone && a.Kind != KindSmallTalk
			if got {
				n++
			}
			if got != wantAnswer {
				t.Logf("%s: %s → %s", label, oneLine(q), a.Kind)
			}
		}
		return n
	}
	nl := len(nonLegal) - answered(nonLegal, "non-legal answered", false)
	lk := answered(legal, "legal not answered", true)
	sk := answered(stard, "training question not answered", true)
	t.Logf("non-legal messages given none or small talk: %d/%d (%.1f%%)", nl, len(nonLegal), pct(nl, len(nonLegal)))
	t.Logf("borderline legal questions answered: %d/%d (%.1f%%)", lk, len(legal), pct(lk, len(legal)))
	t.Logf("training questions answered: %d/%d (%.1f%%; lost %.1f%%)", sk, len(stard), pct(sk, len(stard)), 100-pct(sk, len(stard)))
	if pct(nl, len(nonLegal)) < 95 {
		t.Errorf("non-legal messages gated: %.1f%%, want ≥ 95%%", pct(nl, len(nonLegal)))
	}
	if lost := 100 - pct(sk, len(stard)); lost > 2 {
		t.Errorf("training questions losing their answer: %.1f%%, want ≤ 2%%", lost)
	}
	if pct(lk, len(legal)) < 95 {
		t.Errorf("borderline legal questions answered: %.1f%%, want ≥ 95%%", pct(lk, len(legal)))
	}

	// The held-out sets, never used to choose cues: how the gate does on
	// phrasings it was not fitted to.
	// Part 1 of each was written before the cues were looked at and the
	// cues were then improved by kind of miss; part 2 was written after and
	// never tuned on.
	for i, part := range readMessageParts(t, "nonlegal-heldout.txt") {
		n := len(part) - answered(part, fmt.Sprintf("held-out non-legal (part %d) answered", i+1), false)
		t.Logf("held-out non-legal messages, part %d, given none or small talk: %d/%d (%.1f%%)", i+1, n, len(part), pct(n, len(part)))
	}
	for i, part := range readMessageParts(t, "legal-heldout.txt") {
		n := answered(part, fmt.Sprintf("held-out legal (part %d) not answered", i+1), true)
		t.Logf("held-out legal questions, part %d, answered: %d/%d (%.1f%%)", i+1, n, len(part), pct(n, len(part)))
	}

	// The trade-off curve: the gate alone, at other thresholds.
	evidence := func(qs []string) []float64 {
		out := make([]float64, len(qs))
		for i, q := range qs {
			if _, talk := SmallTalk(q); talk {
				out[i] = -1
				continue
			}
			out[i] = e.legalEvidence(q)
		}
		return out
	}
	en, el, es := evidence(nonLegal), evidence(legal), evidence(stard)
	var b strings.Builder
	fmt.Fprintf(&b, "threshold | non-legal gated | borderline legal passed | training passed\n")
	for _, th := range []float64{0, 1, 2, 3, 4, 5} { // evidence comes in whole numbers
		count := func(xs []float64, pass bool) int {
			n := 0
			for _, x := range xs {
				if (x >= th) == pass {
					n++
				}
			}
			return n
		}
		mark := ""
		if th == legalThreshold {
			mark = " (in use)"
		}
		fmt.Fprintf(&b, "%9.1f | %15.1f%% | %22.1f%% | %14.1f%%%s\n", th,
			pct(count(en, false), len(en)), pct(count(el, true), len(el)), pct(count(es, true), len(es)), mark)
	}
	t.Logf("trade-off of the legal-evidence threshold:\n%s", b.String())
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}
