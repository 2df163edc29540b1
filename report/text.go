package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Title is the heading of every output.
const Title = "普法机器人咨询与宣传统计"

// WriteText writes the report for a terminal: the summary paragraph, then
// each table with its columns aligned (Chinese characters count as two
// columns).
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s\n统计期间：%s\n\n", r.Heading(), r.PeriodRange())
	fmt.Fprintf(bw, "%s\n", r.Summary())
	for _, t := range r.tables() {
		fmt.Fprintf(bw, "\n【%s】\n", t.title)
		writeAligned(bw, t)
	}
	return bw.Flush()
}

func writeAligned(w io.Writer, t table) {
	cells := make([][]string, 0, len(t.rows)+1)
	cells = append(cells, t.headers)
	for _, row := range t.rows {
		line := make([]string, len(row))
		for i, c := range row {
			line[i] = c.String()
		}
		cells = append(cells, line)
	}
	widths := make([]int, len(t.headers))
	for _, line := range cells {
		for i, s := range line {
			widths[i] = max(widths[i], displayWidth(s))
		}
	}
	for li, line := range cells {
		var b strings.Builder
		for i, s := range line {
			pad := strings.Repeat(" ", widths[i]-displayWidth(s))
			if i > 0 {
				b.WriteString("  ")
			}
			// Numbers are right-aligned, and so are the headers of
			// columns that end in a number.
			row := len(t.rows) - 1
			if li > 0 {
				row = li - 1
			}
			if row >= 0 && t.rows[row][i].kind != cellText {
				b.WriteString(pad + s)
			} else {
				b.WriteString(s + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// displayWidth is the number of terminal columns s takes: East Asian wide
// and fullwidth characters take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r < 0x1100:
			n++
		case unicode.Is(unicode.Han, r),
			r >= 0x3000 && r <= 0x303F, // CJK symbols and punctuation
			r >= 0xFF01 && r <= 0xFF60, // fullwidth forms
			r >= 0xFFE0 && r <= 0xFFE6,
			r >= 0x2E80 && r <= 0x2FDF, // radicals
			r >= 0x3040 && r <= 0x33FF, // kana, bopomofo, CJK compatibility
			r >= 0xAC00 && r <= 0xD7A3, // Hangul syllables
			r >= 0xFE30 && r <= 0xFE4F: // CJK compatibility forms
			n += 2
		default:
			n++
		}
	}
	return n
}

// Summary is a paragraph in the register of a government work report,
// ready to paste, such as
// "全年通过普法机器人接受群众咨询612人次，服务群众430人，……".
// Clauses about things that did not happen in the period are left out.
func (r *Report) Summary() string {
	var b strings.Builder
	if r.span() == spanYear {
		b.WriteString("全年")
	} else {
		b.WriteString(r.PeriodLabel() + "，")
	}
	switch {
	case r.Offline > 0 && r.Online > 0:
		fmt.Fprintf(&b, "接受群众法律咨询%d人次，其中通过普法机器人咨询%d人次、电话和来访等线下咨询%d人次，服务群众%d人",
			r.Consultations, r.Online, r.Offline, r.PeopleServed())
	case r.Offline > 0:
		fmt.Fprintf(&b, "接受群众电话、来访等线下法律咨询%d人次，服务群众%d人", r.Consultations, r.PeopleServed())
	default:
		fmt.Fprintf(&b, "通过普法机器人接受群众咨询%d人次，服务群众%d人", r.Consultations, r.PeopleServed())
	}
	if r.Answered() < r.Consultations {
		fmt.Fprintf(&b, "，解答群众法律问题%d人次", r.Answered())
	}
	var top []string
	for _, c := range r.ByTopic {
		if c.Key == "" || c.Key == SmallTalkTopic || len(top) == 3 {
			continue
		}
		top = append(top, fmt.Sprintf("%s（%d人次）", r.TopicName(c.Key), c.Count))
	}
	if len(top) > 0 {
		fmt.Fprintf(&b, "；群众咨询主要集中在%s", strings.Join(top, "、"))
		if len(top) > 1 {
			b.WriteString("等")
		}
		b.WriteString("方面")
	}
	if h := r.HandOvers; h.Tickets > 0 {
		fmt.Fprintf(&b, "；转人工解答%d件，已答复%d件", h.Tickets, h.Answered)
		if h.Answered > 0 {
			fmt.Fprintf(&b, "，平均首次答复用时%s小时", hours(h.Mean))
		}
	}
	if f := r.Feedback; f.Rated() > 0 {
		fmt.Fprintf(&b, "；群众评价答复有帮助的占%s", percent(f.HelpfulRate()))
	}
	b.WriteString("。")
	c := r.Campaigns
	if c.Occurrences > 0 || c.Delivered > 0 {
		fmt.Fprintf(&b, "开展普法宣传活动%d项，推送普法宣传信息%d条", len(c.List), c.Delivered)
		var reach []string
		if c.Groups > 0 {
			reach = append(reach, fmt.Sprintf("村（居）群聊%d个", c.Groups))
		}
		if c.PrivateChats > 0 {
			reach = append(reach, fmt.Sprintf("群众%d人", c.PrivateChats))
		}
		if len(reach) > 0 {
			fmt.Fprintf(&b, "，覆盖%s", strings.Join(reach, "、"))
		}
		if r.Subscriptions.Gained > 0 {
			fmt.Fprintf(&b, "，新增订阅%d人次", r.Subscriptions.Gained)
		}
		b.WriteString("。")
	} else if r.Subscriptions.Gained > 0 {
		fmt.Fprintf(&b, "新增订阅普法信息%d人次。", r.Subscriptions.Gained)
	}
	return b.String()
}

func hours(d time.Duration) string { return strconv.FormatFloat(d.Hours(), 'f', 1, 64) }

func percent(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }
