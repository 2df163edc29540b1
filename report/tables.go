package report

import (
	"fmt"
	"strconv"
	"time"
)

// The text, CSV and XLSX outputs render the same tables, built here.

type cellKind int

const (
	cellText    cellKind = iota
	cellInt              // a count
	cellPercent          // a fraction shown as a percentage
	cellHours            // a duration in hours
)

type cell struct {
	kind cellKind
	text string
	n    int64
	f    float64
}

func textCell(s string) cell         { return cell{kind: cellText, text: s} }
func intCell(n int64) cell           { return cell{kind: cellInt, n: n} }
func percentCell(f float64) cell     { return cell{kind: cellPercent, f: f} }
func hoursCell(d time.Duration) cell { return cell{kind: cellHours, f: d.Hours()} }
func shareCell(n, total int64) cell  { return percentCell(share(n, total)) }
func labelRow(label string, c cell, unit string) []cell {
	return []cell{textCell(label), c, textCell(unit)}
}

func share(n, total int64) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}

// String formats the cell for text and CSV.
func (c cell) String() string {
	switch c.kind {
	case cellInt:
		return strconv.FormatInt(c.n, 10)
	case cellPercent:
		return strconv.FormatFloat(c.f*100, 'f', 1, 64) + "%"
	case cellHours:
		return strconv.FormatFloat(c.f, 'f', 1, 64)
	default:
		return c.text
	}
}

// table is one table of the report: one sheet of the XLSX file, one
// section of the text and CSV outputs.
type table struct {
	sheet   string // sheet name, at most 31 characters
	title   string
	headers []string
	rows    [][]cell
	// total marks the last row as a total line.
	total bool
}

const noneYet = "—"

// tables builds every table of the report in output order.
func (r *Report) tables() []table {
	ts := []table{r.overviewTable(), r.seriesTable()}
	ts = append(ts,
		r.countTable("按专题", "咨询内容（按专题）", "专题", r.ByTopic, r.TopicName),
		r.countTable("按解答方式", "解答方式", "解答方式", r.ByAnswer, AnswerKindName),
		r.countTable("按渠道", "咨询渠道", "渠道", r.ByChannel, ChannelName),
		r.handOverTable(),
		r.feedbackTable(),
		r.campaignTable(),
		r.subscriptionTable(),
	)
	return ts
}

func (r *Report) overviewTable() table {
	rate := textCell(noneYet)
	if r.Feedback.Rated() > 0 {
		rate = percentCell(r.Feedback.HelpfulRate())
	}
	c := r.Campaigns
	return table{
		sheet:   "概况",
		title:   "咨询与宣传概况",
		headers: []string{"项目", "数值", "单位"},
		rows: [][]cell{
			labelRow("接受群众咨询", intCell(r.Consultations), "人次"),
			labelRow("其中：普法机器人咨询", intCell(r.Online), "人次"),
			labelRow("其中：电话、来访等线下咨询", intCell(r.Offline), "人次"),
			labelRow("给出解答", intCell(r.Answered()), "人次"),
			labelRow("未能解答", intCell(r.Unanswered), "人次"),
			labelRow("闲聊问候（非法律问题）", intCell(r.SmallTalk), "人次"),
			labelRow("服务群众", intCell(r.PeopleServed()), "人"),
			labelRow("其中：通过机器人咨询的群众", intCell(r.Residents), "人"),
			labelRow("转人工咨询", intCell(r.HandOvers.Consultations), "人次"),
			labelRow("答复有帮助比例", rate, ""),
			labelRow("开展普法宣传活动", intCell(int64(len(c.List))), "项"),
			labelRow("宣传推送", intCell(c.Occurrences), "次"),
			labelRow("推送普法宣传信息", intCell(c.Delivered), "条"),
			labelRow("覆盖村（居）群聊", intCell(c.Groups), "个"),
			labelRow("私聊送达群众", intCell(c.PrivateChats), "人"),
			labelRow("新增订阅", intCell(r.Subscriptions.Gained), "人次"),
			labelRow("取消订阅", intCell(r.Subscriptions.Lost), "人次"),
		},
	}
}

func (r *Report) seriesTable() table {
	t := table{sheet: "按月", title: "各月咨询人次", headers: []string{"月份", "咨询人次", "占比"}, total: true}
	if r.Granularity == ByDay {
		t = table{sheet: "按日", title: "每日咨询人次", headers: []string{"日期", "咨询人次", "占比"}, total: true}
	}
	var sum int64
	for _, b := range r.Series {
		sum += b.Count
	}
	for _, b := range r.Series {
		t.rows = append(t.rows, []cell{textCell(r.BucketLabel(b)), intCell(b.Count), shareCell(b.Count, sum)})
	}
	t.rows = append(t.rows, []cell{textCell("合计"), intCell(sum), shareCell(sum, sum)})
	return t
}

func (r *Report) countTable(sheet, title, header string, counts []Count, name func(string) string) table {
	t := table{sheet: sheet, title: title, headers: []string{header, "咨询人次", "占比"}, total: true}
	for _, c := range counts {
		t.rows = append(t.rows, []cell{textCell(name(c.Key)), intCell(c.Count), shareCell(c.Count, r.Consultations)})
	}
	t.rows = append(t.rows, []cell{textCell("合计"), intCell(r.Consultations), shareCell(r.Consultations, r.Consultations)})
	return t
}

