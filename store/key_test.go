package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestKeyFileCreatedOnFirstOpen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "pufabot.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := db.Pseudonym(ctx, 12345)
	if _, err := db.RecordConsultation(ctx, Consultation{Resident: p1, Question: "欠薪"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Setting(ctx, settingPseudonymKey); !errors.Is(err, ErrNotFound) {
		t.Fatalf("pseudonym key in the database: %v", err)
	}
	keyFile := filepath.Join(dir, DefaultKeyFile)
	if runtime.GOOS != "windows" {
		for _, f := range []struct {
			path string
			mode os.FileMode
		}{{dir, 0o700}, {keyFile, 0o600}, {path, 0o600}, {path + "-wal", 0o600}, {path + "-shm", 0o600}} {
			st, err := os.Stat(f.path)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != f.mode {
				t.Errorf("%s: mode %v, want %v", filepath.Base(f.path), st.Mode().Perm(), f.mode)
			}
		}
	}

	db.Close()

	data, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseKey(string(data)); err != nil {
		t.Fatalf("key file %q: %v", data, err)
	}
	// The same key on the next start: the resident keeps one pseudonym.
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if p2, _ := db.Pseudonym(ctx, 12345); p2 != p1 {
		t.Fatalf("pseudonym changed across restarts: %s then %s", p1, p2)
	}
}

func TestMissingKeyRefusesToStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "pufabot.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := db.Pseudonym(ctx, 1)
	if _, err := db.RecordConsultation(ctx, Consultation{Resident: p}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	keyFile := filepath.Join(dir, DefaultKeyFile)
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}

	_, err = Open(path)
	if !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), keyFile) {
		t.Fatalf("Open without the key = %v, want ErrNoKey naming %s", err, keyFile)
	}
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a new key file was made: %v", err)
	}

	// A database whose only residents asked to be forgotten, or came
	// through the web page, holds no pseudonym made with the key: a new
	// key is fine.
	db2path := filepath.Join(t.TempDir(), "pufabot.db")
	db2, err := Open(db2path)
	if err != nil {
		t.Fatal(err)
	}
	p, _ = db2.Pseudonym(ctx, 7)
	if _, err := db2.RecordConsultation(ctx, Consultation{Resident: p}); err != nil {
		t.Fatal(err)
	}
	if err := db2.Forget(ctx, 7, p); err != nil {
		t.Fatal(err)
	}
	if _, err := db2.RecordConsultation(ctx, Consultation{Resident: "web-0123456789abcdef01234567", Channel: "web"}); err != nil {
		t.Fatal(err)
	}
	db2.Close()
	os.Remove(filepath.Join(filepath.Dir(db2path), DefaultKeyFile))
	db2, err = Open(db2path)
	if err != nil {
		t.Fatalf("reopen after every resident was forgotten: %v", err)
	}
	db2.Close()
}

