package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// The aggregate queries behind the consultation report. Every query takes a
// half-open period [from, to) and returns counts only: nothing here reads
// question text, pseudonyms or chat ids out of the database.

// ConsultationGroup counts the consultations of a period that share a topic,
// an answer kind, a channel, a feedback value and a hand-over flag.
type ConsultationGroup struct {
	Topic      string
	AnswerKind string
	Channel    string
	// Feedback is 1 (helpful), -1 (not helpful) or 0 (none).
	Feedback   int
	HandedOver bool
	Count      int64
}

// ConsultationTotals sums up the consultations of a period.
type ConsultationTotals struct {
	// Groups break the consultations down by topic, answer kind, channel,
	// feedback and hand-over; their counts add up to the total.
	Groups []ConsultationGroup
	// Residents is the number of distinct pseudonymous residents.
	Residents int64
}

// Total is the number of consultations (人次).
func (t ConsultationTotals) Total() int64 {
	var n int64
	for _, g := range t.Groups {
		n += g.Count
	}
	return n
}

// streamThreshold is the number of consultations in a period above which
// ConsultationTotals reads whole indexes in group order instead of sorting
// the period's rows: sorting a year of a busy county's rows takes seconds,
// a pass over an index a fraction of one.
var streamThreshold int64 = 50_000

// ConsultationTotals counts the consultations asked in [from, to).
func (db *DB) ConsultationTotals(ctx context.Context, from, to time.Time) (ConsultationTotals, error) {
	return db.consultationTotals(ctx, AllOffices, from, to)
}

