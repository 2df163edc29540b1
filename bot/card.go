package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pufabot/pufabot/knowledge"
)

// maxMoreOffset bounds 更多结果 paging: past this, results are too weak to
// help and a resident is better served by rephrasing or a person.
const maxMoreOffset = 30

// renderAnswer builds the answer card for a question: the text (HTML) and
// its buttons. consID is the consultation id (0 when it could not be
// stored: buttons that need it are left out).
func (b *Bot) renderAnswer(chatID int64, private bool, a *knowledge.Answer, consID int64) (string, *keyboard) {
	if a.Kind == knowledge.KindSmallTalk {
		return b.msgSmallTalk(a.Talk), b.menuKeyboard(chatID)
	}
	var s strings.Builder
	if a.Notice != "" {
		s.WriteString("⚠️ " + esc(a.Notice) + "\n\n")
	}
	s.WriteString(currencyHTML(a.Currency))
	switch a.Kind {
	case knowledge.KindCitation:
		for i, h := range a.Hits {
			if i > 0 {
				s.WriteString("\n\n")
			}
			s.WriteString(articleBody(h))
		}
	case knowledge.KindFAQ:
		if a.FAQ != nil {
			if a.Approximate {
				s.WriteString(esc(msgMaybeYouMean))
			}
			s.WriteString("💡 <b>" + esc(oneLine(a.FAQ.Question)) + "</b>\n")
			s.WriteString(esc(strings.TrimSpace(a.FAQ.Answer)))
		}
		if len(a.Hits) > 0 {
			s.WriteString("\n\n📖 <b>法律依据</b>\n\n")
			s.WriteString(hitList(a.Hits, 1))
		}
	case knowledge.KindArticles:
		s.WriteString("📖 <b>为您找到这些相关规定：</b>\n\n")
		s.WriteString(hitList(a.Hits, 1))
	default:
		if !a.AboutMissingLaw() {
			s.WriteString(esc(msgNothingFound))
		}
	}
	if len(a.Suggestions) > 0 {
		s.WriteString("\n\n🔎 <b>" + esc(msgAlsoSee) + "</b>")
		for i, sg := range a.Suggestions {
			s.WriteString(fmt.Sprintf("\n%c %s", '①'+rune(i), esc(oneLine(sg.Question))))
		}
	}
	if !a.Answered() {
		// Nothing said about the law: nothing to disclaim or rate.
		return s.String(), b.answerKeyboard(chatID, private, a, consID, false)
	}
	s.WriteString("\n\n<i>" + esc(knowledge.Disclaimer) + "</i>")
	return s.String(), b.answerKeyboard(chatID, private, a, consID, true)
}

// answerKeyboard is the answer card's buttons; feedback adds 有帮助 / 没帮助
// (only with a consultation id).
func (b *Bot) answerKeyboard(chatID int64, private bool, a *knowledge.Answer, consID int64, feedback bool) *keyboard {
	k := b.newKeyboard(chatID)
	var picks []button
	for i, sg := range a.Suggestions {
		picks = append(picks, k.button(fmt.Sprintf("看%c", '①'+rune(i)), actSuggestion, sg.ID))
	}
	k.row(picks...)
	if a.Kind != knowledge.KindCitation {
		k.row(b.fullTextButtons(k, a.Hits, 1)...)
	}
	var second []button
	if a.Kind == knowledge.KindNone {
		// Not found, or not a legal question: the menu's ways on.
		k.row(k.button(btnAsk, actMenu, menuAsk), k.button(btnTopics, actTopics))
	}
	if a.More && consID > 0 {
		second = append(second, k.button(btnMore, actMore, strconv.FormatInt(consID, 10), strconv.Itoa(knowledge.PageSize)))
	}
	second = append(second, b.handOverButton(k, private, consID))
	k.row(second...)
	if feedback && consID > 0 {
		id := strconv.FormatInt(consID, 10)
		k.row(k.button(btnHelpful, actFeedback, id, "+"), k.button(btnNotHelpful, actFeedback, id, "-"))
	}
	return k.build()
}

