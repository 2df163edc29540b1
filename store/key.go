package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The pseudonym key turns a Telegram user id into the pseudonym stored with
// each consultation. It never lives in the database: whoever holds the
// database file alone (a backup, a copied disk) must not be able to hash
// chat ids back into pseudonyms. It comes from the environment
// (Options.Key) or a key file beside the database, created 0600 on first
// start.

// DefaultKeyFile is the name of the key file beside the database when
// Options.KeyFile is empty.
const DefaultKeyFile = "pseudonym.key"

// minKeyBytes is the shortest key accepted from a file or the environment.
const minKeyBytes = 16

// settingPseudonymKey is where versions before the key file kept the key;
// Open moves it out.
const settingPseudonymKey = "pseudonym_key"

// ErrNoKey is returned by Open when the database holds pseudonyms but no
// key is available: making a new key would silently count every returning
// resident as new and break /forget for them.
var ErrNoKey = errors.New("pseudonym key missing")

// Options tune Open.
type Options struct {
	// KeyFile is the pseudonym key file; "" means DefaultKeyFile in the
	// database's folder. An in-memory database with no KeyFile and no Key
	// gets a random key that is never written.
	KeyFile string
	// Key, when not nil, is the pseudonym key itself (from the
	// environment); the key file is then neither read nor written.
	Key []byte
	// KeySource names where Key came from, for error messages.
	KeySource string
}

// ParseKey decodes a key as written in a key file or the environment:
// hexadecimal, at least 32 digits, surrounding space ignored.
func ParseKey(s string) ([]byte, error) {
	k, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("want hexadecimal digits")
	}
	if len(k) < minKeyBytes {
		return nil, fmt.Errorf("want at least %d hexadecimal digits, got %d", 2*minKeyBytes, 2*len(k))
	}
	return k, nil
}

// KeyFile returns the key file Open uses for the database at path.
func (o Options) keyFile(path string) string {
	if o.KeyFile != "" {
		return o.KeyFile
	}
	if path == ":memory:" || IsPostgresURL(path) {
		return ""
	}
	return filepath.Join(filepath.Dir(path), DefaultKeyFile)
}

// setupKey finds the pseudonym key, creating it when the database has no
// pseudonyms yet, and moves a key left in the database by an older version
// out to the key file, then deletes it from the database.
func (db *DB) setupKey(ctx context.Context, o Options) error {
	inDB, err := db.Setting(ctx, settingPseudonymKey)
	switch {
	case errors.Is(err, ErrNotFound):
		inDB = ""
	case err != nil:
		return err
	}
	var dbKey []byte
	if inDB != "" {
		if dbKey, err = hex.DecodeString(inDB); err != nil || len(dbKey) == 0 {
			return fmt.Errorf("store: the pseudonym key stored in %s is malformed", db.path)
		}
	}
	key, source, err := db.findKey(ctx, o, dbKey)
	if err != nil {
		return err
	}
	if dbKey != nil {
		if !hmac.Equal(dbKey, key) {
			return fmt.Errorf("store: %s holds a pseudonym key that differs from the one in %s; "+
				"keep the database's key (it made the stored pseudonyms): remove %s or unset it and start again", db.path, source, source)
		}
		if err := db.dropStoredKey(ctx); err != nil {
			return err
		}
	}
	if err := db.checkKey(ctx, key, source); err != nil {
		return err
	}
	db.key = key
	return nil
}

// settingKeyCheck holds KeyCheck of the key the database's pseudonyms are
// made with.
const settingKeyCheck = "pseudonym_key_check"

