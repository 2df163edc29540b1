package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Occurrence kinds: why an occurrence exists.
const (
	KindScheduled = "scheduled" // the campaign's calendar fired
	KindManual    = "manual"    // staff ran the campaign by hand
	KindBroadcast = "broadcast" // staff sent a one-off message
)

// Occurrence statuses.
const (
	// OccurrencePending: recorded, recipients not yet snapshotted.
	OccurrencePending = "pending"
	// OccurrenceRunning: recipients snapshotted, deliveries in progress.
	OccurrenceRunning = "running"
	// OccurrenceDone: every delivery reached a final status.
	OccurrenceDone = "done"
	// OccurrenceSkipped: missed while down and too late to send.
	OccurrenceSkipped = "skipped"
)

// Delivery statuses.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryBlocked = "blocked" // the recipient blocked the bot (403); never retried
	DeliveryFailed  = "failed"  // gave up after retries or a permanent error
)

// Audiences a campaign can address.
const (
	AudienceSubscribers = "subscribers" // chats subscribed to every campaign (topic "*")
	AudienceGroups      = "groups"      // group chats staff registered for campaigns
	AudienceAll         = "all"         // subscribers and registered groups
	AudienceTopicPrefix = "topic:"      // "topic:<id>": subscribers of one topic, and of every campaign
)

// Occurrence is one firing of a campaign: a scheduled date, a manual run
// or a staff broadcast. It is recorded before anything is sent and carries
// its own copy of the message, so a later edit of the configuration does not
// change what an unfinished occurrence sends.
type Occurrence struct {
	ID          int64
	CampaignID  string
	ScheduledAt time.Time
	Kind        string
	Title       string
	Audience    string
	Message     string
	// Buttons is the JSON the schedules package encodes; "" for none.
	Buttons    string
	Status     string
	CreatedAt  time.Time
	FinishedAt time.Time // zero while unfinished
	// Office is the office whose own campaign or broadcast this is: only
	// its chats receive it. "" reaches every office.
	Office string
}

// Finished reports whether the occurrence needs no more work.
func (o Occurrence) Finished() bool {
	return o.Status == OccurrenceDone || o.Status == OccurrenceSkipped
}

// Progress counts an occurrence's deliveries by status.
type Progress struct {
	Recipients int
	Sent       int
	Blocked    int
	Failed     int
	Pending    int
}

// OccurrenceProgress is an occurrence with its delivery counts.
type OccurrenceProgress struct {
	Occurrence
	Progress
}

// Delivery is one pending recipient of an occurrence.
type Delivery struct {
	// Seq orders deliveries within an occurrence (snapshot order); pass the
	// last one seen to PendingDeliveries to page forward.
	Seq          int64
	OccurrenceID int64
	ChatID       int64
	// Attempts counts earlier tries that ended in a transient error.
	Attempts int
}

// DeliveryResult is the outcome of one send attempt.
type DeliveryResult struct {
	// Status is DeliverySent, DeliveryBlocked, DeliveryFailed, or
	// DeliveryPending to try again at RetryAt.
	Status  string
	Error   string
	RetryAt time.Time
}

// CampaignCount sums the occurrences of one campaign in a period.
type CampaignCount struct {
	CampaignID string
	// Title is the title of the campaign's latest occurrence in the period.
	Title string
	// Occurrences counts occurrences that were sent or are being sent;
	// Skipped counts those missed while the server was down.
	Occurrences int
	Skipped     int
	Sent        int
	Blocked     int
	Failed      int
	Pending     int
	// Reached counts distinct chats that received at least one message.
	Reached int
}

const occurrenceColumns = `id, campaign_id, scheduled_at, kind, title, audience, message, buttons, status, created_at, finished_at, office`

type rowScanner interface{ Scan(dest ...any) error }

func scanOccurrence(r rowScanner) (Occurrence, error) {
	var (
		o                      Occurrence
		scheduledAt, createdAt int64
		finishedAt             sql.NullInt64
	)
	err := r.Scan(&o.ID, &o.CampaignID, &scheduledAt, &o.Kind, &o.Title, &o.Audience, &o.Message, &o.Buttons, &o.Status, &createdAt, &finishedAt, &o.Office)
	if err != nil {
		return o, err
	}
	o.ScheduledAt = time.Unix(scheduledAt, 0)
	o.CreatedAt = time.Unix(createdAt, 0)
	if finishedAt.Valid {
		o.FinishedAt = time.Unix(finishedAt.Int64, 0)
	}
	return o, nil
}