func (db *DB) consultationTotals(ctx context.Context, office string, from, to time.Time) (ConsultationTotals, error) {
	var t ConsultationTotals
	lo, hi := from.Unix(), to.Unix()
	cond, args := officeCond(office, "office", lo, hi)
	byAt := `consultations INDEXED BY consultations_at`
	if cond != "" {
		byAt = `consultations INDEXED BY consultations_office_at`
	}
	var n int64
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+byAt+` WHERE at >= ? AND at < ?`+cond, args...).Scan(&n); err != nil {
		return t, fmt.Errorf("store: consultation totals: %w", err)
	}
	if n == 0 {
		return t, nil
	}
	// A short period: find its rows by time and sort them. A long one:
	// walk the indexes that are already in group order.
	groups, residents := byAt, byAt
	if n > streamThreshold && cond == "" {
		groups, residents = `consultations INDEXED BY consultations_dims`, `consultations INDEXED BY consultations_resident_at`
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT topic, answer_kind, channel, feedback, handed_over, COUNT(*)
		FROM `+groups+`
		WHERE at >= ? AND at < ?`+cond+`
		GROUP BY topic, answer_kind, channel, feedback, handed_over`, args...)
	if err != nil {
		return t, fmt.Errorf("store: consultation totals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g ConsultationGroup
		var handed int
		if err := rows.Scan(&g.Topic, &g.AnswerKind, &g.Channel, &g.Feedback, &handed, &g.Count); err != nil {
			return t, fmt.Errorf("store: consultation totals: %w", err)
		}
		g.HandedOver = handed != 0
		t.Groups = append(t.Groups, g)
	}
	if err := rows.Err(); err != nil {
		return t, fmt.Errorf("store: consultation totals: %w", err)
	}
	err = db.db.QueryRowContext(ctx, `
		SELECT COUNT(*) FROM (
			SELECT resident FROM `+residents+`
			WHERE at >= ? AND at < ? AND resident <> ''`+cond+`
			GROUP BY resident) AS residents`, args...).Scan(&t.Residents)
	if err != nil {
		return t, fmt.Errorf("store: distinct residents: %w", err)
	}
	return t, nil
}

// CountConsultations counts consultations in each interval
// [bounds[i], bounds[i+1]); it returns len(bounds)-1 counts. Callers pass
// calendar boundaries computed in their own time zone.
func (db *DB) CountConsultations(ctx context.Context, bounds []time.Time) ([]int64, error) {
	return db.countConsultations(ctx, AllOffices, bounds)
}

func (db *DB) countConsultations(ctx context.Context, office string, bounds []time.Time) ([]int64, error) {
	if len(bounds) < 2 {
		return nil, nil
	}
	cond, extra := officeCond(office, "office")
	stmt, err := db.db.PrepareContext(ctx, `SELECT COUNT(*) FROM consultations WHERE at >= ? AND at < ?`+cond)
	if err != nil {
		return nil, fmt.Errorf("store: count consultations: %w", err)
	}
	defer stmt.Close()
	counts := make([]int64, len(bounds)-1)
	for i := range counts {
		if err := stmt.QueryRowContext(ctx, append([]any{bounds[i].Unix(), bounds[i+1].Unix()}, extra...)...).Scan(&counts[i]); err != nil {
			return nil, fmt.Errorf("store: count consultations: %w", err)
		}
	}
	return counts, nil
}

// TicketTotals sums up the hand-over tickets opened in a period.
type TicketTotals struct {
	// Created is the number of tickets opened.
	Created int64
	// Answered is the number that staff replied to (at any time since).
	Answered int64
	// ReplyDelays are the times from opening to the first staff reply of
	// the answered tickets, shortest first.
	ReplyDelays []time.Duration
}

// TicketTotals counts the hand-over tickets opened in [from, to) and how
// quickly staff first replied to them.
func (db *DB) TicketTotals(ctx context.Context, from, to time.Time) (TicketTotals, error) {
	return db.ticketTotals(ctx, AllOffices, from, to)
}

func (db *DB) ticketTotals(ctx context.Context, office string, from, to time.Time) (TicketTotals, error) {
	var t TicketTotals
	cond, args := officeCond(office, "office", from.Unix(), to.Unix())
	rows, err := db.db.QueryContext(ctx, `
		SELECT first_reply_at - created_at
		FROM tickets
		WHERE created_at >= ? AND created_at < ?`+cond, args...)
	if err != nil {
		return t, fmt.Errorf("store: ticket totals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d sql.NullInt64
		if err := rows.Scan(&d); err != nil {
			return t, fmt.Errorf("store: ticket totals: %w", err)
		}
		t.Created++
		if d.Valid {
			t.Answered++
			t.ReplyDelays = append(t.ReplyDelays, time.Duration(max(d.Int64, 0))*time.Second)
		}
	}
	if err := rows.Err(); err != nil {
		return t, fmt.Errorf("store: ticket totals: %w", err)
	}
	sort.Slice(t.ReplyDelays, func(i, j int) bool { return t.ReplyDelays[i] < t.ReplyDelays[j] })
	return t, nil
}

// CampaignTotals sums up one campaign's occurrences in a period.
type CampaignTotals struct {
	CampaignID string
	// Title is the title of the campaign's latest occurrence in the period.
	Title string
	// Occurrences counts the occurrences scheduled in the period that were
	// not skipped.
	Occurrences int64
	// Sent counts the messages delivered for those occurrences.
	Sent int64
	// Undelivered counts the deliveries that failed or were blocked.
	Undelivered int64
}

// CampaignTotals lists the campaigns with occurrences scheduled in
// [from, to), most messages first.
func (db *DB) CampaignTotals(ctx context.Context, from, to time.Time) ([]CampaignTotals, error) {
	return db.campaignTotals(ctx, AllOffices, from, to)
}

// campaignTotals counts, for one office, its own and the shared campaigns
// and the messages delivered to its own recipients.
func (db *DB) campaignTotals(ctx context.Context, office string, from, to time.Time) ([]CampaignTotals, error) {
	occCond, dCond := "", ""
	args := []any{from.Unix(), to.Unix()}
	if office != AllOffices {
		occCond, dCond = ` AND office IN ('', ?)`, ` AND d.office = ?`
		args = append(args, office, office, office)
	}
	rows, err := db.db.QueryContext(ctx, `
		WITH occ AS (
			SELECT id, campaign_id, title, scheduled_at
			FROM occurrences
			WHERE scheduled_at >= ? AND scheduled_at < ? AND status <> 'skipped'`+occCond+`
		), per AS (
			SELECT occ.id,
				(SELECT COUNT(*) FROM deliveries d WHERE d.occurrence_id = occ.id AND d.status = 'sent'`+dCond+`) AS sent,
				(SELECT COUNT(*) FROM deliveries d WHERE d.occurrence_id = occ.id AND d.status IN ('blocked', 'failed')`+dCond+`) AS undelivered
			FROM occ
		)
		SELECT occ.campaign_id,
			(SELECT o2.title FROM occ o2 WHERE o2.campaign_id = occ.campaign_id ORDER BY o2.scheduled_at DESC, o2.id DESC LIMIT 1),
			COUNT(*), SUM(per.sent), SUM(per.undelivered)
		FROM occ JOIN per ON per.id = occ.id
		GROUP BY occ.campaign_id
		ORDER BY SUM(per.sent) DESC, occ.campaign_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: campaign totals: %w", err)
	}
	defer rows.Close()
	var out []CampaignTotals
	for rows.Next() {
		var c CampaignTotals
		if err := rows.Scan(&c.CampaignID, &c.Title, &c.Occurrences, &c.Sent, &c.Undelivered); err != nil {
			return nil, fmt.Errorf("store: campaign totals: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: campaign totals: %w", err)
	}
	return out, nil
}

