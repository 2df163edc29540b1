package knowledge

import (
	"context"
	"os"
	"reflect"
	"testing"

	"github.com/pufabot/pufabot/internal/shared"
)

// unlikeQuestion shares one bigram (走人, inside 走人民法院) with the labelled
// example ex-quit and nothing else with either example: a labelled question
// that is found, but is not close.
const unlikeQuestion = "婚约解除以后对方不肯返还彩礼，我们打算走人民法院的程序"

// TestUnlikeQuestionRanksAsWithoutExamples: a question no labelled question
// is close to gets exactly the ranking it gets without examples, while a
// paraphrase of a labelled question still learns from it.
func TestUnlikeQuestionRanksAsWithoutExamples(t *testing.T) {
	ctx := context.Background()
	plain := mustOpenRetrieval(t)
	taught := mustOpenRetrieval(t, retrievalExamples)
	rank := func(e *Engine, q string) []scored {
		t.Helper()
		r, _, err := e.rank(ctx, q, 20, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	want := rank(plain, unlikeQuestion)
	if len(want) == 0 {
		t.Fatalf("no results for %q without examples; the fixture no longer tests anything", unlikeQuestion)
	}

	// Votes that ignore closeness reach the unlike question: the fixture
	// does exercise the examples.
	loose := DefaultParams()
	loose.ExampleFloor, loose.ExampleNear = 0, 0
	loose.ExampleRankByCloseness, loose.CoCitedByCloseness = false, false
	taught.SetParams(loose)
	if got := rank(taught, unlikeQuestion); reflect.DeepEqual(got, want) {
		t.Fatalf("with closeness ignored, %q ranks as without examples; ex-quit no longer reaches it", unlikeQuestion)
	}

	taught.SetParams(DefaultParams())
	if got := rank(taught, unlikeQuestion); !reflect.DeepEqual(got, want) {
		t.Errorf("unlike question ranks differently with examples:\n with    %v\n without %v", got, want)
	}
	hits, err := taught.Search(ctx, dvQuestion, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].Law != "中华人民共和国示例家庭法" || hits[0].Article != 2 {
		t.Errorf("with examples, top hit for the paraphrase %q = %+v, want 示例家庭法 第二条", dvQuestion, hits)
	}
}

func TestTrust(t *testing.T) {
	cases := []struct {
		name                 string
		s, floor, near, want float64
	}{
		{"below the floor", 0.05, 0.1, 0.3, 0},
		{"at the floor", 0.1, 0.1, 0.3, 0},
		{"half way", 0.2, 0.1, 0.3, 0.5},
		{"at near", 0.3, 0.1, 0.3, 1},
		{"a near duplicate", 1.2, 0.1, 0.3, 1},
		{"no ramp", 0.2, 0, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := trust(c.s, c.floor, c.near); got < c.want-1e-12 || got > c.want+1e-12 {
				t.Errorf("trust(%v, %v, %v) = %v, want %v", c.s, c.floor, c.near, got, c.want)
			}
		})
	}
}

// residentSet is a labelled set written in residents' own registers (long
// first-person stories, fragments, dialect, numbers and places), unlike the
// 12348 questions the examples come from.
const residentSet = "testdata/eval/resident-questions.jsonl"

// TestExamplesDoNotHurtUnlikeQuestions, on the evaluation corpus: on the
// resident set, learning from the training questions is never worse than
// not learning (R@10, R@100, MRR@10), every question no training question
// is close to ranks exactly as without them, and the held-out fold of the
// training questions keeps its figures. It builds a second evaluation
// corpus index, without examples, so it runs only with a cache folder:
//
//	PUFABOT_BENCH_DATA=/tmp/pufabot-bench go test -run TestExamplesDoNotHurtUnlikeQuestions -v ./knowledge
func TestExamplesDoNotHurtUnlikeQuestions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two evaluation corpus indexes")
	}
	if os.Getenv("PUFABOT_BENCH_DATA") == "" {
		t.Skip("set PUFABOT_BENCH_DATA to a cache folder to compare rankings with and without examples on the evaluation corpus")
	}
	ctx := context.Background()
	with, err := Open(ctx, evalOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer with.Close()
	without, err := Open(ctx, plainEvalOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer without.Close()
	set, err := ReadExamples(residentSet)
	if err != nil {
		t.Fatal(err)
	}
	if len(set) < 150 {
		t.Fatalf("resident set has %d questions, want at least 150", len(set))
	}
	rw, err := with.Evaluate(ctx, set, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ro, err := without.Evaluate(ctx, set, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("resident set, with examples:    R@10 %.3f R@100 %.3f MRR@10 %.3f", rw.Recall[10], rw.Recall[100], rw.MRR10)
	t.Logf("resident set, without examples: R@10 %.3f R@100 %.3f MRR@10 %.3f", ro.Recall[10], ro.Recall[100], ro.MRR10)
	if rw.GoldMissing > 0 || rw.Questions != len(set) {
		t.Errorf("resident set: %d questions scored of %d, %d gold articles not in the index", rw.Questions, len(set), rw.GoldMissing)
	}
	if rw.Recall[10] < ro.Recall[10] || rw.Recall[100] < ro.Recall[100] || rw.MRR10 < ro.MRR10 {
		t.Errorf("examples hurt the resident set")
	}

	unlike := 0
	for _, ex := range set {
		if with.nearestExample(ctx, ex.Query) > 0 {
			continue
		}
		unlike++
		a, _, err := with.rank(ctx, ex.Query, 100, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := without.rank(ctx, ex.Query, 100, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s %q: no labelled question is close, yet it ranks differently with them", ex.ID, ex.Query)
		}
	}
	t.Logf("resident set: %d of %d questions have no close labelled question", unlike, len(set))
	if unlike == 0 {
		t.Errorf("every resident question has a close labelled question: closeness does not tell registers apart")
	}

	// Loose neighbours about theft used to put 刑法 第二百六十四条 first.
	const drunk = "喝了酒开三轮车被交警抓了会怎么处理"
	hits, err := with.Search(ctx, drunk, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].Law != "中华人民共和国道路交通安全法" || hits[0].Article != 91 {
		var got []string
		for _, h := range hits {
			got = append(got, h.Citation)
		}
		t.Errorf("with examples, %q gets %v, want 道路交通安全法 第九十一条 first", drunk, got)
	}

	train, err := ReadExamples(shared.EvalSet(t))
	if err != nil {
		t.Fatal(err)
	}
	r0, err := with.Evaluate(ctx, train, EvalOptions{LeaveOneOut: true, Folds: 5, Fold: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("training questions, held-out fold 0: R@10 %.3f R@100 %.3f MRR@10 %.3f", r0.Recall[10], r0.Recall[100], r0.MRR10)
	if r0.Recall[10] < 0.66 || r0.Recall[100] < 0.89 || r0.MRR10 < 0.52 {
		t.Errorf("held-out fold 0 fell below R@10 0.66, R@100 0.89, MRR@10 0.52")
	}
}

// nearestExample is the trust of the labelled question closest to q, as
// rank computes it: 0 when none is close enough to vote.
func (e *Engine) nearestExample(ctx context.Context, q string) float64 {
	cleaned := CleanQuestion(q)
	acc := e.scorer.pool.Get().(*accumulator)
	defer func() {
		acc.reset()
		e.scorer.pool.Put(acc)
	}()
	mass := e.scoreExamples(ctx, acc, cleaned, Terms(cleaned))
	var exs []scored
	for _, d := range acc.touched {
		if v := e.scorer.docs[d]; v <= -2 {
			exs = append(exs, scored{-2 - v, acc.score[d]})
		}
	}
	_, near := e.votes(exs, mass, nil)
	return near
}
