package report

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/pufabot/pufabot/store"
)

// CaptionLimit is the longest photo caption Telegram accepts, in UTF-16
// code units.
const CaptionLimit = 1024

// ParsePeriod turns a staff command's period into [from, to) in loc:
// "today" (also the empty string), "week" (since Monday), "month" and
// "year" run from their start to the end of today; "2026-03" is that
// calendar month and "2026" that calendar year.
func ParsePeriod(period string, now time.Time, loc *time.Location) (from, to time.Time, err error) {
	if loc == nil {
		loc = time.Local
	}
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	tomorrow := today.AddDate(0, 0, 1)
	switch p := strings.ToLower(strings.TrimSpace(period)); p {
	case "today", "":
		return today, tomorrow, nil
	case "week":
		back := (int(today.Weekday()) + 6) % 7 // days since Monday
		return today.AddDate(0, 0, -back), tomorrow, nil
	case "month":
		return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc), tomorrow, nil
	case "year":
		return time.Date(now.Year(), 1, 1, 0, 0, 0, 0, loc), tomorrow, nil
	default:
		if m, err := time.ParseInLocation("2006-01", p, loc); err == nil {
			return m, m.AddDate(0, 1, 0), nil
		}
		if y, err := time.ParseInLocation("2006", p, loc); err == nil {
			return y, y.AddDate(1, 0, 0), nil
		}
		return time.Time{}, time.Time{}, fmt.Errorf("report: period %q: want today, week, month, year, YYYY-MM or YYYY", period)
	}
}

// StatsForPeriod builds the report for a staff /stats command: a photo
// caption with the key figures (at most CaptionLimit long) and the chart
// as PNG. period is as for ParsePeriod.
func StatsForPeriod(ctx context.Context, db *store.DB, period string, now time.Time, loc *time.Location) (caption string, pngData []byte, err error) {
	from, to, err := ParsePeriod(period, now, loc)
	if err != nil {
		return "", nil, err
	}
	r, err := Build(ctx, db, from, to, loc)
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	if err := r.WritePNG(&buf); err != nil {
		return "", nil, err
	}
	return r.Caption(), buf.Bytes(), nil
}

// Caption sums up the report in a few lines for a Telegram photo caption,
// cut to CaptionLimit.
func (r *Report) Caption() string {
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	add("%s", r.Heading())
	if r.Offline > 0 {
		add("咨询 %d 人次（机器人 %d，线下 %d），服务群众 %d 人", r.Consultations, r.Online, r.Offline, r.PeopleServed())
	} else {
		add("咨询 %d 人次，服务群众 %d 人", r.Consultations, r.PeopleServed())
	}
	if r.Answered() < r.Consultations {
		add("给出解答 %d 人次，未能解答 %d，闲聊问候 %d", r.Answered(), r.Unanswered, r.SmallTalk)
	}
	var top []string
	for _, c := range r.ByTopic {
		if len(top) == 5 {
			break
		}
		if c.Key == SmallTalkTopic {
			continue
		}
		top = append(top, fmt.Sprintf("%s %d", r.TopicName(c.Key), c.Count))
	}
	if len(top) > 0 {
		add("主要专题：%s", strings.Join(top, "、"))
	}
	if h := r.HandOvers; h.Tickets > 0 {
		if h.Answered > 0 {
			add("转人工 %d 件，已答复 %d 件，平均首次答复 %s 小时", h.Tickets, h.Answered, hours(h.Mean))
		} else {
			add("转人工 %d 件，尚未答复", h.Tickets)
		}
	}
	if f := r.Feedback; f.Rated() > 0 {
		add("答复有帮助 %s（%d 次评价）", percent(f.HelpfulRate()), f.Rated())
	}
	if c := r.Campaigns; c.Occurrences > 0 {
		add("宣传推送 %d 次，送达 %d 条，覆盖群聊 %d 个", c.Occurrences, c.Delivered, c.Groups)
	}
	s := r.Subscriptions
	add("订阅 新增 %d、取消 %d，当前 %d", s.Gained, s.Lost, s.Active)
	return truncateUTF16(strings.Join(lines, "\n"), CaptionLimit)
}

// truncateUTF16 cuts s to at most n UTF-16 code units, ending with "…"
// when cut.
func truncateUTF16(s string, n int) string {
	if len(utf16.Encode([]rune(s))) <= n {
		return s
	}
	var b strings.Builder
	used := 1 // the ellipsis
	for _, r := range s {
		w := utf16.RuneLen(r)
		if used+w > n {
			break
		}
		used += w
		b.WriteRune(r)
	}
	return b.String() + "…"
}
