package bot

import (
	"strings"
	"testing"

	"github.com/pufabot/pufabot/knowledge"
)

func TestHitListMarksArticlesNotLoaded(t *testing.T) {
	hits := []knowledge.Hit{
		{ID: "a1", Citation: "《中华人民共和国劳动合同法》第三十条", Loaded: true},
		{Citation: "《劳动保障监察条例》第九条"},
	}
	got := hitList(hits, 1)
	lines := strings.Split(got, "\n\n")
	if len(lines) != 2 {
		t.Fatalf("hitList = %q", got)
	}
	if strings.Contains(lines[0], knowledge.NotLoadedNote) {
		t.Errorf("loaded article marked as not loaded: %q", lines[0])
	}
	if !strings.Contains(lines[1], knowledge.NotLoadedNote) {
		t.Errorf("article without text not marked: %q", lines[1])
	}
}