// fullTextButtons are the 查看全文 buttons for hits numbered from first.
func (b *Bot) fullTextButtons(k *kbBuilder, hits []knowledge.Hit, first int) []button {
	var out []button
	for i, h := range hits {
		if h.ID == "" {
			continue
		}
		out = append(out, k.button(btnFullText(first+i), actFullText, h.ID))
	}
	return out
}

// handOverButton is 转人工: a callback in a private chat, a link to the
// private chat in a group (hand-over is private).
func (b *Bot) handOverButton(k *kbBuilder, private bool, consID int64) button {
	if !b.offices.handOver() {
		return button{}
	}
	if !private {
		if b.username == "" {
			return button{}
		}
		return button{Text: btnHandOver, URL: "https://t.me/" + b.username + "?start=human"}
	}
	if consID <= 0 {
		return k.button(btnHandOver, actMenu, menuHuman)
	}
	return k.button(btnHandOver, actHuman, strconv.FormatInt(consID, 10))
}

// hitList lists articles with snippets, numbered from first.
func hitList(hits []knowledge.Hit, first int) string {
	items := make([]string, 0, len(hits))
	for i, h := range hits {
		line := fmt.Sprintf("%d. <b>%s</b>", first+i, esc(h.Citation))
		if h.Superseded {
			line += "（旧版本）"
		}
		if !h.Loaded {
			line += esc(knowledge.NotLoadedNote)
		}
		if sn := oneLine(h.Snippet); sn != "" {
			line += "\n" + esc(sn)
		}
		items = append(items, line)
	}
	return strings.Join(items, "\n\n")
}

// currencyHTML warns about laws revised after the texts shown, or not
// loaded; it goes before the articles.
func currencyHTML(cs []knowledge.Currency) string {
	var s strings.Builder
	for _, c := range cs {
		s.WriteString("❗ " + esc(c.Text) + "\n\n")
	}
	return s.String()
}

// articleHTML shows one article in full, after the warning its law needs.
func articleHTML(h knowledge.Hit) string {
	return currencyHTML(knowledge.CurrencyOf([]knowledge.Hit{h})) + articleBody(h)
}

// articleBody shows one article in full: citation (with its version where
// it matters), where it sits in the law, and its text.
func articleBody(h knowledge.Hit) string {
	var s strings.Builder
	s.WriteString("📜 <b>" + esc(h.Citation) + "</b>")
	if h.Superseded {
		s.WriteString("（该版本已被新版本取代）")
	}
	if len(h.Headings) > 0 {
		s.WriteString("\n<i>" + esc(strings.Join(h.Headings, " · ")) + "</i>")
	}
	text := strings.TrimSpace(h.Text)
	if text == "" {
		text = strings.TrimSpace(h.Snippet)
	}
	if text != "" {
		s.WriteString("\n\n" + esc(text))
	}
	return s.String()
}

// answerSummary describes for staff how the bot answered a consultation.
func answerSummary(kind string, faqID string, articles []string) string {
	var parts []string
	switch kind {
	case string(knowledge.KindCitation):
		parts = append(parts, "引用法条")
	case string(knowledge.KindFAQ):
		parts = append(parts, "常见问题解答（"+faqID+"）")
	case string(knowledge.KindArticles):
		parts = append(parts, "检索到相关法条")
	case string(knowledge.KindNone):
		parts = append(parts, "没有找到相关规定")
	case string(knowledge.KindSmallTalk):
		parts = append(parts, "闲聊问候，没有提法律问题")
	}
	if len(articles) > 0 {
		parts = append(parts, strings.Join(articles, "；"))
	}
	return strings.Join(parts, "：")
}

// citations lists the citations of the hits shown.
func citations(hits []knowledge.Hit) []string {
	out := make([]string, 0, len(hits))
	for _, h := range hits {
		if h.Citation != "" {
			out = append(out, h.Citation)
		}
	}
	return out
}
