package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pufabot/pufabot/report"
)

func init() {
	register(command{name: "consult", summary: "record consultations answered outside the bot (phone, visits)", run: runConsult})
}

// maxOfflineCount bounds --count, against a slip of the keyboard.
const maxOfflineCount = 1000

// channelAliases maps what staff type to an offline channel.
var channelAliases = map[string]string{
	"phone": "phone", "电话": "phone", "电话咨询": "phone",
	"visit": "visit", "来访": "visit", "来访咨询": "visit", "窗口": "visit",
	"event": "event", "活动": "event", "活动现场": "event", "活动现场咨询": "event", "现场": "event",
	"other": "other", "其他": "other",
}

func runConsult(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(e.stderr, "Usage: pufabot consult add --topic 婚姻家庭 --channel phone [--date 2026-03-15] [--count N] [--note TEXT]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	fs, cfgPath := newFlags(e, "consult add", "--topic 婚姻家庭 --channel phone [--date 2026-03-15] [--count N] [--note TEXT]")
	topic := fs.String("topic", "", "topic id or Chinese name, such as family or 婚姻家庭; 其他 when none fits")
	channel := fs.String("channel", "", "phone (电话), visit (来访), event (活动现场) or other (其他)")
	date := fs.String("date", "", "day of the consultation, `YYYY-MM-DD` (default today)")
	count := fs.Int("count", 1, "number of consultations to record")
	note := fs.String("note", "", "a short note, deleted like question text after privacy.retain_days")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	loc, err := cfg.Location()
	if err != nil {
		return err
	}
	log := cliLogger(e, cfg)
	names := maps.Clone(report.DefaultTopicNames)
	maps.Copy(names, packTopicNames(log))
	topicID, ok := resolveTopic(*topic, names)
	if !ok {
		fmt.Fprintf(e.stderr, "pufabot consult add: unknown topic %q; one of: %s\n", *topic, topicChoices(names))
		return errUsage
	}
	ch, ok := channelAliases[strings.ToLower(strings.TrimSpace(*channel))]
	if !ok {
		fmt.Fprintf(e.stderr, "pufabot consult add: --channel %q: want phone (电话), visit (来访), event (活动现场) or other (其他)\n", *channel)
		return errUsage
	}
	if *count < 1 || *count > maxOfflineCount {
		fmt.Fprintf(e.stderr, "pufabot consult add: --count %d: want 1 to %d\n", *count, maxOfflineCount)
		return errUsage
	}
	now := time.Now().In(loc)
	at, err := consultTime(*date, now, loc)
	if err != nil {
		fmt.Fprintf(e.stderr, "pufabot consult add: %v\n", err)
		return errUsage
	}
	db, err := e.openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.AddOfflineConsultations(ctx, at, topicID, ch, strings.TrimSpace(*note), *count); err != nil {
		return err
	}
	topicName := names[topicID]
	if topicID == "" {
		topicName = report.UnknownTopicName
	}
	fmt.Fprintf(e.stdout, "已登记线下咨询%d人次：%s，%s，%s。\n", *count, at.Format(time.DateOnly), topicName, report.ChannelName(ch))
	log.Info("offline consultations recorded", slog.Int("count", *count), slog.String("topic", topicID), slog.String("channel", ch), slog.String("date", at.Format(time.DateOnly)))
	return nil
}

// resolveTopic finds a topic by id or by Chinese name; 其他, 未分类 and
// their combination stand for no topic.
func resolveTopic(s string, names map[string]string) (string, bool) {
	s = strings.TrimSpace(s)
	switch s {
	case report.UnknownTopicName, "未分类", "其他/未分类", "other":
		return "", true
	case "":
		return "", false
	}
	if _, ok := names[strings.ToLower(s)]; ok {
		return strings.ToLower(s), true
	}
	for id, name := range names {
		if name == s {
			return id, true
		}
	}
	return "", false
}

func topicChoices(names map[string]string) string {
	ids := slices.Sorted(maps.Keys(names))
	out := make([]string, 0, len(ids)+1)
	for _, id := range ids {
		out = append(out, id+" ("+names[id]+")")
	}
	return strings.Join(append(out, "其他"), ", ")
}

// consultTime is when an offline consultation took place: now for today
// (or no date), noon of an earlier day, so it counts in that day in any
// report of the office's time zone.
func consultTime(date string, now time.Time, loc *time.Location) (time.Time, error) {
	if date == "" {
		return now, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, date, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("--date %q: want a date such as 2026-03-15", date)
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch {
	case d.After(today):
		return time.Time{}, fmt.Errorf("--date %s is in the future", date)
	case d.Equal(today):
		return now, nil
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc), nil
}