// TestKeyMovedOutOfOldDatabase upgrades a database made before the key
// file existed: its key moves to the key file once, and no copy stays in
// the database file or its log.
func TestKeyMovedOutOfOldDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "pufabot.db")
	keyFile := filepath.Join(dir, DefaultKeyFile)

	// The old layout: the key in settings, pseudonyms made with it.
	oldKey := bytes.Repeat([]byte{0xA7, 0x3C}, 16)
	oldHex := hex.EncodeToString(oldKey)
	db, err := OpenWith(path, Options{Key: oldKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(ctx, settingPseudonymKey, oldHex); err != nil {
		t.Fatal(err)
	}
	p, _ := db.Pseudonym(ctx, 4242)
	if _, err := db.RecordConsultation(ctx, Consultation{Resident: p, Question: "宅基地"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("key file before the upgrade: %v", err)
	}

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Pseudonym(ctx, 4242); got != p {
		t.Fatalf("pseudonym after the upgrade %s, want %s", got, p)
	}
	if _, err := db.Setting(ctx, settingPseudonymKey); !errors.Is(err, ErrNotFound) {
		t.Fatalf("key still in the database: %v", err)
	}
	db.Close()
	data, err := os.ReadFile(keyFile)
	if err != nil || strings.TrimSpace(string(data)) != oldHex {
		t.Fatalf("key file = %q, %v; want the old key", data, err)
	}
	for _, f := range []string{path, path + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(oldHex)) {
			t.Errorf("%s still contains the key", filepath.Base(f))
		}
	}

	// Opening again changes nothing.
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Pseudonym(ctx, 4242); got != p {
		t.Fatalf("pseudonym on the second start %s, want %s", got, p)
	}
	db.Close()
}

func TestKeyFromEnvironment(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "pufabot.db")
	key, err := ParseKey(strings.Repeat("5e", 32))
	if err != nil {
		t.Fatal(err)
	}
	db, err := OpenWith(path, Options{Key: key, KeySource: "PUFABOT_PSEUDONYM_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := db.Pseudonym(ctx, 9)
	if _, err := db.RecordConsultation(ctx, Consultation{Resident: p}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(filepath.Join(dir, DefaultKeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a key file was written although the key came from the environment: %v", err)
	}
	// Without the variable the same database refuses to start.
	if _, err := Open(path); !errors.Is(err, ErrNoKey) {
		t.Fatalf("Open without the environment key = %v", err)
	}

	// An old database whose key differs from the environment's is not
	// silently re-keyed.
	db, err = OpenWith(path, Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(ctx, settingPseudonymKey, strings.Repeat("77", 32)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenWith(path, Options{Key: key, KeySource: "PUFABOT_PSEUDONYM_KEY"}); err == nil || !strings.Contains(err.Error(), "differs") {
		t.Fatalf("conflicting keys = %v", err)
	}
}

func TestParseKey(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{strings.Repeat("ab", 32) + "\n", true},
		{strings.Repeat("ab", 16), true},
		{strings.Repeat("ab", 15), false},
		{"not hex at all, not hex at all, not hex", false},
		{"", false},
	} {
		if _, err := ParseKey(tc.in); (err == nil) != tc.ok {
			t.Errorf("ParseKey(%q) = %v, want ok %v", tc.in, err, tc.ok)
		}
	}
}

// TestConcurrentFirstOpen: processes starting together on a fresh
// database (replicas, or serve and a command) all open it, with one key.
func TestConcurrentFirstOpen(t *testing.T) {
	loc := testLocation(t)
	const n = 4
	dbs := make([]*DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			dbs[i], errs[i] = openTestDB(loc)
		}()
	}
	close(start)
	wg.Wait()
	var want string
	for i := range n {
		if errs[i] != nil {
			t.Errorf("open %d: %v", i, errs[i])
			continue
		}
		p, _ := dbs[i].Pseudonym(context.Background(), 42)
		if want == "" {
			want = p
		} else if p != want {
			t.Errorf("open %d has another key", i)
		}
		dbs[i].Close()
	}
}

// TestWrongKeyRefused: a key other than the one the pseudonyms were made
// with (a key file from another backup, an environment key that differs
// from the key file) is refused with a clear error; a database from
// before the check gets it on its next open.
func TestWrongKeyRefused(t *testing.T) {
	ctx := context.Background()
	loc := testLocation(t)
	right, _ := ParseKey(strings.Repeat("a1", 32))
	wrong, _ := ParseKey(strings.Repeat("b2", 32))
	db, err := OpenWith(loc, Options{Key: right, KeySource: "the key file"})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := db.Pseudonym(ctx, 9)
	if _, err := db.RecordConsultation(ctx, Consultation{Resident: p}); err != nil {
		t.Fatal(err)
	}
	check, err := db.Setting(ctx, settingKeyCheck)
	if err != nil || check != KeyCheck(right) || strings.Contains(check, strings.Repeat("a1", 8)) {
		t.Fatalf("key check = %q, %v", check, err)
	}
	// A database from before the check: written on the next open.
	reportExec(t, db, `DELETE FROM settings WHERE key = ?`, settingKeyCheck)
	db.Close()
	if db, err = OpenWith(loc, Options{Key: right}); err != nil {
		t.Fatal(err)
	}
	if check, _ := db.Setting(ctx, settingKeyCheck); check != KeyCheck(right) {
		t.Fatalf("key check after reopening = %q", check)
	}
	db.Close()

	_, err = OpenWith(loc, Options{Key: wrong, KeySource: "PUFABOT_PSEUDONYM_KEY"})
	if !errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), "PUFABOT_PSEUDONYM_KEY") || strings.Contains(err.Error(), strings.Repeat("b2", 4)) {
		t.Fatalf("open with a wrong key = %v", err)
	}
	if db, err = OpenWith(loc, Options{Key: right}); err != nil {
		t.Fatalf("the right key is refused after a wrong one was tried: %v", err)
	}
	db.Close()
}