// KeyCheck is a check value of a pseudonym key: a keyed hash of a
// constant, which tells whether a key is the right one and nothing about
// the key itself (nor does it help hash anything else).
func KeyCheck(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("pufabot pseudonym key check"))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// checkKey refuses a key that is not the one the database's pseudonyms
// were made with (a key file restored from another backup, or
// PUFABOT_PSEUDONYM_KEY different from the key file): opened with it,
// every returning resident would silently count as new. A database
// without a check value (or without pseudonyms yet) gets the key's.
func (db *DB) checkKey(ctx context.Context, key []byte, source string) error {
	want := KeyCheck(key)
	if _, err := db.db.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING`, settingKeyCheck, want); err != nil {
		return fmt.Errorf("store: pseudonym key check: %w", err)
	}
	have, err := db.Setting(ctx, settingKeyCheck)
	if err != nil || have == want {
		return err
	}
	if has, err := db.hasPseudonyms(ctx); err != nil {
		return err
	} else if !has {
		return db.SetSetting(ctx, settingKeyCheck, want)
	}
	return fmt.Errorf("store: %w: the pseudonym key from %s is not the one the pseudonyms in %s were made with "+
		"(a key file from another backup, or %s different from the key file?). Use the key that belongs with this database; "+
		"opened with another, every returning resident would count as new", ErrWrongKey, source, db.path, envPseudonymKey)
}

// ErrWrongKey is returned by Open when the key given is not the one the
// database's pseudonyms were made with.
var ErrWrongKey = errors.New("wrong pseudonym key")

// envPseudonymKey names the environment variable that can hold the key
// (read by the config package), for error messages.
const envPseudonymKey = "PUFABOT_PSEUDONYM_KEY"

// findKey returns the key from the environment or the key file, writing
// the file when it does not exist (with the key moved out of the database,
// or a new one when the database has no pseudonyms).
func (db *DB) findKey(ctx context.Context, o Options, dbKey []byte) (key []byte, source string, err error) {
	if o.Key != nil {
		if len(o.Key) < minKeyBytes {
			return nil, "", fmt.Errorf("store: pseudonym key from %s is shorter than %d bytes", o.KeySource, minKeyBytes)
		}
		src := o.KeySource
		if src == "" {
			src = "the configured key"
		}
		return o.Key, src, nil
	}
	file := o.keyFile(db.path)
	if file == "" && db.dialect == dialectPostgres {
		// Replicas each have their own data_dir: a key file made there
		// would differ from replica to replica.
		return nil, "", fmt.Errorf("store: %w: with PostgreSQL, give the pseudonym key in PUFABOT_PSEUDONYM_KEY or privacy.key_file, the same on every replica", ErrNoKey)
	}
	if file == "" { // in memory
		if dbKey != nil {
			return dbKey, "memory", nil
		}
		k := make([]byte, 32)
		_, err := rand.Read(k)
		return k, "memory", err
	}
	key, err = readKeyFile(file)
	if err == nil {
		return key, file, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", err
	}
	if dbKey == nil {
		has, err := db.hasPseudonyms(ctx)
		if err != nil {
			return nil, "", err
		}
		if has {
			return nil, "", fmt.Errorf("store: %w: %s holds residents' pseudonyms but the key file %s does not exist. "+
				"Restore the key file from your backup (or set PUFABOT_PSEUDONYM_KEY). Only if the key is lost for good, "+
				"create a new one (for example `openssl rand -hex 32 > %s`): returning residents will then count as new",
				ErrNoKey, db.path, file, file)
		}
		dbKey = make([]byte, 32)
		if _, err := rand.Read(dbKey); err != nil {
			return nil, "", fmt.Errorf("store: pseudonym key: %w", err)
		}
	}
	if err := writeKeyFile(file, dbKey); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process created it first: use theirs.
			key, err := readKeyFile(file)
			return key, file, err
		}
		return nil, "", err
	}
	return dbKey, file, nil
}

// hasPseudonyms reports whether any row carries a pseudonym made with the
// key (forgotten residents carry random tokens instead, web residents a
// hash of their session).
func (db *DB) hasPseudonyms(ctx context.Context) (bool, error) {
	var has bool
	err := db.db.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM consultations WHERE resident <> '' AND resident NOT LIKE 'forgotten-%' AND resident NOT LIKE 'web-%')
		OR EXISTS (SELECT 1 FROM tickets WHERE resident <> '' AND resident NOT LIKE 'web-%')`).Scan(&has)
	if err != nil {
		return false, fmt.Errorf("store: looking for pseudonyms: %w", err)
	}
	return has, nil
}

// dropStoredKey deletes the key from the database so that no copy of it
// remains in the file: secure_delete overwrites the freed bytes, and the
// checkpoint empties the write-ahead log that held the old page.
func (db *DB) dropStoredKey(ctx context.Context) error {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer conn.Close()
	sqlite := db.dialect == dialectSQLite
	if sqlite {
		if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	if _, err := conn.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, settingPseudonymKey); err != nil {
		return fmt.Errorf("store: removing the pseudonym key from the database: %w", err)
	}
	if sqlite && db.path != ":memory:" {
		// Busy readers may keep part of the log; a later checkpoint
		// overwrites it. A fresh start (the usual upgrade) has none.
		var busy, logPages, done int
		if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); err != nil {
			return fmt.Errorf("store: checkpoint after removing the pseudonym key: %w", err)
		}
	}
	return nil
}