// CreateOccurrence records o unless an occurrence of the same campaign at
// the same second exists; either way it returns the stored occurrence, and
// created says whether this call inserted it. This is what makes firing
// idempotent: two schedulers, or one restarted, agree on one row.
// Status defaults to pending; a skipped occurrence is stored finished.
func (db *DB) CreateOccurrence(ctx context.Context, o Occurrence) (stored Occurrence, created bool, err error) {
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		created, err = insertOccurrence(ctx, tx, &o, db.now())
		if err != nil {
			return err
		}
		stored, err = scanOccurrence(tx.QueryRowContext(ctx, `SELECT `+occurrenceColumns+` FROM occurrences WHERE campaign_id = ? AND scheduled_at = ?`, o.CampaignID, o.ScheduledAt.Unix()))
		return err
	})
	if err != nil {
		return Occurrence{}, false, fmt.Errorf("store: create occurrence %s at %s: %w", o.CampaignID, o.ScheduledAt.Format(time.RFC3339), err)
	}
	return stored, created, nil
}

// AddOccurrence records a new occurrence that must not merge with another
// one (a staff broadcast): when the second is taken it moves forward to the
// next free second.
func (db *DB) AddOccurrence(ctx context.Context, o Occurrence) (Occurrence, error) {
	var stored Occurrence
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for i := 0; i < 3600; i++ {
			created, err := insertOccurrence(ctx, tx, &o, db.now())
			if err != nil {
				return err
			}
			if created {
				stored, err = scanOccurrence(tx.QueryRowContext(ctx, `SELECT `+occurrenceColumns+` FROM occurrences WHERE campaign_id = ? AND scheduled_at = ?`, o.CampaignID, o.ScheduledAt.Unix()))
				return err
			}
			o.ScheduledAt = o.ScheduledAt.Add(time.Second)
		}
		return errors.New("no free second within an hour")
	})
	if err != nil {
		return Occurrence{}, fmt.Errorf("store: add occurrence %s: %w", o.CampaignID, err)
	}
	return stored, nil
}

func insertOccurrence(ctx context.Context, tx *sql.Tx, o *Occurrence, now int64) (bool, error) {
	if o.CampaignID == "" {
		return false, errors.New("empty campaign id")
	}
	if o.Kind == "" {
		o.Kind = KindScheduled
	}
	if o.Audience == "" {
		o.Audience = AudienceSubscribers
	}
	if o.Status == "" {
		o.Status = OccurrencePending
	}
	var finished any
	if o.Status == OccurrenceSkipped || o.Status == OccurrenceDone {
		finished = now
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO occurrences(campaign_id, scheduled_at, kind, title, audience, message, buttons, status, created_at, finished_at, office)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(campaign_id, scheduled_at) DO NOTHING`,
		o.CampaignID, o.ScheduledAt.Unix(), o.Kind, o.Title, o.Audience, o.Message, o.Buttons, o.Status, now, finished, o.Office)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Occurrence returns one occurrence; ErrNotFound when there is none.
func (db *DB) Occurrence(ctx context.Context, id int64) (Occurrence, error) {
	o, err := scanOccurrence(db.db.QueryRowContext(ctx, `SELECT `+occurrenceColumns+` FROM occurrences WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound
	}
	if err != nil {
		return o, fmt.Errorf("store: occurrence %d: %w", id, err)
	}
	return o, nil
}

// UnfinishedOccurrences lists pending and running occurrences, oldest
// first: the work to resume after a restart.
func (db *DB) UnfinishedOccurrences(ctx context.Context) ([]Occurrence, error) {
	return db.queryOccurrences(ctx, `SELECT `+occurrenceColumns+` FROM occurrences WHERE status IN ('pending', 'running') ORDER BY id`)
}

