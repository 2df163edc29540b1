package store

import (
	"context"
	"strings"
	"testing"
)

func mustOpen(t *testing.T) *DB {
	t.Helper()
	db, err := openTestDB(testLocation(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenTwiceKeepsSchemaAndKey(t *testing.T) {
	path := testLocation(t)
	ctx := context.Background()
	db, err := openTestDB(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.Pseudonym(ctx, 42)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	db, err = openTestDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b, _ := db.Pseudonym(ctx, 42)
	c, _ := db.Pseudonym(ctx, 43)
	if a != b {
		t.Errorf("pseudonym changed across restart: %s vs %s", a, b)
	}
	if a == c {
		t.Errorf("different users share a pseudonym")
	}
	if strings.Contains(a, "42") && len(a) < 10 {
		t.Errorf("pseudonym %q looks like the raw id", a)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := testLocation(t)
	db, err := openTestDB(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (9999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := openTestDB(path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open on newer schema: err = %v, want a 'newer' error", err)
	}
}

func TestSettings(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	if _, err := db.Setting(ctx, "x"); err != ErrNotFound {
		t.Fatalf("unset setting: %v", err)
	}
	if err := db.SetSetting(ctx, "x", "1"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(ctx, "x", "2"); err != nil {
		t.Fatal(err)
	}
	if v, _ := db.Setting(ctx, "x"); v != "2" {
		t.Fatalf("setting = %q", v)
	}
}
