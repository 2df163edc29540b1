package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The store's SQL is written once, in the dialect both databases share
// (upserts with ON CONFLICT, RETURNING, CASE), with SQLite's ? placeholders.
// On PostgreSQL a thin driver wrapper rewrites what differs: placeholders
// become $n, INSERT OR IGNORE becomes ON CONFLICT DO NOTHING, and SQLite's
// index hints are dropped. The schema has its own migrations per dialect
// (BIGINT ids, BYTEA, BIGSERIAL).

// dialect names the database behind a DB.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// IsPostgresURL reports whether a database URL names PostgreSQL.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// RedactURL returns a database URL safe to log or show: the password is
// replaced.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if err != nil {
			return "(unparsable database url)"
		}
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// openPostgres opens a PostgreSQL database through pgx.
func openPostgres(ctx context.Context, dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: database url %s: %w", RedactURL(dsn), redactErr(err, dsn))
	}
	sdb := sql.OpenDB(rebindConnector{stdlib.GetConnector(*cfg)})
	sdb.SetMaxOpenConns(16)
	sdb.SetMaxIdleConns(8)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("store: cannot reach PostgreSQL at %s:%d (database %q): %w", cfg.Host, cfg.Port, cfg.Database, redactErr(err, dsn))
	}
	return sdb, nil
}

// redactErr keeps a password out of an error that may quote the URL.
func redactErr(err error, dsn string) error {
	u, perr := url.Parse(dsn)
	if perr != nil || u.User == nil {
		return err
	}
	if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(err.Error(), pw) {
		return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), pw, "xxxxx"))
	}
	return err
}

// rebindConnector hands out connections that rewrite queries for
// PostgreSQL.
type rebindConnector struct{ driver.Connector }

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return rebindConn{conn.(*stdlib.Conn)}, nil
}

// rebindConn is a pgx connection whose queries are rewritten from the
// store's SQLite form. Every other method is pgx's own.
type rebindConn struct{ *stdlib.Conn }

func (c rebindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c rebindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c rebindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

var (
	rebound        sync.Map // query → rewritten query
	indexedByRe    = regexp.MustCompile(`(?i)\s+INDEXED\s+BY\s+\w+`)
	insertIgnoreRe = regexp.MustCompile(`(?is)^(\s*)INSERT\s+OR\s+IGNORE\s+INTO(.*?)(\s*)$`)
)

// rebind rewrites one query of the store from SQLite to PostgreSQL. The
// store's queries are constants, so the results are cached.
func rebind(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	out := indexedByRe.ReplaceAllString(q, "")
	if m := insertIgnoreRe.FindStringSubmatch(out); m != nil {
		out = m[1] + "INSERT INTO" + m[2] + " ON CONFLICT DO NOTHING" + m[3]
	}
	out = placeholders(out)
	rebound.Store(q, out)
	return out
}

// placeholders numbers ? placeholders as $1, $2 … outside quoted text.
func placeholders(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			// ?NNN names a parameter by number, as $NNN does.
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if j > i+1 {
				b.WriteString("$" + q[i+1:j])
				i = j - 1
				continue
			}
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// migrationLockID is the PostgreSQL advisory lock that serialises
// migrations across replicas.
const migrationLockID int64 = 0x70756661 // "pufa"

// advisoryLock takes a session-level PostgreSQL advisory lock on a
// connection of its own and returns its release.
func (db *DB) advisoryLock(ctx context.Context, id int64) (release func(), err error) {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, id); err != nil {
		conn.Close()
		return nil, err
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(?)`, id)
		conn.Close()
	}, nil
}

// Dialect names the database: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.String() }

// The migrations are written for SQLite; PostgreSQL runs the same ones with
// its own types: 64-bit integers (chat ids and unix times need them),
// BIGSERIAL surrogate ids, DOUBLE PRECISION and BYTEA.
var (
	serialIDRe = regexp.MustCompile(`(?m)^(\s*)id(\s+)INTEGER PRIMARY KEY`)
	integerRe  = regexp.MustCompile(`\bINTEGER\b`)
	realRe     = regexp.MustCompile(`\bREAL\b`)
	blobRe     = regexp.MustCompile(`\bBLOB\b`)
	// PostgreSQL tables have no rowid to leave out.
	withoutRowidRe = regexp.MustCompile(`(?i)\)\s*WITHOUT\s+ROWID`)
)

// postgresExtra adds what SQLite has implicitly: the rowid of deliveries,
// which orders an occurrence's recipients.
var postgresExtra = map[int]string{
	1: "\nALTER TABLE deliveries ADD COLUMN rowid BIGSERIAL;\n",
}

// postgresDDL turns one SQLite migration into PostgreSQL's.
func postgresDDL(version int, body string) string {
	body = serialIDRe.ReplaceAllString(body, "${1}id${2}BIGSERIAL PRIMARY KEY")
	body = integerRe.ReplaceAllString(body, "BIGINT")
	body = realRe.ReplaceAllString(body, "DOUBLE PRECISION")
	body = blobRe.ReplaceAllString(body, "BYTEA")
	body = withoutRowidRe.ReplaceAllString(body, ")")
	return body + postgresExtra[version]
}

// Location names the database for people: the SQLite file, or the
// PostgreSQL URL without its password.
func (db *DB) Location() string { return db.path }

// SchemaVersion is the newest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) { return db.schemaVersion(ctx) }
