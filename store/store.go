// Package store persists what pufabot must remember across restarts:
// chats and subscriptions, consultations, hand-over tickets, campaign
// occurrences and deliveries. It wraps an embedded pure-Go SQLite database
// (modernc.org/sqlite) in WAL mode with embedded, versioned migrations.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// DB is the pufabot database.
type DB struct {
	db      *sql.DB
	path    string // the SQLite file, or the PostgreSQL URL without its password
	dialect dialect
	// Now returns the current time; tests replace it.
	Now func() time.Time

	// key is the pseudonym key (see OpenWith); set once at open.
	key    []byte
	closed sync.Once
}

// Open opens the database with the pseudonym key file beside it (see
// Options) and applies pending migrations: a postgres:// URL opens
// PostgreSQL; anything else is a SQLite file, created if needed
// (":memory:" gives a private in-memory database).
func Open(path string) (*DB, error) { return OpenWith(path, Options{}) }

// OpenWith opens the database, applies pending migrations and loads the
// pseudonym key as o says. A new SQLite file and its folder are readable
// by their owner only: they hold residents' questions. On PostgreSQL the
// key must be given (o.Key or o.KeyFile), the same on every replica.
func OpenWith(path string, o Options) (*DB, error) {
	if IsPostgresURL(path) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		sdb, err := openPostgres(ctx, path)
		if err != nil {
			return nil, err
		}
		return setup(ctx, &DB{db: sdb, path: RedactURL(path), dialect: dialectPostgres, Now: time.Now}, o)
	}
	dsn := path
	if path != ":memory:" {
		if err := createPrivate(path); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		dsn = "file:" + path
	}
	// secure_delete overwrites deleted content, so purged question text
	// and removed ids do not linger in free pages of the file.
	dsn += "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)&_txlock=immediate"
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if path == ":memory:" {
		// Every connection to :memory: is a new database; keep one.
		sdb.SetMaxOpenConns(1)
	} else {
		sdb.SetMaxOpenConns(4)
	}
	return setup(context.Background(), &DB{db: sdb, path: path, Now: time.Now}, o)
}

// setup migrates a freshly opened database and loads its key; on failure
// it closes the database.
func setup(ctx context.Context, db *DB, o Options) (*DB, error) {
	err := db.migrate(ctx)
	if err == nil {
		err = db.setupKey(ctx, o)
	}
	if err == nil {
		err = db.retireOldChatIDs(ctx)
	}
	if err != nil {
		db.db.Close()
		return nil, err
	}
	return db, nil
}

// createPrivate creates the database file (and its folder) with owner-only
// permissions when it does not exist yet; SQLite gives the write-ahead log
// and shared-memory files the permissions of the database file.
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// Close closes the database; calling it twice is safe.
func (db *DB) Close() error {
	var err error
	db.closed.Do(func() { err = db.db.Close() })
	return err
}

// SQL exposes the underlying handle for packages that own their own queries
// inside this package's schema (tests, reports).
func (db *DB) SQL() *sql.DB { return db.db }

func (db *DB) now() int64 { return db.Now().Unix() }

// migrate applies embedded migrations in order, one transaction each, and
// refuses a database whose schema is newer than this binary knows.
func (db *DB) migrate(ctx context.Context) error {
	if db.dialect == dialectPostgres {
		// Replicas starting together must not both apply a migration, nor
		// both create the migrations table (PostgreSQL's IF NOT EXISTS
		// does not hold against a concurrent CREATE): one waits for the
		// other on a session lock.
		unlock, err := db.advisoryLock(ctx, migrationLockID)
		if err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		defer unlock()
	}
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	type mig struct {
		version int
		name    string
	}
	var migs []mig
	for _, n := range names {
		base := filepath.Base(n)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("store: migration %s: name must start with a number", base)
		}
		migs = append(migs, mig{v, base})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].version < migs[j].version })
	latest := 0
	if len(migs) > 0 {
		latest = migs[len(migs)-1].version
	}
	var have sql.NullInt64
	if err := db.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if have.Valid && int(have.Int64) > latest {
		return fmt.Errorf("store: database %s has schema version %d, newer than this program knows (%d); use a newer pufabot", db.path, have.Int64, latest)
	}
	for _, m := range migs {
		var n int
		if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if n > 0 {
			continue
		}
		body, err := migrationFS.ReadFile("migrations/" + m.name)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if db.dialect == dialectPostgres {
			body = []byte(postgresDDL(m.version, string(body)))
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			// On SQLite, another process may have applied it since the
			// check above: the write transaction is the lock.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, db.now())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
	}
	return nil
}

// Tx runs fn in one transaction: commit if fn returns nil, roll back otherwise.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Setting reads a durable setting; ErrNotFound when unset.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting writes a durable setting.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("store: set %s: %w", key, err)
	}
	return nil
}