// Reach counts the chats that campaign messages reached in a period.
type Reach struct {
	// Groups is the number of distinct group chats that were sent a
	// message of an occurrence scheduled in the period, together with the
	// groups registered for campaigns by then (and not left before it).
	Groups int64
	// PrivateChats is the number of distinct private chats sent a message.
	PrivateChats int64
}

// Reach counts the chats reached by campaigns scheduled in [from, to).
// A chat with no row in chats is classified by its id: Telegram gives
// groups negative ids.
func (db *DB) Reach(ctx context.Context, from, to time.Time) (Reach, error) {
	return db.reach(ctx, AllOffices, from, to)
}

func (db *DB) reach(ctx context.Context, office string, from, to time.Time) (Reach, error) {
	var r Reach
	lo, hi := from.Unix(), to.Unix()
	dCond, cCond := "", ""
	args := []any{lo, hi, hi, lo}
	if office != AllOffices {
		dCond, cCond = ` AND d.office = ?`, ` AND office = ?`
		args = []any{office, lo, hi, hi, lo, office}
	}
	err := db.db.QueryRowContext(ctx, `
		WITH sent AS (
			SELECT DISTINCT d.chat_id AS chat_id
			FROM occurrences o
			JOIN deliveries d INDEXED BY deliveries_report ON d.occurrence_id = o.id AND d.status = 'sent'`+dCond+`
			WHERE o.scheduled_at >= ? AND o.scheduled_at < ?
		), kinds AS (
			SELECT sent.chat_id, COALESCE(c.kind IN ('group', 'supergroup'), sent.chat_id < 0) AS is_group
			FROM sent LEFT JOIN chats c ON c.chat_id = sent.chat_id
		)
		SELECT
			(SELECT COUNT(*) FROM (
				SELECT chat_id FROM kinds WHERE is_group
				UNION
				SELECT chat_id FROM chats
				WHERE group_registered <> 0 AND kind IN ('group', 'supergroup')
					AND created_at < ? AND (blocked_at IS NULL OR blocked_at >= ?)`+cCond+`
			) AS groups),
			(SELECT COUNT(*) FROM kinds WHERE NOT is_group)`, args...).Scan(&r.Groups, &r.PrivateChats)
	if err != nil {
		return r, fmt.Errorf("store: reach: %w", err)
	}
	return r, nil
}

// SubscriptionEventCounts counts the subscription events in [from, to) by
// kind (subscribe, unsubscribe, blocked, forget).
func (db *DB) SubscriptionEventCounts(ctx context.Context, from, to time.Time) (map[string]int64, error) {
	return db.subscriptionEventCounts(ctx, AllOffices, from, to)
}

func (db *DB) subscriptionEventCounts(ctx context.Context, office string, from, to time.Time) (map[string]int64, error) {
	cond, args := officeCond(office, "office", from.Unix(), to.Unix())
	rows, err := db.db.QueryContext(ctx, `
		SELECT kind, COUNT(*) FROM subscription_events
		WHERE at >= ? AND at < ?`+cond+`
		GROUP BY kind`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: subscription events: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var kind string
		var n int64
		if err := rows.Scan(&kind, &n); err != nil {
			return nil, fmt.Errorf("store: subscription events: %w", err)
		}
		out[kind] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: subscription events: %w", err)
	}
	return out, nil
}

// ActiveSubscribers counts the chats subscribed to at least one topic now
// and not blocked.
func (db *DB) ActiveSubscribers(ctx context.Context) (int64, error) {
	return db.activeSubscribers(ctx, AllOffices)
}

func (db *DB) activeSubscribers(ctx context.Context, office string) (int64, error) {
	var n int64
	cond, args := officeCond(office, "c.office")
	err := db.db.QueryRowContext(ctx, `
		SELECT COUNT(DISTINCT s.chat_id)
		FROM subscriptions s JOIN chats c ON c.chat_id = s.chat_id
		WHERE c.blocked_at IS NULL`+cond, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: active subscribers: %w", err)
	}
	return n, nil
}
