package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/pufabot/pufabot/config"
	"github.com/pufabot/pufabot/internal/telegramtest"
	"github.com/pufabot/pufabot/store"
)

// TestServeRefusesToStartWithoutKey: a database with pseudonyms and no key
// file stops serve with an error naming the file (a new key would quietly
// count every returning resident as new), and files others can read are
// pointed out first.
func TestServeRefusesToStartWithoutKey(t *testing.T) {
	tg := telegramtest.New(t)
	var logs syncBuffer
	s := testServer(t, tg, &logs)
	dir := s.cfg.DataDir
	db, err := store.Open(filepath.Join(dir, dbFileName))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := db.Pseudonym(context.Background(), 77)
	if _, err := db.RecordConsultation(context.Background(), store.Consultation{Resident: p, Question: "土地承包"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	keyFile := filepath.Join(dir, store.DefaultKeyFile)
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, dbFileName), 0o644); err != nil {
		t.Fatal(err)
	}

	err = s.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), keyFile) {
		t.Fatalf("Run = %v, want a refusal naming %s", err, keyFile)
	}
	if _, err := os.Stat(keyFile); err == nil {
		t.Fatal("serve made a new key")
	}
	if runtime.GOOS != "windows" {
		for _, p := range []string{dir, filepath.Join(dir, dbFileName)} {
			if !strings.Contains(logs.String(), "readable by other users") || !strings.Contains(logs.String(), "path="+p+" ") {
				t.Errorf("no warning about %s in %q", p, logs.String())
			}
		}
	}
}

// TestOpenStoreUsesConfiguredKey: privacy.key_file and
// PUFABOT_PSEUDONYM_KEY decide where the key comes from.
func TestOpenStoreUsesConfiguredKey(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Privacy.KeyFile = filepath.Join(t.TempDir(), "keys", "pufabot.key")
	db, err := openStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := db.Pseudonym(ctx, 5)
	db.Close()
	data, err := os.ReadFile(cfg.Privacy.KeyFile)
	if err != nil {
		t.Fatalf("key file not written where configured: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, store.DefaultKeyFile)); err == nil {
		t.Fatal("a key file was written beside the database too")
	}
	cfg.Privacy.KeyFile = ""
	cfg.Privacy.Key = strings.TrimSpace(string(data))
	db, err = openStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if p2, _ := db.Pseudonym(ctx, 5); p2 != p1 {
		t.Fatalf("the same key from %s gives another pseudonym", "PUFABOT_PSEUDONYM_KEY")
	}
}