func readKeyFile(path string) ([]byte, error) {
	// A file created by another process at this moment may still be
	// empty: wait a little for its content.
	for i := 0; ; i++ {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("store: pseudonym key file: %w", err)
		}
		if len(strings.TrimSpace(string(data))) == 0 && i < 20 {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		k, err := ParseKey(string(data))
		if err != nil {
			return nil, fmt.Errorf("store: pseudonym key file %s: %w", path, err)
		}
		return k, nil
	}
}

// writeKeyFile creates the key file, readable by its owner only; it fails
// with fs.ErrExist when the file exists.
func writeKeyFile(path string, key []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("store: pseudonym key file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("store: pseudonym key file: %w", err)
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("store: writing pseudonym key file %s: %w", path, err)
	}
	return nil
}

// Pseudonym returns the stable pseudonymous id of a Telegram user: a keyed
// hash (HMAC-SHA256 with the pseudonym key, which is kept outside the
// database), so counts of unique residents work without storing who they
// are.
func (db *DB) Pseudonym(_ context.Context, userID int64) (string, error) {
	m := hmac.New(sha256.New, db.key)
	fmt.Fprintf(m, "telegram:%d", userID)
	return hex.EncodeToString(m.Sum(nil)[:12]), nil
}

// chatRef is a chat id's keyed hash, the root of its stand-ins. It is
// never stored itself: each use derives its own stand-in from it (see
// refFor), so that the same chat gets unrelated numbers in deliveries and
// in relayed messages and no join across tables ties them together.
func (db *DB) chatRef(chatID int64) int64 {
	m := hmac.New(sha256.New, db.key)
	fmt.Fprintf(m, "chat:%d", chatID)
	return refOf(m.Sum(nil))
}

// refFor derives the stand-in of one use (use names it) from a chatRef.
// Stand-ins stored before they were per use were the chatRef itself, so
// they can be turned into the new ones without the raw id.
func (db *DB) refFor(use string, chatRef int64) int64 {
	m := hmac.New(sha256.New, db.key)
	fmt.Fprintf(m, "%s:%d", use, chatRef)
	return refOf(m.Sum(nil))
}

// refOf maps a hash into [2^62, 2^62+2^61): far above any Telegram id (at
// most 52 bits), and positive like private chats, so "negative id =
// group" still holds.
func refOf(sum []byte) int64 {
	var v uint64
	for _, b := range sum[:8] {
		v = v<<8 | uint64(b)
	}
	return chatRefBase | int64(v>>3)
}

// DeliveryRef is a chat id's stand-in in its finished deliveries once the
// raw id is no longer needed: a keyed hash that still tells recipients
// apart (reports count distinct chats reached) but cannot be turned back
// into the id without the pseudonym key, and differs from the chat's
// stand-ins anywhere else.
func (db *DB) DeliveryRef(chatID int64) int64 { return db.refFor("delivery", db.chatRef(chatID)) }

// RelayRef is the stand-in of a chat in one relayed message of a closed
// ticket: different for every message, so relayed messages cannot be
// grouped by resident, nor matched with deliveries; a resident's reply to
// the message still finds it, knowing the chat and the message.
func (db *DB) RelayRef(chatID int64, messageID int) int64 {
	return db.refFor(fmt.Sprintf("relay:%d", messageID), db.chatRef(chatID))
}

// chatRefBase is the lowest stand-in; see refOf.
const chatRefBase = int64(1) << 62

// isPrivateChatID reports whether a raw chat id is a person's private chat
// (Telegram gives groups and channels negative ids).
func isPrivateChatID(id int64) bool { return id > 0 && id < chatRefBase }

// settingChatRefs records that retireOldChatIDs ran; settingRefsPerUse
// that it ran in its current form (stand-ins per use, deliveries in an
// order that tells nothing).
const (
	settingChatRefs   = "private_chat_ids_retired"
	settingRefsPerUse = "chat_refs_per_use"
)

