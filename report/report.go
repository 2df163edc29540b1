// Package report turns the consultation and campaign records kept by the
// store into the figures a justice office puts in its annual rule-of-law
// report: consultations (人次), residents served, topics, hand-overs to
// staff, feedback, campaigns and messages delivered, subscribers gained and
// lost. A Report renders as plain text, CSV for Excel and WPS, XLSX, a PNG
// chart, and a summary paragraph ready to paste into a work report.
//
// A report holds counts only: no question text, pseudonym or chat id ever
// leaves the store through it.
package report

import (
	"context"
	"fmt"
	"github.com/pufabot/pufabot/knowledge/faq"
	"maps"
	"sort"
	"time"

	"github.com/pufabot/pufabot/store"
)

// Answer kinds and channels as the store records them.
const (
	KindCitation = "citation"
	KindFAQ      = "faq"
	KindArticles = "articles"
	KindNone     = "none"
	// KindSmallTalk marks greetings, thanks and the like sent to the bot:
	// counted, but never as answered.
	KindSmallTalk = store.AnswerSmallTalk
	// KindStaff marks consultations that staff answered outside the bot.
	KindStaff = store.AnswerStaff
)

// DefaultTopicNames are the Chinese names of the starter pack's topic ids,
// read from the embedded FAQ pack so the two never disagree. Callers with
// their own topics pass them to Report.SetTopicNames.
var DefaultTopicNames = func() map[string]string {
	names := map[string]string{}
	topics, err := faq.StarterTopics()
	if err != nil {
		// The starter pack is embedded and tested; without it, reports
		// show topic ids instead of names.
		return names
	}
	for _, t := range topics {
		names[t.ID] = t.Name
	}
	return names
}()

// BroadcastCampaignID is the campaign id under which staff broadcasts are
// recorded (schedules.BroadcastID); BroadcastTitle is how the report names
// them, whoever sent them.
const (
	BroadcastCampaignID = "broadcast"
	BroadcastTitle      = "工作人员广播"
)

// UnknownTopicName names consultations recorded without a topic: the
// question was not answered, or what answered it belongs to no topic.
const UnknownTopicName = "其他"

// SmallTalkTopic is the key under which Report.ByTopic counts small talk,
// apart from the legal topics.
const SmallTalkTopic = "(smalltalk)"

// ChannelNames are the Chinese names of the channels a consultation came
// through.
var ChannelNames = map[string]string{
	"telegram": "普法机器人",
	"web":      "网页咨询",
	"cli":      "命令行",
	"phone":    "电话咨询",
	"visit":    "来访咨询",
	"event":    "活动现场咨询",
	"other":    "其他",
}

// AnswerKindNames are the Chinese names of the ways a question was
// answered.
var AnswerKindNames = map[string]string{
	KindCitation:  "直接查询法条",
	KindFAQ:       "常见问题解答",
	KindArticles:  "法条检索",
	KindNone:      "未能解答",
	KindSmallTalk: "闲聊问候（非法律问题）",
	KindStaff:     "工作人员解答",
	"":            "未记录",
}

// Count is one row of a breakdown: a key (topic id, channel, answer kind)
// and how many consultations it has.
type Count struct {
	Key   string
	Count int64
}

// Granularity is the length of the buckets of Report.Series.
type Granularity string

// Series granularities: periods up to 31 days are broken down by day,
// longer ones by month.
const (
	ByDay   Granularity = "day"
	ByMonth Granularity = "month"
)

// Bucket is one day or month of the period.
type Bucket struct {
	Start, End time.Time // [Start, End) in the report's location
	Count      int64
}

// HandOvers sums up the hand-overs to staff.
type HandOvers struct {
	// Consultations is the number of consultations the resident asked to
	// hand over to a person.
	Consultations int64
	// Tickets is the number of hand-over tickets opened in the period;
	// Answered of them got a staff reply.
	Tickets, Answered int64
	// Mean, Median and P90 are first-reply times of the answered tickets.
	Mean, Median, P90 time.Duration
}

// Feedback sums up residents' ratings of answers.
type Feedback struct {
	Helpful, NotHelpful int64
}

// Rated is the number of rated answers.
func (f Feedback) Rated() int64 { return f.Helpful + f.NotHelpful }

