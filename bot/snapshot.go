package bot

import (
	"strings"
	"time"
)

// builtinLaws is implemented by a knowledge base that carries law texts
// built into the binary (*knowledge.Engine does).
type builtinLaws interface {
	Builtin() (snapshot string, ok bool)
}

// lawSnapshotLine tells residents how current the built-in law texts are,
// or is empty when the knowledge base has none.
func (b *Bot) lawSnapshotLine() string {
	k, ok := b.kb.(builtinLaws)
	if !ok {
		return ""
	}
	snap, ok := k.Builtin()
	if !ok {
		return ""
	}
	return "📚 法律条文依据国家法律法规数据库，截至" + chineseDate(snap) + "。\n\n"
}

// chineseDate writes YYYY-MM-DD as 2025年4月19日 (unchanged if it is not a date).
func chineseDate(s string) string {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return s
	}
	return t.Format("2006年1月2日")
}
