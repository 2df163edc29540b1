package store

import (
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT a FROM t WHERE x = ? AND y = ?`, `SELECT a FROM t WHERE x = $1 AND y = $2`},
		{`SELECT '?' , ? FROM t`, `SELECT '?' , $1 FROM t`},
		{`WHERE a >= ?1 AND a < ?2 OR b = ?1`, `WHERE a >= $1 AND a < $2 OR b = $1`},
		{`SELECT COUNT(*) FROM consultations INDEXED BY consultations_at WHERE at >= ?`, `SELECT COUNT(*) FROM consultations WHERE at >= $1`},
		{`INSERT OR IGNORE INTO s(a, b) VALUES (?, ?)`, `INSERT INTO s(a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING`},
		{"INSERT OR IGNORE INTO d(o, c) SELECT ?, chat_id FROM (x) AS a ORDER BY chat_id", "INSERT INTO d(o, c) SELECT $1, chat_id FROM (x) AS a ORDER BY chat_id ON CONFLICT DO NOTHING"},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestPostgresDDL(t *testing.T) {
	got := postgresDDL(1, "CREATE TABLE x (\n    id INTEGER PRIMARY KEY,\n    chat_id INTEGER NOT NULL,\n    at REAL,\n    p BLOB\n);\nCREATE TABLE c (\n    chat_id INTEGER PRIMARY KEY\n);")
	for _, want := range []string{"id BIGSERIAL PRIMARY KEY", "chat_id BIGINT NOT NULL", "at DOUBLE PRECISION", "p BYTEA", "chat_id BIGINT PRIMARY KEY", "ALTER TABLE deliveries ADD COLUMN rowid BIGSERIAL"} {
		if !strings.Contains(got, want) {
			t.Errorf("postgresDDL lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "INTEGER") {
		t.Errorf("INTEGER left in:\n%s", got)
	}
}

func TestRedactURL(t *testing.T) {
	got := RedactURL("postgres://pufa:s3cret@db.example:5432/pufabot?sslmode=require")
	if strings.Contains(got, "s3cret") || !strings.Contains(got, "db.example") {
		t.Fatalf("RedactURL = %q", got)
	}
}

// An unreachable database is a clear error naming the host, never the
// password.
func TestOpenUnreachablePostgres(t *testing.T) {
	_, err := Open("postgres://pufa:s3cret@127.0.0.1:1/pufabot?connect_timeout=2")
	if err == nil {
		t.Fatal("Open of an unreachable database succeeded")
	}
	if msg := err.Error(); strings.Contains(msg, "s3cret") || !strings.Contains(msg, "127.0.0.1:1") {
		t.Fatalf("error %q: want the host and no password", msg)
	}
	if _, err := Open("postgres://pufa:s3cret@[::1"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("bad URL error %v", err)
	}
}