// UnfinishedOccurrence returns the oldest pending or running occurrence of
// a campaign; ErrNotFound when there is none.
func (db *DB) UnfinishedOccurrence(ctx context.Context, campaignID string) (Occurrence, error) {
	list, err := db.queryOccurrences(ctx, `SELECT `+occurrenceColumns+` FROM occurrences WHERE status IN ('pending', 'running') AND campaign_id = ? ORDER BY id LIMIT 1`, campaignID)
	if err != nil {
		return Occurrence{}, err
	}
	if len(list) == 0 {
		return Occurrence{}, ErrNotFound
	}
	return list[0], nil
}

func (db *DB) queryOccurrences(ctx context.Context, query string, args ...any) ([]Occurrence, error) {
	rows, err := db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: occurrences: %w", err)
	}
	defer rows.Close()
	var out []Occurrence
	for rows.Next() {
		o, err := scanOccurrence(rows)
		if err != nil {
			return nil, fmt.Errorf("store: occurrences: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: occurrences: %w", err)
	}
	return out, nil
}

// StartOccurrence snapshots the recipients of a pending occurrence into
// deliveries and marks it running, in one transaction. On an occurrence that
// already started it changes nothing, so resuming after a crash is safe.
func (db *DB) StartOccurrence(ctx context.Context, id int64) (Occurrence, error) {
	var o Occurrence
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		o, err = scanOccurrence(tx.QueryRowContext(ctx, `SELECT `+occurrenceColumns+` FROM occurrences WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || o.Status != OccurrencePending {
			return err
		}
		q, args, err := officeAudienceQuery(o.Audience, o.Office)
		if err != nil {
			return err
		}
		// Each delivery keeps its recipient's office, for office reports.
		rows, err := tx.QueryContext(ctx, `SELECT a.chat_id, `+chatOfficeOf("a.chat_id")+` FROM (`+q+`) AS a`, args...)
		if err != nil {
			return fmt.Errorf("snapshot recipients: %w", err)
		}
		var ids []recipient
		for rows.Next() {
			var r recipient
			if err := rows.Scan(&r.chat, &r.office); err != nil {
				rows.Close()
				return fmt.Errorf("snapshot recipients: %w", err)
			}
			ids = append(ids, r)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("snapshot recipients: %w", err)
		}
		// Rows are stored in an order that tells nothing about the chat
		// ids (see deliveryOrder): in chat id order, the finished
		// deliveries' stand-ins zipped with the sorted subscribers would
		// tell whose is whose.
		if err := db.insertDeliveries(ctx, tx, id, ids); err != nil {
			return fmt.Errorf("snapshot recipients: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE occurrences SET status = 'running' WHERE id = ?`, id); err != nil {
			return err
		}
		o.Status = OccurrenceRunning
		return nil
	})
	if err != nil {
		return o, fmt.Errorf("store: start occurrence %d: %w", id, err)
	}
	return o, nil
}

// snapshotBatch is how many deliveries one INSERT stores.
const snapshotBatch = 500

// recipient is a chat an occurrence goes to, with its office.
type recipient struct {
	chat   int64
	office string
}

