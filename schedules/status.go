package schedules

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/pufabot/pufabot/store"
)

// statusRecent is how many occurrences Status shows.
const statusRecent = 10

// statusUpcoming is how many next dates Status shows.
const statusUpcoming = 5

// FormatTime writes t in loc the way residents and staff read dates,
// e.g. "2026年3月15日 09:00".
func FormatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(loc)
	return fmt.Sprintf("%d年%d月%d日 %02d:%02d", t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute())
}

// KindLabel names an occurrence kind for staff.
func KindLabel(kind string) string {
	switch kind {
	case store.KindManual:
		return "手动发送"
	case store.KindBroadcast:
		return "工作人员广播"
	default:
		return "按计划"
	}
}

// Summary is the staff-chat message for a finished occurrence (Telegram
// HTML): what was sent, when it was due, and how many were reached.
func Summary(op store.OccurrenceProgress, loc *time.Location) string {
	var b strings.Builder
	what := "活动发送完毕"
	if op.Kind == store.KindBroadcast {
		what = "广播发送完毕"
	}
	fmt.Fprintf(&b, "<b>%s</b>：%s（#%d，%s）\n", what, html.EscapeString(op.Title), op.ID, KindLabel(op.Kind))
	fmt.Fprintf(&b, "计划时间：%s\n", FormatTime(op.ScheduledAt, loc))
	fmt.Fprintf(&b, "送达 %d 人，已屏蔽本机器人 %d 人，发送失败 %d 人（共 %d 人）。", op.Sent, op.Blocked, op.Failed, op.Recipients)
	return b.String()
}

// progressLine describes an occurrence's state in one line of plain text.
func progressLine(op store.OccurrenceProgress) string {
	switch op.Status {
	case store.OccurrenceSkipped:
		return "已跳过（停机期间错过，超过补发时限）"
	case store.OccurrencePending:
		return "等待发送"
	case store.OccurrenceRunning:
		return fmt.Sprintf("发送中：已发 %d/%d，屏蔽 %d，失败 %d，待发 %d",
			op.Sent+op.Blocked+op.Failed, op.Recipients, op.Blocked, op.Failed, op.Pending)
	default:
		return fmt.Sprintf("已完成：送达 %d，屏蔽 %d，失败 %d", op.Sent, op.Blocked, op.Failed)
	}
}

// Status describes, in plain text for the staff /campaigns command (the
// bot escapes it and adds a heading), the progress of recent occurrences
// and the next scheduled dates.
func (s *Scheduler) Status(ctx context.Context) (string, error) {
	recent, err := s.db.RecentOccurrences(ctx, statusRecent)
	if err != nil {
		return "", err
	}
	loc := s.cal.loc
	var b strings.Builder
	if len(recent) == 0 {
		b.WriteString("还没有发送过活动。\n")
	} else {
		b.WriteString("最近发送：\n")
	}
	for _, op := range recent {
		fmt.Fprintf(&b, "#%d %s｜%s｜%s\n", op.ID, op.Title, FormatTime(op.ScheduledAt, loc), progressLine(op))
	}
	var next []string
	for _, u := range s.cal.Upcoming(s.clock.Now()) {
		if len(next) == statusUpcoming || u.At.IsZero() {
			break
		}
		next = append(next, fmt.Sprintf("%s　%s", FormatTime(u.At, loc), u.Campaign.DisplayTitle()))
	}
	if len(next) > 0 {
		b.WriteString("\n接下来：\n")
		b.WriteString(strings.Join(next, "\n"))
	}
	return strings.TrimRight(b.String(), "\n"), nil
}