func (r *Report) handOverTable() table {
	h := r.HandOvers
	hours := func(d time.Duration) cell {
		if h.Answered == 0 {
			return textCell(noneYet)
		}
		return hoursCell(d)
	}
	rate := textCell(noneYet)
	if h.Tickets > 0 {
		rate = shareCell(h.Answered, h.Tickets)
	}
	return table{
		sheet:   "转人工",
		title:   "转人工解答",
		headers: []string{"项目", "数值", "单位"},
		rows: [][]cell{
			labelRow("转人工工单", intCell(h.Tickets), "件"),
			labelRow("已答复", intCell(h.Answered), "件"),
			labelRow("未答复", intCell(h.Tickets-h.Answered), "件"),
			labelRow("答复率", rate, ""),
			labelRow("平均首次答复用时", hours(h.Mean), "小时"),
			labelRow("首次答复用时中位数", hours(h.Median), "小时"),
			labelRow("90%工单首次答复用时不超过", hours(h.P90), "小时"),
		},
	}
}

func (r *Report) feedbackTable() table {
	f := r.Feedback
	rate := textCell(noneYet)
	if f.Rated() > 0 {
		rate = percentCell(f.HelpfulRate())
	}
	return table{
		sheet:   "群众评价",
		title:   "群众评价",
		headers: []string{"项目", "数值", "单位"},
		rows: [][]cell{
			labelRow("评价答复", intCell(f.Rated()), "次"),
			labelRow("有帮助", intCell(f.Helpful), "次"),
			labelRow("没有帮助", intCell(f.NotHelpful), "次"),
			labelRow("有帮助比例", rate, ""),
		},
	}
}

func (r *Report) campaignTable() table {
	t := table{sheet: "宣传活动", title: "普法宣传活动", headers: []string{"活动编号", "活动名称", "推送次数", "送达条数", "未送达条数"}, total: true}
	c := r.Campaigns
	for _, x := range c.List {
		t.rows = append(t.rows, []cell{textCell(x.CampaignID), textCell(x.Title), intCell(x.Occurrences), intCell(x.Sent), intCell(x.Undelivered)})
	}
	t.rows = append(t.rows, []cell{textCell("合计"), textCell(fmt.Sprintf("%d项", len(c.List))), intCell(c.Occurrences), intCell(c.Delivered), intCell(c.Undelivered)})
	return t
}

func (r *Report) subscriptionTable() table {
	s := r.Subscriptions
	return table{
		sheet:   "订阅",
		title:   "订阅变化",
		headers: []string{"项目", "数值", "单位"},
		rows: [][]cell{
			labelRow("新增订阅", intCell(s.Gained), "人次"),
			labelRow("取消订阅", intCell(s.Unsubscribed), "人次"),
			labelRow("屏蔽机器人", intCell(s.Blocked), "人次"),
			labelRow("要求删除个人数据", intCell(s.Forgotten), "人次"),
			labelRow("当前订阅", intCell(s.Active), "个聊天"),
		},
	}
}

// BucketLabel names a day (3月15日) or a month (2026年3月) of the series.
func (r *Report) BucketLabel(b Bucket) string {
	y, m, d := b.Start.In(r.Location).Date()
	if r.Granularity == ByDay {
		return fmt.Sprintf("%d月%d日", m, d)
	}
	return fmt.Sprintf("%d年%d月", y, m)
}

// lastDay is the last calendar day of the period.
func (r *Report) lastDay() time.Time {
	return r.To.In(r.Location).Add(-time.Nanosecond)
}

// PeriodRange gives the period as dates, such as 2026-01-01 至 2026-12-31.
func (r *Report) PeriodRange() string {
	return r.From.In(r.Location).Format(time.DateOnly) + " 至 " + r.lastDay().Format(time.DateOnly)
}

// span says whether the period is exactly one calendar year, month or
// day of the report's location.
type span int

const (
	spanOther span = iota
	spanYear
	spanMonth
	spanDay
)

func (r *Report) span() span {
	from, to := r.From.In(r.Location), r.To.In(r.Location)
	midnight := func(t time.Time) bool {
		return t.Equal(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location()))
	}
	if !midnight(from) || !midnight(to) {
		return spanOther
	}
	switch {
	case from.Day() == 1 && from.Month() == time.January && to.Equal(from.AddDate(1, 0, 0)):
		return spanYear
	case from.Day() == 1 && to.Equal(from.AddDate(0, 1, 0)):
		return spanMonth
	case to.Equal(from.AddDate(0, 0, 1)):
		return spanDay
	}
	return spanOther
}

// PeriodLabel names the period the way a work report does: 2026年 for a
// calendar year, 2026年3月 for a month, 2026年3月15日 for a day, else
// 2026年1月1日至3月31日.
func (r *Report) PeriodLabel() string {
	from, last := r.From.In(r.Location), r.lastDay()
	fy, fm, fd := from.Date()
	ly, lm, ld := last.Date()
	switch {
	case r.span() == spanYear:
		return fmt.Sprintf("%d年", fy)
	case r.span() == spanMonth:
		return fmt.Sprintf("%d年%d月", fy, fm)
	case fy == ly && fm == lm && fd == ld:
		return fmt.Sprintf("%d年%d月%d日", fy, fm, fd)
	case fy == ly:
		return fmt.Sprintf("%d年%d月%d日至%d月%d日", fy, fm, fd, lm, ld)
	default:
		return fmt.Sprintf("%d年%d月%d日至%d年%d月%d日", fy, fm, fd, ly, lm, ld)
	}
}