// insertDeliveries stores an occurrence's recipients in deliveryOrder.
func (db *DB) insertDeliveries(ctx context.Context, tx *sql.Tx, occurrenceID int64, to []recipient) error {
	order := make(map[int64]int64, len(to))
	for _, r := range to {
		order[r.chat] = db.deliveryOrder(r.chat)
	}
	sort.Slice(to, func(i, j int) bool { return order[to[i].chat] < order[to[j].chat] })
	for len(to) > 0 {
		// A few fixed batch sizes: each is one query text (PostgreSQL's
		// rewrite caches them).
		n := 1
		for _, size := range []int{snapshotBatch, 100, 20} {
			if len(to) >= size {
				n = size
				break
			}
		}
		q := `INSERT OR IGNORE INTO deliveries(occurrence_id, chat_id, office) VALUES (?, ?, ?)` + strings.Repeat(`, (?, ?, ?)`, n-1)
		args := make([]any, 0, 3*n)
		for _, r := range to[:n] {
			args = append(args, occurrenceID, r.chat, r.office)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		to = to[n:]
	}
	return nil
}

// SkipOccurrence marks a pending occurrence skipped (missed while no
// process sent, too late to send) before any recipient is snapshotted. It
// reports whether it changed the occurrence: one that started meanwhile is
// left alone.
func (db *DB) SkipOccurrence(ctx context.Context, id int64) (bool, error) {
	res, err := db.db.ExecContext(ctx, `UPDATE occurrences SET status = 'skipped', finished_at = ? WHERE id = ? AND status = 'pending'`, db.now(), id)
	if err != nil {
		return false, fmt.Errorf("store: skip occurrence %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: skip occurrence %d: %w", id, err)
	}
	return n == 1, nil
}

// ValidAudience checks an audience string without touching the database.
func ValidAudience(audience string) error {
	_, _, err := audienceQuery(audience)
	return err
}

// audienceQuery returns a query selecting the distinct chat_id of every
// reachable (not blocked) chat in the audience.
func audienceQuery(audience string) (string, []any, error) {
	const subscribed = `SELECT DISTINCT s.chat_id FROM subscriptions s JOIN chats c ON c.chat_id = s.chat_id WHERE c.blocked_at IS NULL AND s.topic `
	const groups = `SELECT chat_id FROM chats WHERE group_registered = 1 AND blocked_at IS NULL`
	switch {
	case audience == AudienceSubscribers || audience == "":
		return subscribed + `= '*'`, nil, nil
	case audience == AudienceGroups:
		return groups, nil, nil
	case audience == AudienceAll:
		return subscribed + `= '*' UNION ` + groups, nil, nil
	case strings.HasPrefix(audience, AudienceTopicPrefix):
		topic := strings.TrimPrefix(audience, AudienceTopicPrefix)
		if topic == "" || topic == "*" {
			return "", nil, fmt.Errorf("audience %q: topic id missing", audience)
		}
		return subscribed + `IN ('*', ?)`, []any{topic}, nil
	default:
		return "", nil, fmt.Errorf("audience %q: want subscribers, groups, all or topic:<id>", audience)
	}
}

// Audience lists the chats an audience reaches now, in chat id order.
func (db *DB) Audience(ctx context.Context, audience string) ([]int64, error) {
	q, args, err := audienceQuery(audience)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	rows, err := db.db.QueryContext(ctx, `SELECT chat_id FROM (`+q+`) AS audience ORDER BY chat_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: audience %s: %w", audience, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: audience %s: %w", audience, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: audience %s: %w", audience, err)
	}
	return ids, nil
}

// AudienceSize counts the chats an audience reaches now.
func (db *DB) AudienceSize(ctx context.Context, audience string) (int, error) {
	return db.OfficeAudienceSize(ctx, audience, "")
}

// PendingDeliveries returns up to limit pending deliveries of an occurrence
// that are due at now and come after seq afterSeq, in snapshot order.
func (db *DB) PendingDeliveries(ctx context.Context, occurrenceID, afterSeq int64, now time.Time, limit int) ([]Delivery, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT rowid, chat_id, attempts FROM deliveries
		WHERE occurrence_id = ? AND status = 'pending' AND rowid > ? AND next_attempt_at <= ?
		ORDER BY rowid LIMIT ?`, occurrenceID, afterSeq, now.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending deliveries %d: %w", occurrenceID, err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d := Delivery{OccurrenceID: occurrenceID}
		if err := rows.Scan(&d.Seq, &d.ChatID, &d.Attempts); err != nil {
			return nil, fmt.Errorf("store: pending deliveries %d: %w", occurrenceID, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: pending deliveries %d: %w", occurrenceID, err)
	}
	return out, nil
}

// NextAttempt returns when the earliest pending delivery of an occurrence
// is due; ok is false when nothing is pending.
func (db *DB) NextAttempt(ctx context.Context, occurrenceID int64) (at time.Time, ok bool, err error) {
	var next sql.NullInt64
	err = db.db.QueryRowContext(ctx, `SELECT MIN(next_attempt_at) FROM deliveries WHERE occurrence_id = ? AND status = 'pending'`, occurrenceID).Scan(&next)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: next attempt %d: %w", occurrenceID, err)
	}
	if !next.Valid {
		return time.Time{}, false, nil
	}
	return time.Unix(next.Int64, 0), true, nil
}

// RecordDelivery stores the outcome of one attempt. Only a pending delivery
// changes, so a late duplicate report cannot overwrite a final status. A
// blocked recipient's other pending deliveries are closed as blocked too;
// the caller marks the chat itself with MarkBlocked, which takes it out of
// every audience.
func (db *DB) RecordDelivery(ctx context.Context, occurrenceID, chatID int64, r DeliveryResult) error {
	now := db.now()
	msg := r.Error
	if len(msg) > 500 {
		msg = msg[:500]
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		switch r.Status {
		case DeliverySent:
			_, err = tx.ExecContext(ctx, `UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?, error = '' WHERE occurrence_id = ? AND chat_id = ? AND status = 'pending'`, now, occurrenceID, chatID)
		case DeliveryFailed:
			_, err = tx.ExecContext(ctx, `UPDATE deliveries SET status = 'failed', attempts = attempts + 1, error = ? WHERE occurrence_id = ? AND chat_id = ? AND status = 'pending'`, msg, occurrenceID, chatID)
		case DeliveryPending:
			_, err = tx.ExecContext(ctx, `UPDATE deliveries SET attempts = attempts + 1, error = ?, next_attempt_at = ? WHERE occurrence_id = ? AND chat_id = ? AND status = 'pending'`, msg, r.RetryAt.Unix(), occurrenceID, chatID)
		case DeliveryBlocked:
			if _, err = tx.ExecContext(ctx, `UPDATE deliveries SET status = 'blocked', attempts = attempts + 1, error = ? WHERE occurrence_id = ? AND chat_id = ? AND status = 'pending'`, msg, occurrenceID, chatID); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE deliveries SET status = 'blocked', error = 'blocked in another occurrence' WHERE chat_id = ? AND status = 'pending'`, chatID)
		default:
			return fmt.Errorf("unknown delivery status %q", r.Status)
		}
		if err != nil {
			return err
		}
		return db.retireDeliveries(ctx, tx, chatID)
	})
	if err != nil {
		return fmt.Errorf("store: record a delivery of occurrence %d: %w", occurrenceID, err)
	}
	return nil
}

// retireDeliveries replaces a private chat's id in its finished deliveries
// by its DeliveryRef: reports still count distinct recipients, but a finished
// delivery no longer names the person it went to.
func (db *DB) retireDeliveries(ctx context.Context, tx *sql.Tx, chatID int64) error {
	if !isPrivateChatID(chatID) {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE deliveries SET chat_id = ? WHERE chat_id = ? AND status <> 'pending'`, db.DeliveryRef(chatID), chatID)
	return err
}

// OccurrenceProgress counts an occurrence's deliveries.
func (db *DB) OccurrenceProgress(ctx context.Context, id int64) (Progress, error) {
	p, err := progressOf(ctx, db.db, id)
	if err != nil {
		return p, fmt.Errorf("store: progress %d: %w", id, err)
	}
	return p, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func progressOf(ctx context.Context, q querier, id int64) (Progress, error) {
	var p Progress
	err := q.QueryRowContext(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN status = 'blocked' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0)
		FROM deliveries WHERE occurrence_id = ?`, id).Scan(&p.Recipients, &p.Sent, &p.Blocked, &p.Failed, &p.Pending)
	return p, err
}

// FinishOccurrence marks a running occurrence done when none of its
// deliveries is pending. finished is true only for the call that made the
// change, so the end-of-run summary goes out once.
func (db *DB) FinishOccurrence(ctx context.Context, id int64) (op OccurrenceProgress, finished bool, err error) {
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		o, err := scanOccurrence(tx.QueryRowContext(ctx, `SELECT `+occurrenceColumns+` FROM occurrences WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		p, err := progressOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if o.Status == OccurrenceRunning && p.Pending == 0 {
			now := db.now()
			if _, err := tx.ExecContext(ctx, `UPDATE occurrences SET status = 'done', finished_at = ? WHERE id = ? AND status = 'running'`, now, id); err != nil {
				return err
			}
			o.Status, o.FinishedAt, finished = OccurrenceDone, time.Unix(now, 0), true
		}
		op = OccurrenceProgress{Occurrence: o, Progress: p}
		return nil
	})
	if err != nil {
		return op, false, fmt.Errorf("store: finish occurrence %d: %w", id, err)
	}
	return op, finished, nil
}

// RecentOccurrences returns the latest occurrences (skipped ones included),
// newest first, with their progress.
func (db *DB) RecentOccurrences(ctx context.Context, limit int) ([]OccurrenceProgress, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT o.id, o.campaign_id, o.scheduled_at, o.kind, o.title, o.audience, o.message, o.buttons, o.status, o.created_at, o.finished_at,
		COUNT(d.chat_id), COALESCE(SUM(CASE WHEN d.status = 'sent' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN d.status = 'blocked' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN d.status = 'failed' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN d.status = 'pending' THEN 1 ELSE 0 END), 0)
		FROM (SELECT * FROM occurrences ORDER BY id DESC LIMIT ?) o
		LEFT JOIN deliveries d ON d.occurrence_id = o.id
		GROUP BY o.id, o.campaign_id, o.scheduled_at, o.kind, o.title, o.audience, o.message, o.buttons, o.status, o.created_at, o.finished_at
		ORDER BY o.id DESC`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: recent occurrences: %w", err)
	}
	defer rows.Close()
	var out []OccurrenceProgress
	for rows.Next() {
		var (
			op                     OccurrenceProgress
			scheduledAt, createdAt int64
			finishedAt             sql.NullInt64
		)
		o := &op.Occurrence
		p := &op.Progress
		if err := rows.Scan(&o.ID, &o.CampaignID, &scheduledAt, &o.Kind, &o.Title, &o.Audience, &o.Message, &o.Buttons, &o.Status, &createdAt, &finishedAt,
			&p.Recipients, &p.Sent, &p.Blocked, &p.Failed, &p.Pending); err != nil {
			return nil, fmt.Errorf("store: recent occurrences: %w", err)
		}
		o.ScheduledAt, o.CreatedAt = time.Unix(scheduledAt, 0), time.Unix(createdAt, 0)
		if finishedAt.Valid {
			o.FinishedAt = time.Unix(finishedAt.Int64, 0)
		}
		out = append(out, op)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: recent occurrences: %w", err)
	}
	return out, nil
}

// CampaignCounts sums, per campaign, the occurrences scheduled in
// [from, to) and their deliveries, for reports. Campaigns are ordered by id.
func (db *DB) CampaignCounts(ctx context.Context, from, to time.Time) ([]CampaignCount, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT o.campaign_id,
		(SELECT t.title FROM occurrences t WHERE t.campaign_id = o.campaign_id AND t.scheduled_at >= ?1 AND t.scheduled_at < ?2
			ORDER BY t.scheduled_at DESC LIMIT 1),
		COUNT(DISTINCT CASE WHEN o.status != 'skipped' THEN o.id END),
		COUNT(DISTINCT CASE WHEN o.status = 'skipped' THEN o.id END),
		COALESCE(SUM(CASE WHEN d.status = 'sent' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN d.status = 'blocked' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN d.status = 'failed' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN d.status = 'pending' THEN 1 ELSE 0 END), 0),
		COUNT(DISTINCT CASE WHEN d.status = 'sent' THEN d.chat_id END)
		FROM occurrences o LEFT JOIN deliveries d ON d.occurrence_id = o.id
		WHERE o.scheduled_at >= ?1 AND o.scheduled_at < ?2
		GROUP BY o.campaign_id ORDER BY o.campaign_id`, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: campaign counts: %w", err)
	}
	defer rows.Close()
	var out []CampaignCount
	for rows.Next() {
		var c CampaignCount
		if err := rows.Scan(&c.CampaignID, &c.Title, &c.Occurrences, &c.Skipped, &c.Sent, &c.Blocked, &c.Failed, &c.Pending, &c.Reached); err != nil {
			return nil, fmt.Errorf("store: campaign counts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: campaign counts: %w", err)
	}
	return out, nil
}

// UpdateSetting reads a setting and replaces it with what fn returns, in
// one write transaction, so two processes cannot both take a lease. fn gets
// the current value and whether it exists; it returns the new value and
// whether to write it.
func (db *DB) UpdateSetting(ctx context.Context, key string, fn func(cur string, ok bool) (next string, write bool, err error)) error {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if db.dialect == dialectPostgres {
			// SQLite's write transaction is exclusive; PostgreSQL's is
			// not: two processes sharing the database (replicas) must
			// not both read a free lease and both take it.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(?))`, "setting:"+key); err != nil {
				return err
			}
		}
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&cur)
		ok := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		next, write, err := fn(cur, ok)
		if err != nil || !write {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, next)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: update %s: %w", key, err)
	}
	return nil
}
