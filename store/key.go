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
	db.key = key
	return nil
}

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

// ChatRef is a chat id's stand-in once its raw id is no longer needed (a
// finished delivery, a closed ticket's relayed messages): a keyed hash that
// still tells chats apart (so reports count distinct recipients, and a
// resident's reply to an old message finds its ticket) but cannot be
// turned back into the id without the pseudonym key. Refs lie in
// [2^62, 2^62+2^61), far above any Telegram id (at most 52 bits), and are
// positive like private chats, so "negative id = group" still holds.
func (db *DB) ChatRef(chatID int64) int64 {
	m := hmac.New(sha256.New, db.key)
	fmt.Fprintf(m, "chat:%d", chatID)
	s := m.Sum(nil)
	var v uint64
	for _, b := range s[:8] {
		v = v<<8 | uint64(b)
	}
	return chatRefBase | int64(v>>3)
}

// chatRefBase is the lowest chat ref; see ChatRef.
const chatRefBase = int64(1) << 62

// isPrivateChatID reports whether a raw chat id is a person's private chat
// (Telegram gives groups and channels negative ids).
func isPrivateChatID(id int64) bool { return id > 0 && id < chatRefBase }

// settingChatRefs records that retireOldChatIDs ran.
const settingChatRefs = "private_chat_ids_retired"

// retireOldChatIDs gives the finished deliveries and closed tickets' relayed
// messages of a database from before chat refs their ChatRef (the SQL part
// of the change is migration 0040; this part needs the key). It runs once.
func (db *DB) retireOldChatIDs(ctx context.Context) error {
	if _, err := db.Setting(ctx, settingChatRefs); err == nil {
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
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
		_, err = tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, '1')`, settingChatRefs)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: replacing old chat ids: %w", err)
	}
	return nil
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
