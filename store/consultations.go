package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Answer kinds recorded for a consultation, matching knowledge.Kind.
const (
	AnswerCitation = "citation"
	AnswerFAQ      = "faq"
	AnswerArticles = "articles"
	AnswerNone     = "none"
	// AnswerSmallTalk marks a greeting, thanks or the like: no legal
	// question was asked.
	AnswerSmallTalk = "smalltalk"
)

// Feedback values.
const (
	FeedbackNone       = 0
	FeedbackHelpful    = 1
	FeedbackNotHelpful = -1
)

// Consultation is one question asked (人次), a row of the consultations
// table. Resident is a pseudonym (DB.Pseudonym), never a raw Telegram id.
type Consultation struct {
	ID         int64
	At         time.Time // zero means now
	Resident   string
	Channel    string // telegram (the default), cli, phone, visit, other
	ChatType   string // private, group, supergroup
	Topic      string
	AnswerKind string   // AnswerCitation, AnswerFAQ, AnswerArticles, AnswerNone, AnswerSmallTalk
	Articles   []string // citations shown, best first
	FAQID      string
	Question   string // empty after privacy.retain_days or /forget
	Feedback   int    // FeedbackHelpful, FeedbackNotHelpful or FeedbackNone
	HandedOver bool
	Latency    time.Duration
	// Office is the office the consultation counts for; "" for the
	// implicit office of a single township.
	Office string
}

// RecordConsultation stores c and returns its id.
func (db *DB) RecordConsultation(ctx context.Context, c Consultation) (int64, error) {
	at := c.At
	if at.IsZero() {
		at = db.Now()
	}
	channel := c.Channel
	if channel == "" {
		channel = "telegram"
	}
	var question any
	if c.Question != "" {
		question = c.Question
	}
	var id int64
	err := db.db.QueryRowContext(ctx, `INSERT INTO consultations
(at, resident, channel, chat_type, topic, answer_kind, articles, faq_id, question, feedback, handed_over, latency_ms, office)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		at.Unix(), c.Resident, channel, c.ChatType, c.Topic, c.AnswerKind, strings.Join(c.Articles, "\n"), c.FAQID,
		question, c.Feedback, consultationFlag(c.HandedOver), float64(c.Latency)/float64(time.Millisecond), c.Office).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: record consultation: %w", err)
	}
	return id, nil
}

// GetConsultation returns one consultation; ErrNotFound when unknown.
func (db *DB) GetConsultation(ctx context.Context, id int64) (Consultation, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+consultationColumns+` FROM consultations WHERE id = ?`, id)
	c, err := scanConsultation(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Consultation{}, ErrNotFound
	}
	if err != nil {
		return Consultation{}, fmt.Errorf("store: consultation %d: %w", id, err)
	}
	return c, nil
}

// LastConsultation returns the resident's latest consultation at or after
// since; ErrNotFound when there is none.
func (db *DB) LastConsultation(ctx context.Context, resident string, since time.Time) (Consultation, error) {
	if resident == "" {
		return Consultation{}, ErrNotFound
	}
	row := db.db.QueryRowContext(ctx, `SELECT `+consultationColumns+` FROM consultations
WHERE resident = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT 1`, resident, since.Unix())
	c, err := scanConsultation(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Consultation{}, ErrNotFound
	}
	if err != nil {
		return Consultation{}, fmt.Errorf("store: last consultation: %w", err)
	}
	return c, nil
}

const consultationColumns = `id, at, resident, channel, chat_type, topic, answer_kind, articles, faq_id, question, feedback, handed_over, latency_ms, office`

func scanConsultation(row interface{ Scan(...any) error }) (Consultation, error) {
	var c Consultation
	var at int64
	var articles string
	var question sql.NullString
	var handed int
	var latency float64
	err := row.Scan(&c.ID, &at, &c.Resident, &c.Channel, &c.ChatType, &c.Topic, &c.AnswerKind, &articles, &c.FAQID,
		&question, &c.Feedback, &handed, &latency, &c.Office)
	if err != nil {
		return c, err
	}
	c.At = time.Unix(at, 0)
	if articles != "" {
		c.Articles = strings.Split(articles, "\n")
	}
	c.Question = question.String
	c.HandedOver = handed != 0
	c.Latency = time.Duration(latency * float64(time.Millisecond))
	return c, nil
}

// SetFeedback records the resident's verdict on an answer
// (FeedbackHelpful, FeedbackNotHelpful or FeedbackNone); a later verdict
// replaces an earlier one. ErrNotFound when the consultation is unknown.
func (db *DB) SetFeedback(ctx context.Context, id int64, feedback int) error {
	if feedback < -1 || feedback > 1 {
		return fmt.Errorf("store: feedback %d: want -1, 0 or 1", feedback)
	}
	return db.updateConsultation(ctx, id, `UPDATE consultations SET feedback = ? WHERE id = ?`, feedback, id)
}

// MarkHandedOver records that the question was handed to staff.
func (db *DB) MarkHandedOver(ctx context.Context, id int64) error {
	return db.updateConsultation(ctx, id, `UPDATE consultations SET handed_over = 1 WHERE id = ?`, id)
}

func (db *DB) updateConsultation(ctx context.Context, id int64, q string, args ...any) error {
	res, err := db.db.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: consultation %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: consultation %d: %w", id, err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

func consultationFlag(b bool) int {
	if b {
		return 1
	}
	return 0
}