// retireOldChatIDs gives the finished deliveries and closed tickets' relayed
// messages of a database from before stand-ins their DeliveryRef and
// RelayRef, turns stand-ins of the earlier form (one per chat, the same in
// every table) into those, and rewrites deliveries in an order that tells
// nothing (the SQL part of the change is migration 0040; this part needs
// the key). It runs once: the first process to record it does the work,
// others wait for it (the setting's row is the lock).
func (db *DB) retireOldChatIDs(ctx context.Context) error {
	if _, err := db.Setting(ctx, settingRefsPerUse); err == nil {
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, '1') ON CONFLICT(key) DO NOTHING`, settingRefsPerUse)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // done by another process meanwhile
		}
		if err := db.perUseRefs(ctx, tx); err != nil {
			return err
		}
		ids, err := queryIDs(ctx, tx, `SELECT DISTINCT chat_id FROM deliveries WHERE status <> 'pending' AND chat_id > 0 AND chat_id < ?`, chatRefBase)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := db.retireDeliveries(ctx, tx, id); err != nil {
				return err
			}
		}
		tickets, err := queryIDs(ctx, tx, `SELECT DISTINCT r.ticket_id FROM ticket_relays r JOIN tickets t ON t.id = r.ticket_id
WHERE t.status = 'closed' AND r.chat_id > 0 AND r.chat_id < ?`, chatRefBase)
		if err != nil {
			return err
		}
		for _, id := range tickets {
			if err := db.retireRelays(ctx, tx, id); err != nil {
				return err
			}
		}
		if err := db.reorderDeliveries(ctx, tx); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, '1') ON CONFLICT(key) DO NOTHING`, settingChatRefs)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: replacing old chat ids: %w", err)
	}
	return nil
}

// perUseRefs turns stand-ins of the earlier form (the chatRef itself, in
// deliveries and relays alike) into per-use ones.
func (db *DB) perUseRefs(ctx context.Context, tx *sql.Tx) error {
	var done int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key = ?`, settingChatRefs).Scan(&done); err != nil || done == 0 {
		return err // no stand-in of the earlier form was ever written
	}
	type row struct {
		a, ref int64
	}
	read := func(q string) ([]row, error) {
		rows, err := tx.QueryContext(ctx, q, chatRefBase)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.a, &r.ref); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, rows.Err()
	}
	dels, err := read(`SELECT occurrence_id, chat_id FROM deliveries WHERE chat_id >= ?`)
	if err != nil {
		return err
	}
	for _, d := range dels {
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET chat_id = ? WHERE occurrence_id = ? AND chat_id = ?`, db.refFor("delivery", d.ref), d.a, d.ref); err != nil {
			return err
		}
	}
	relays, err := read(`SELECT message_id, chat_id FROM ticket_relays WHERE chat_id >= ?`)
	if err != nil {
		return err
	}
	for _, r := range relays {
		if _, err := tx.ExecContext(ctx, `UPDATE ticket_relays SET chat_id = ? WHERE message_id = ? AND chat_id = ?`, db.refFor(fmt.Sprintf("relay:%d", r.a), r.ref), r.a, r.ref); err != nil {
			return err
		}
	}
	return nil
}

// reorderDeliveries rewrites every delivery in the order StartOccurrence
// now snapshots them (see deliveryOrder): deliveries used to be stored in
// chat id order, and their row order, zipped with the sorted subscribers,
// would have told whose stand-in is whose.
func (db *DB) reorderDeliveries(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT * FROM deliveries`)
	if err != nil {
		return err
	}
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return err
	}
	occCol, chatCol := -1, -1
	var keep []int
	var names []string
	for i, c := range cols {
		switch c {
		case "rowid": // PostgreSQL's stand-in for SQLite's rowid: renumbered
			continue
		case "occurrence_id":
			occCol = i
		case "chat_id":
			chatCol = i
		}
		keep = append(keep, i)
		names = append(names, c)
	}
	type delivery struct {
		occ, chat int64
		vals      []any
	}
	var all []delivery
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return err
		}
		d := delivery{vals: make([]any, 0, len(keep))}
		d.occ, _ = vals[occCol].(int64)
		d.chat, _ = vals[chatCol].(int64)
		for _, i := range keep {
			d.vals = append(d.vals, vals[i])
		}
		all = append(all, d)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if occCol < 0 || chatCol < 0 {
		return errors.New("deliveries: columns missing")
	}
	if len(all) == 0 {
		return nil
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].occ != all[j].occ {
			return all[i].occ < all[j].occ
		}
		return db.deliveryOrder(all[i].chat) < db.deliveryOrder(all[j].chat)
	})
	if _, err := tx.ExecContext(ctx, `DELETE FROM deliveries`); err != nil {
		return err
	}
	q := `INSERT INTO deliveries(` + strings.Join(names, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(names)-1) + `)`
	for _, d := range all {
		if _, err := tx.ExecContext(ctx, q, d.vals...); err != nil {
			return err
		}
	}
	return nil
}

// deliveryOrder is where a recipient's delivery goes among an
// occurrence's: by its stand-in, so that the order of the rows tells
// nothing the stand-ins themselves do not (a recipient still pending is
// placed by the stand-in it will get).
func (db *DB) deliveryOrder(chatID int64) int64 {
	if chatID >= chatRefBase {
		return chatID
	}
	return db.DeliveryRef(chatID)
}

func queryIDs(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
