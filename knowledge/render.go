package knowledge

import (
	"fmt"
	"strings"
)

// RenderText renders an answer as plain text, exactly the content a
// resident receives (the bot adds only formatting and buttons).
func RenderText(a *Answer) string {
	var b strings.Builder
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
		b.WriteString("抱歉，暂时没有找到与您的问题直接相关的法律规定。可以换个说法再问，比如说清楚发生了什么事、想知道什么；也可以直接联系工作人员。\n")
	}
	if len(a.Suggestions) > 0 {
		b.WriteString("\n【您可能还想了解】\n")
		for _, s := range a.Suggestions {
			b.WriteString("· " + s.Question + "\n")
		}
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
		b.WriteString("\n")
		if h.Snippet != "" {
			b.WriteString("   ")
			b.WriteString(strings.ReplaceAll(h.Snippet, "\n", " "))
			b.WriteString("\n")
		}
	}
}
