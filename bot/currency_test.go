package bot

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pufabot/pufabot/knowledge"
)

// TestCardsShowLawVersionsAndRevisions runs the bot on the real engine over
// the 2012 治安管理处罚法 fixture, on a day after its 2025 revision took
// effect: the answer card, the full-text view and a question about a law
// that is not loaded all say so before any article.
func TestCardsShowLawVersionsAndRevisions(t *testing.T) {
	now := time.Date(2026, 11, 29, 4, 0, 0, 0, time.UTC)
	eng, err := knowledge.Open(context.Background(), knowledge.Options{
		DataDir: t.TempDir(),
		Laws:    []string{filepath.Join("..", "knowledge", "testdata", "currency", "old")},
		Now:     func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	h := newHarness(t, func(o *Options) { o.Knowledge = eng })
	h.start()

	const warning = "❗ 以下引用的《中华人民共和国治安管理处罚法》是2012年修正的文本，该法已于2025年6月27日修订，2026年1月1日起施行，以下条文可能已有变化，请以新法为准。"
	h.say(alice, alice, "打架了派出所会怎么处罚")
	card := h.lastMessage(alice)
	contains(t, card.Text, warning)
	contains(t, card.Text, "<b>《中华人民共和国治安管理处罚法》（2012年修正）第")
	contains(t, card.Text, "flk.npc.gov.cn")

	h.press(alice, alice, card, btnFullText(1))
	full := h.last(alice)
	contains(t, full, warning)
	contains(t, full, "📜 <b>《中华人民共和国治安管理处罚法》（2012年修正）第")

	h.say(alice, alice, "治安管理处罚法第43条")
	cited := h.last(alice)
	contains(t, cited, warning)
	contains(t, cited, "殴打他人的")

	h.say(alice, alice, "民营经济促进法有哪些规定")
	missing := h.last(alice)
	contains(t, missing, "《中华人民共和国民营经济促进法》已于2025年4月30日通过，2025年5月20日起施行。本机的法律库还没有收录这部法律的全文")
	notContains(t, missing, "抱歉")
	notContains(t, missing, "治安管理处罚法")
}