// HelpfulRate is the share of rated answers found helpful, 0 when none.
func (f Feedback) HelpfulRate() float64 {
	if f.Rated() == 0 {
		return 0
	}
	return float64(f.Helpful) / float64(f.Rated())
}

// Campaign is one campaign's activity in the period.
type Campaign = store.CampaignTotals

// Campaigns sums up the publicity campaigns of the period.
type Campaigns struct {
	// List has one row per campaign, most messages first.
	List []Campaign
	// Occurrences is the number of times campaigns went out.
	Occurrences int64
	// Delivered is the number of messages delivered (推送普法宣传信息条数).
	Delivered, Undelivered int64
	// Groups is the number of village group chats reached; PrivateChats
	// the number of residents reached in private chats.
	Groups, PrivateChats int64
}

// Subscriptions sums up subscription changes in the period.
type Subscriptions struct {
	Gained int64
	// Lost counts unsubscriptions, blocks of the bot and /forget requests.
	Lost int64
	// Unsubscribed, Blocked and Forgotten break Lost down.
	Unsubscribed, Blocked, Forgotten int64
	// Active is the number of chats subscribed when the report was built.
	Active int64
}

// Report holds the figures of one period.
type Report struct {
	// From and To bound the period [From, To) in Location.
	From, To time.Time
	Location *time.Location

	// Consultations is the number of consultations (人次).
	Consultations int64
	// Online counts consultations through the bot; Offline those recorded
	// by staff (phone, visits, events).
	Online, Offline int64
	// Unanswered counts questions the bot found nothing for (or that were
	// not legal questions), SmallTalk greetings, thanks and the like; the
	// rest were answered (Answered).
	Unanswered, SmallTalk int64
	// Residents is the number of distinct residents who asked the bot.
	// Residents who asked to be forgotten no longer count: their
	// consultations stay, without a pseudonym.
	Residents int64

	Granularity Granularity
	Series      []Bucket
	// ByTopic, ByAnswer and ByChannel are sorted by count, largest first.
	ByTopic, ByAnswer, ByChannel []Count

	HandOvers     HandOvers
	Feedback      Feedback
	Campaigns     Campaigns
	Subscriptions Subscriptions

	// OfficeName names the office a report of one office is about; ""
	// for the whole deployment.
	OfficeName string

	topicNames map[string]string
}

// PeopleServed is the number of people served (服务群众人数): distinct
// residents of the bot plus offline consultations, each of which stands for
// one person since no identity is recorded for them.
func (r *Report) PeopleServed() int64 { return r.Residents + r.Offline }

// Answered is the number of consultations given an answer: by the bot
// (a cited article, a curated answer, ranked articles) or by staff.
func (r *Report) Answered() int64 { return r.Consultations - r.Unanswered - r.SmallTalk }

// SetTopicNames adds or replaces topic names (id → Chinese name), such as
// the topics of the office's FAQ pack, over DefaultTopicNames.
func (r *Report) SetTopicNames(names map[string]string) {
	if r.topicNames == nil {
		r.topicNames = maps.Clone(DefaultTopicNames)
	}
	for id, name := range names {
		if name != "" {
			r.topicNames[id] = name
		}
	}
}

// TopicName returns the Chinese name of a topic id; unknown ids are shown
// as they are and the empty id as UnknownTopicName.
func (r *Report) TopicName(id string) string {
	switch id {
	case "":
		return UnknownTopicName
	case SmallTalkTopic:
		return AnswerKindNames[KindSmallTalk]
	}
	if n, ok := r.topicNames[id]; ok {
		return n
	}
	if n, ok := DefaultTopicNames[id]; ok {
		return n
	}
	return id
}

// ChannelName returns the Chinese name of a channel.
func ChannelName(c string) string {
	if n, ok := ChannelNames[c]; ok {
		return n
	}
	if c == "" {
		return "未记录"
	}
	return c
}

// AnswerKindName returns the Chinese name of an answer kind.
func AnswerKindName(k string) string {
	if n, ok := AnswerKindNames[k]; ok {
		return n
	}
	return k
}

