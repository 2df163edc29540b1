package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AllOffices selects the records of every office (a county's view). The
// one implicit office of a single township is "".
const AllOffices = "*"

// officeCond returns a condition restricting col to one office (empty for
// AllOffices) and args followed by the office, ready for the query.
func officeCond(office, col string, args ...any) (string, []any) {
	if office == AllOffices {
		return "", args
	}
	return " AND " + col + " = ?", append(args, office)
}

// SetResidentOffice records the office a resident belongs to (chosen by a
// deep link, on /start or with /office). It is kept by pseudonym, with no
// time, like the consultations it scopes; a subscribed private chat moves
// to the office with its resident. userID is the resident's Telegram id.
func (db *DB) SetResidentOffice(ctx context.Context, userID int64, office string) error {
	resident, err := db.Pseudonym(ctx, userID)
	if err != nil {
		return err
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO resident_offices(resident, office) VALUES (?, ?)
ON CONFLICT(resident) DO UPDATE SET office = excluded.office`, resident, office); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE chats SET office = ? WHERE chat_id = ? AND kind = 'private'`, office, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set resident office: %w", err)
	}
	return nil
}

// ResidentOffice returns the office a resident chose; ok is false when
// they have not chosen one.
func (db *DB) ResidentOffice(ctx context.Context, userID int64) (office string, ok bool, err error) {
	resident, err := db.Pseudonym(ctx, userID)
	if err != nil {
		return "", false, err
	}
	err = db.db.QueryRowContext(ctx, `SELECT office FROM resident_offices WHERE resident = ?`, resident).Scan(&office)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: resident office: %w", err)
	}
	return office, true, nil
}

// OfficeOf is a view of the database restricted to one office's records,
// for its staff's statistics and its report; AllOffices gives the whole
// county. It answers the same aggregate queries as DB.
type OfficeOf struct {
	db     *DB
	office string
}

// Office returns the view of one office's records (AllOffices for all).
func (db *DB) Office(id string) OfficeOf { return OfficeOf{db: db, office: id} }

// ID is the office the view shows.
func (v OfficeOf) ID() string { return v.office }

// ConsultationTotals counts the office's consultations asked in [from, to).
func (v OfficeOf) ConsultationTotals(ctx context.Context, from, to time.Time) (ConsultationTotals, error) {
	return v.db.consultationTotals(ctx, v.office, from, to)
}

// CountConsultations counts the office's consultations in each interval.
func (v OfficeOf) CountConsultations(ctx context.Context, bounds []time.Time) ([]int64, error) {
	return v.db.countConsultations(ctx, v.office, bounds)
}

// TicketTotals counts the office's hand-over tickets opened in [from, to).
func (v OfficeOf) TicketTotals(ctx context.Context, from, to time.Time) (TicketTotals, error) {
	return v.db.ticketTotals(ctx, v.office, from, to)
}

// CampaignTotals lists the office's own and the shared campaigns of the
// period, counting the messages delivered to the office's recipients.
func (v OfficeOf) CampaignTotals(ctx context.Context, from, to time.Time) ([]CampaignTotals, error) {
	return v.db.campaignTotals(ctx, v.office, from, to)
}

// Reach counts the office's chats reached by campaigns in [from, to).
func (v OfficeOf) Reach(ctx context.Context, from, to time.Time) (Reach, error) {
	return v.db.reach(ctx, v.office, from, to)
}

// SubscriptionEventCounts counts the office's subscription events.
func (v OfficeOf) SubscriptionEventCounts(ctx context.Context, from, to time.Time) (map[string]int64, error) {
	return v.db.subscriptionEventCounts(ctx, v.office, from, to)
}

// ActiveSubscribers counts the office's subscribed chats now.
func (v OfficeOf) ActiveSubscribers(ctx context.Context) (int64, error) {
	return v.db.activeSubscribers(ctx, v.office)
}

// CountChats counts the office's chats by reachability.
func (v OfficeOf) CountChats(ctx context.Context) (ChatCounts, error) {
	return v.db.countChats(ctx, v.office)
}

// ActiveTickets lists the office's tickets that are not closed.
func (v OfficeOf) ActiveTickets(ctx context.Context) ([]Ticket, error) {
	if v.office == AllOffices {
		return v.db.ActiveTickets(ctx)
	}
	return v.db.ticketList(ctx, "active tickets", `WHERE status <> 'closed' AND office = ? ORDER BY id`, v.office)
}

// chatOfficeOf is an expression for the office of the chat whose id is the
// column col.
func chatOfficeOf(col string) string {
	return `COALESCE((SELECT c.office FROM chats c WHERE c.chat_id = ` + col + `), '')`
}

// officeAudienceQuery is audienceQuery restricted to one office's chats;
// office "" (the shared calendar, or a single township) reaches every
// chat.
func officeAudienceQuery(audience, office string) (string, []any, error) {
	q, args, err := audienceQuery(audience)
	if err != nil || office == "" {
		return q, args, err
	}
	return `SELECT a.chat_id FROM (` + q + `) AS a JOIN chats oc ON oc.chat_id = a.chat_id WHERE oc.office = ?`, append(args, office), nil
}

// OfficeAudienceSize counts the chats an audience of one office reaches now
// ("" for every office).
func (db *DB) OfficeAudienceSize(ctx context.Context, audience, office string) (int, error) {
	q, args, err := officeAudienceQuery(audience, office)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+q+`) AS audience`, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: audience %s: %w", audience, err)
	}
	return n, nil
}

// officeTables are the tables whose rows carry an office.
var officeTables = []string{"consultations", "tickets", "chats", "occurrences", "deliveries", "subscription_events"}

// assignOffice gives the records of the implicit office to office, and
// makes the residents who asked belong to it (a township moving into its
// county's database).
func assignOffice(ctx context.Context, tx *sql.Tx, office string) error {
	if office == "" {
		return nil
	}
	for _, t := range officeTables {
		if _, err := tx.ExecContext(ctx, `UPDATE `+t+` SET office = ? WHERE office = ''`, office); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO resident_offices(resident, office)
SELECT DISTINCT resident, ? FROM consultations WHERE resident <> '' AND resident NOT LIKE 'forgotten-%'
ON CONFLICT(resident) DO NOTHING`, office)
	return err
}
