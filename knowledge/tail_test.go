package knowledge

import (
	"context"
	"reflect"
	"testing"
)

func TestUnigrams(t *testing.T) {
	got := Unigrams("被人骗了, ABC 12３")
	want := []string{"被", "人", "骗", "了"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Unigrams = %q, want %q", got, want)
	}
	toks := zhUnigramAnalyzer{}.Analyze([]byte("诈骗罪"))
	if len(toks) != 3 || string(toks[1].Term) != "骗" || toks[1].Position != 2 {
		t.Fatalf("unigram tokens = %v", toks)
	}
}

// TestTailKeepsHead: re-ranking below TailFrom never changes the head, and
// the list stays in score order.
func TestTailKeepsHead(t *testing.T) {
	e := mustOpenRetrieval(t, retrievalExamples)
	ctx := context.Background()
	p := DefaultParams()
	p.TailFrom = 2
	p.WTailLaw, p.WTailNeighbour, p.WTailCoCited, p.WTailPRF = 5, 5, 5, 5
	e.SetParams(p)
	tailed, _, err := e.rank(ctx, dvQuestion, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.TailFrom = 0
	e.SetParams(p)
	plain, _, err := e.rank(ctx, dvQuestion, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain) < 2 || len(tailed) < 2 {
		t.Fatalf("too few results: %d, %d", len(plain), len(tailed))
	}
	for i := 0; i < 2; i++ {
		if plain[i].art != tailed[i].art {
			t.Fatalf("head %d: %v with tail, %v without", i, tailed[i], plain[i])
		}
	}
	for i := 1; i < len(tailed); i++ {
		if tailed[i].score > tailed[i-1].score {
			t.Fatalf("not in score order at %d: %v", i, tailed)
		}
	}
}
