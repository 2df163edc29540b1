package knowledge

import (
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/pufabot/pufabot/knowledge/faq"
)

// TestFAQMatcherCalibration holds each paraphrase out of its entry and
// checks it still finds that entry; with PUFABOT_FAQ_CALIBRATE=1 it prints
// the score distribution used to choose faqDirect and faqSuggest.
func TestFAQMatcherCalibration(t *testing.T) {
	pack, err := faq.Starter()
	if err != nil {
		t.Fatal(err)
	}
	var scores []float64
	total, right := 0, 0
	step := 5 // a sample keeps the default run short
	if os.Getenv("PUFABOT_FAQ_CALIBRATE") != "" {
		step = 1
	}
	k := 0
	for i, e := range pack.Entries {
		for j, p := range e.Paraphrases {
			k++
			if k%step != 0 {
				continue
			}
			held := e
			held.Paraphrases = append(append([]string{}, e.Paraphrases[:j]...), e.Paraphrases[j+1:]...)
			entries := append([]faq.Entry{}, pack.Entries...)
			entries[i] = held
			got, score := newFAQMatcher(entries).best(p)
			total++
			if got == i {
				right++
				scores = append(scores, score)
			}
		}
	}
	acc := float64(right) / float64(total)
	if acc < 0.5 {
		t.Errorf("held-out paraphrase top-1 accuracy %.2f, want at least 0.50", acc)
	}
	if os.Getenv("PUFABOT_FAQ_CALIBRATE") != "" {
		sort.Float64s(scores)
		fmt.Printf("accuracy %.3f over %d; correct-match score quantiles: 10%%=%.2f 25%%=%.2f 50%%=%.2f\n", acc, total,
			scores[len(scores)/10], scores[len(scores)/4], scores[len(scores)/2])
	}
}
