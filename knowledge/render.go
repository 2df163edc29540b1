package knowledge

import (
	"fmt"
	"strings"
)

// RenderText renders an answer as plain text, exactly the content a
// resident receives (the bot adds only formatting and buttons).
func RenderText(a *Answer) string {
	var b strings.Builder
	if a.Kind == KindSmallTalk {
		b.WriteString(TalkReply(a.Talk))
		b.WriteString("\n\n")
		b.WriteString(MenuText)
		return b.String()
	}
	if a.Notice != "" {
		b.WriteString("【提示】")
		b.WriteString(a.Notice)
		b.WriteString("\n\n")
	}
	for _, c := range a.Currency {
		b.WriteString("【注意】")
		b.WriteString(c.Text)
		b.WriteString("\n\n")
	}
	switch a.Kind {
	case KindCitation:
		for i, h := range a.Hits {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(h.Citation)
			if h.Superseded {
				b.WriteString("（该版本已被新版本取代）")
			}
			b.WriteString("\n")
			if path := strings.Join(h.Headings, " · "); path != "" {
				b.WriteString(path + "\n")
			}
			b.WriteString(h.Text)
			b.WriteString("\n")
		}
	case KindFAQ:
		if a.Approximate {
			b.WriteString("【您可能想问】" + a.FAQ.Question + "\n")
		} else {
			b.WriteString("【常见问题】" + a.FAQ.Question + "\n")
		}
		b.WriteString("【解答】")
		b.WriteString(strings.TrimSpace(a.FAQ.Answer))
		b.WriteString("\n")
		if len(a.Hits) > 0 {
			b.WriteString("\n【法律依据】\n")
			writeHits(&b, a.Hits)
		}
	case KindArticles:
		b.WriteString("【相关法条】\n")
		writeHits(&b, a.Hits)
		if a.More {
			b.WriteString("（还有更多相关条文）\n")
		}
	default:
		if a.AboutMissingLaw() {
			break // the note above says where to read the law
		}
		b.WriteString(NotFoundText + "\n\n" + MenuText + "\n")
	}
	if len(a.Suggestions) > 0 {
		b.WriteString("\n【您可能还想了解】\n")
		for _, s := range a.Suggestions {
			b.WriteString("· " + s.Question + "\n")
		}
	}
	if !a.Answered() {
		return strings.TrimSuffix(b.String(), "\n")
	}
	if !strings.HasSuffix(b.String(), "\n\n") {
		b.WriteString("\n")
	}
	b.WriteString(Disclaimer)
	return b.String()
}

func writeHits(b *strings.Builder, hits []Hit) {
	for i, h := range hits {
		fmt.Fprintf(b, "%d. %s", i+1, h.Citation)
		if h.Superseded {
			b.WriteString("（旧版本）")
		}
		if !h.Loaded {
			b.WriteString(NotLoadedNote)
		}
		b.WriteString("\n")
		if h.Snippet != "" {
			b.WriteString("   ")
			b.WriteString(strings.ReplaceAll(h.Snippet, "\n", " "))
			b.WriteString("\n")
		}
	}
}

// NotLoadedNote follows the citation of an article whose text is not
// loaded (Hit.Loaded false), so nobody takes the bare citation for a
// quoted article.
const NotLoadedNote = "（本机未收录该法规原文，请以官方文本为准）"

// NotFoundText answers a question nothing relevant was found for, and a
// message that is not a legal question.
const NotFoundText = "抱歉，没有找到和您的问题直接相关的法律规定。\n" +
	"我能回答的是法律方面的问题，比如借钱不还、离婚、工资、土地、交通事故、被骗等。可以换个说法再问：说清楚发生了什么事、想知道什么。\n" +
	"需要找人帮忙，可以转人工联系工作人员，或拨打12348公共法律服务热线。"

// OpenReply answers a message that opens a conversation (我想咨询一下,
// 有个事想问问): the question is still to come.
const OpenReply = "您请说 🙂 说说发生了什么事、想知道什么，我帮您查相关的法律规定。" +
	"比如：“去年借给邻居两万块钱，打了借条，他一直不还，我该怎么办？”"

// MenuText lists what a resident can do next (the bot shows it as buttons).
const MenuText = "您可以：直接打字提问 · 看普法专题 · 订阅普法提醒 · 转人工联系工作人员"

// TalkReply is the short reply to a kind of small talk.
func TalkReply(k TalkKind) string {
	switch k {
	case TalkThanks:
		return "不客气！以后遇到法律方面的问题，随时来问我。"
	case TalkBye:
		return "再见！有需要随时来找我。"
	case TalkIdentity:
		return "我是司法所的普法小助手，是一个自动回复的机器人，不是真人。我可以回答日常的法律问题、告诉您相关的法律条文，也可以帮您联系工作人员。"
	case TalkAck:
		return "好的 🙂 有法律方面的问题，直接打字问我就行，比如：“借钱不还怎么办？”"
	case TalkOpen:
		return OpenReply
	default:
		return "您好！我是普法小助手 👋 遇到借钱欠款、婚姻家庭、劳动工资、土地房屋、交通事故、被骗等法律问题，直接打字问我就行，比如：“借钱不还怎么办？”"
	}
}
