package knowledge

import (
	"github.com/pufabot/pufabot/knowledge/faq"
)

// Kind says how a question was answered.
type Kind string

// The ways a question can be answered, in the order they are tried.
const (
	KindCitation Kind = "citation" // the question named an article
	KindFAQ      Kind = "faq"      // a curated answer matched
	KindArticles Kind = "articles" // ranked articles from the index
	KindNone     Kind = "none"     // nothing relevant found, or not a legal question
	// KindSmallTalk is a greeting, thanks, goodbye or the like, answered
	// with a short reply and the menu (Answer.Talk says which).
	KindSmallTalk Kind = "smalltalk"
)

// Hit is one article found for a question.
type Hit struct {
	// ID is short (< 40 bytes) and stable while the corpus is unchanged, so
	// it fits in Telegram callback data; Engine.Article looks it up.
	ID       string   `json:"id"`
	Law      string   `json:"law"`    // full title
	LawID    string   `json:"law_id"` // title@version
	Article  int      `json:"article"`
	Suffix   string   `json:"suffix"`
	Citation string   `json:"citation"` // 《中华人民共和国民法典》第一千零七十九条
	Headings []string `json:"headings,omitempty"`
	Snippet  string   `json:"snippet,omitempty"`
	Text     string   `json:"text,omitempty"`
	// Version is the date (YYYY-MM-DD) of the text the article comes
	// from; "" when no text is loaded. Citation names it, as in
	// 《中华人民共和国治安管理处罚法》（2012年修正）第四十三条, whenever the law
	// has more than one version: several loaded, or a known revision newer
	// than the text.
	Version  string `json:"version"`
	Category string `json:"category,omitempty"`
	// Superseded is true when a newer text of the law is loaded, or a
	// known revision newer than this text is in force.
	Superseded bool `json:"superseded"`
	Repealed   bool `json:"repealed,omitempty"`
	// Loaded is false for an article a curated answer cites whose text is
	// not in the index (a regulation not imported, or no corpus at all):
	// only its citation is known, so it has no id, version or text.
	Loaded bool `json:"loaded"`
	// Currency warns that the law was revised after this text, which is
	// the newest loaded (nil when no such revision is known). In JSON it
	// is given once per law, in Answer.Currency.
	Currency *Currency `json:"-"`
	Score    float64   `json:"score"`
}

// Currency says that a law has a newer text than the one shown (a known
// revision adopted after it), or that its text is not loaded at all.
type Currency struct {
	Law      string `json:"law"`      // full title
	Version  string `json:"version"`  // date of the text shown, "" when the law is not loaded
	Revision string `json:"revision"` // what the newer text did: 修订, 修正 or 通过 (a new law)
	Adopted  string `json:"adopted"`  // YYYY-MM-DD
	InForce  string `json:"in_force"` // YYYY-MM-DD
	// Pending is true while the newer text is adopted but not yet in force
	// (the text shown still applies).
	Pending bool `json:"pending"`
	// Missing is true when no text of the law is loaded.
	Missing bool `json:"missing,omitempty"`
	// Text is the warning residents read before the articles.
	Text string `json:"text"`
}

// Answer is what a resident gets for one question.
type Answer struct {
	Question string     `json:"question"`
	Kind     Kind       `json:"kind"`
	FAQ      *faq.Entry `json:"faq,omitempty"`
	// Hits are the articles shown, best first (the first page).
	Hits []Hit `json:"hits"`
	// More is true when Engine.Search has further results for the question.
	More bool `json:"more"`
	// Notice explains something about the question itself, such as a
	// repealed law and where its rule lives now.
	Notice string `json:"notice,omitempty"`
	// Approximate is true for a FAQ answer to a question that only
	// resembles the entry; the entry's question is shown so the resident
	// can judge.
	Approximate bool `json:"approximate,omitempty"`
	// Suggestions are curated questions close to this one.
	Suggestions []Suggestion `json:"suggestions,omitempty"`
	// Topic is the id of the topic (faq.Topic) the consultation is counted
	// under: a curated answer's own, else the one the articles shown belong
	// to (topic.go); "" (其他 in reports) when nothing answered or what
	// answered belongs to no topic. Always present in JSON.
	Topic string `json:"topic"`
	// Currency warns, once per law, that laws cited were revised after the
	// texts shown, or that a law asked about is not loaded.
	Currency []Currency `json:"currency,omitempty"`
	// Talk is the kind of small talk of a KindSmallTalk answer.
	Talk TalkKind `json:"talk,omitempty"`
}

// Answered reports whether the answer says anything about the law: an
// article, a curated answer, suggestions, a notice or a note on a law's
// currency. Small talk and the plain not-found answer do not (they carry
// no disclaimer and ask for no feedback).
func (a *Answer) Answered() bool {
	switch a.Kind {
	case KindSmallTalk:
		return false
	case KindNone:
		return len(a.Hits) > 0 || len(a.Suggestions) > 0 || a.Notice != "" || len(a.Currency) > 0
	}
	return true
}

// Disclaimer ends every answer that says something about the law.
const Disclaimer = "以上为一般性法律信息，不是正式的法律意见。具体问题可拨打12348公共法律服务热线，或到镇司法所、村（居）人民调解委员会咨询。"

// Suggestion is a curated question a resident may have meant.
type Suggestion struct {
	ID       string `json:"id"`
	Question string `json:"question"`
}
