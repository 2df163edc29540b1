package bot

import (
	"strings"
	"testing"
)

// builtinKB is a fake knowledge base that carries built-in law texts.
type builtinKB struct {
	*fakeKB
	snapshot string
}

func (k builtinKB) Builtin() (string, bool) { return k.snapshot, k.snapshot != "" }

// TestWelcomeShowsLawSnapshot checks that /start tells residents how
// current the built-in law texts are, and says nothing of it without them.
func TestWelcomeShowsLawSnapshot(t *testing.T) {
	for _, tc := range []struct {
		name     string
		snapshot string
		want     string
	}{
		{"built-in texts", "2025-04-19", "截至2025年4月19日"},
		{"no built-in texts", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(o *Options) { o.Knowledge = builtinKB{newFakeKB(), tc.snapshot} })
			h.start()
			h.say(alice, alice, "/start")
			got := h.last(alice)
			if tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("/start lacks %q:\n%s", tc.want, got)
			}
			if tc.want == "" && strings.Contains(got, "截至") {
				t.Errorf("/start names a snapshot date without built-in texts:\n%s", got)
			}
		})
	}
}
