package knowledge

import (
	"fmt"
	"os"
	"slices"
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

// TestFAQMatchPrefersEntriesAboutTheQuestion: an entry that mentions the
// question's words in one aside (见义勇为能不能申请法律援助) must not beat the
// entries that are about them. The question itself is held out of the
// pack, so the matcher, not a copied phrasing, decides.
func TestFAQMatchPrefersEntriesAboutTheQuestion(t *testing.T) {
	pack, err := faq.Starter()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ q, topic string }{
		{"法律援助怎么申请", "legal-aid"},
		{"怎么申请法律援助", "legal-aid"},
	} {
		entries := make([]faq.Entry, len(pack.Entries))
		for i, e := range pack.Entries {
			e.Paraphrases = slices.DeleteFunc(slices.Clone(e.Paraphrases), func(p string) bool { return p == c.q })
			entries[i] = e
		}
		got, score := newFAQMatcher(entries).best(c.q)
		if got < 0 || !slices.Contains(entries[got].Topics, c.topic) {
			id := ""
			if got >= 0 {
				id = entries[got].ID
			}
			t.Errorf("%s → %s (%.2f), want an entry of topic %s", c.q, id, score, c.topic)
		}
	}
}