// Build computes the report for the period [from, to), bucketing by day or
// month in loc.
func Build(ctx context.Context, db Source, from, to time.Time, loc *time.Location) (*Report, error) {
	if loc == nil {
		loc = time.Local
	}
	if !from.Before(to) {
		return nil, fmt.Errorf("report: empty period %s – %s", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	r := &Report{From: from.In(loc), To: to.In(loc), Location: loc, topicNames: maps.Clone(DefaultTopicNames)}

	totals, err := db.ConsultationTotals(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	r.Residents = totals.Residents
	topics, kinds, channels := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, g := range totals.Groups {
		r.Consultations += g.Count
		if g.AnswerKind == KindStaff {
			r.Offline += g.Count
		} else {
			r.Online += g.Count
		}
		topic := g.Topic
		if g.AnswerKind == KindSmallTalk {
			topic = SmallTalkTopic // whatever was recorded: not a legal topic
		}
		topics[topic] += g.Count
		kinds[g.AnswerKind] += g.Count
		switch g.AnswerKind {
		case KindNone, "":
			r.Unanswered += g.Count
		case KindSmallTalk:
			r.SmallTalk += g.Count
		}
		channels[g.Channel] += g.Count
		switch g.Feedback {
		case 1:
			r.Feedback.Helpful += g.Count
		case -1:
			r.Feedback.NotHelpful += g.Count
		}
		if g.HandedOver {
			r.HandOvers.Consultations += g.Count
		}
	}
	r.ByTopic, r.ByAnswer, r.ByChannel = sorted(topics), sorted(kinds), sorted(channels)

	r.Granularity, r.Series = buckets(r.From, r.To, loc)
	bounds := make([]time.Time, 0, len(r.Series)+1)
	for _, b := range r.Series {
		bounds = append(bounds, b.Start)
	}
	bounds = append(bounds, r.To)
	counts, err := db.CountConsultations(ctx, bounds)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	for i := range r.Series {
		r.Series[i].Count = counts[i]
	}

	tickets, err := db.TicketTotals(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	r.HandOvers.Tickets, r.HandOvers.Answered = tickets.Created, tickets.Answered
	r.HandOvers.Mean, r.HandOvers.Median, r.HandOvers.P90 = delays(tickets.ReplyDelays)

	if r.Campaigns.List, err = db.CampaignTotals(ctx, from, to); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	for i, c := range r.Campaigns.List {
		if c.CampaignID == BroadcastCampaignID {
			// A broadcast's stored title names the staff member who sent
			// it (their Telegram id); the report shows no one.
			r.Campaigns.List[i].Title = BroadcastTitle
		}
		r.Campaigns.Occurrences += c.Occurrences
		r.Campaigns.Delivered += c.Sent
		r.Campaigns.Undelivered += c.Undelivered
	}
	reach, err := db.Reach(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	r.Campaigns.Groups, r.Campaigns.PrivateChats = reach.Groups, reach.PrivateChats

	events, err := db.SubscriptionEventCounts(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	s := &r.Subscriptions
	s.Gained, s.Unsubscribed, s.Blocked, s.Forgotten = events["subscribe"], events["unsubscribe"], events["blocked"], events["forget"]
	s.Lost = s.Unsubscribed + s.Blocked + s.Forgotten
	if s.Active, err = db.ActiveSubscribers(ctx); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return r, nil
}

// sorted turns counts into rows, largest first, ties by key.
func sorted(m map[string]int64) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// buckets splits [from, to) into days (periods up to 31 days) or calendar
// months of loc; the first and last bucket may be partial.
func buckets(from, to time.Time, loc *time.Location) (Granularity, []Bucket) {
	g := ByMonth
	if to.Sub(from) <= 31*24*time.Hour+time.Hour { // an hour of slack for a DST change
		g = ByDay
	}
	var out []Bucket
	for start := from; start.Before(to); {
		y, m, d := start.Date()
		var next time.Time
		if g == ByDay {
			next = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		} else {
			next = time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
		}
		if next.After(to) {
			next = to
		}
		out = append(out, Bucket{Start: start, End: next})
		start = next
	}
	return g, out
}

// delays returns the mean, median and 90th percentile of sorted durations.
func delays(ds []time.Duration) (mean, median, p90 time.Duration) {
	n := len(ds)
	if n == 0 {
		return 0, 0, 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	mean = sum / time.Duration(n)
	if n%2 == 1 {
		median = ds[n/2]
	} else {
		median = (ds[n/2-1] + ds[n/2]) / 2
	}
	// Nearest-rank percentile: the smallest value with at least 90% of
	// values at or below it.
	rank := (9*n + 9) / 10
	p90 = ds[rank-1]
	return mean, median, p90
}
