package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	"github.com/pufabot/pufabot/config"
	"github.com/pufabot/pufabot/store"
)

// dbPath is the database: database.url, or the SQLite file under data_dir.
func dbPath(cfg config.Config) string {
	if cfg.Database.Postgres() {
		return cfg.Database.URL
	}
	return filepath.Join(cfg.DataDir, dbFileName)
}

// openStore opens the database (database.url, or the SQLite file under
// data_dir) with the pseudonym key from PUFABOT_PSEUDONYM_KEY or
// privacy.key_file (default pseudonym.key in data_dir).
func openStore(cfg config.Config) (*store.DB, error) {
	o := store.Options{KeyFile: cfg.Privacy.KeyFile}
	if cfg.Privacy.Key != "" {
		k, err := hex.DecodeString(cfg.Privacy.Key)
		if err != nil { // Validate checked it
			return nil, fmt.Errorf("%s: %w", config.EnvPseudonymKey, err)
		}
		o.Key, o.KeySource = k, config.EnvPseudonymKey
	}
	return store.OpenWith(dbPath(cfg), o)
}

// openStore opens the database for a one-shot command, and from then on
// its log lines name residents by pseudonym.
func (e *env) openStore(cfg config.Config) (*store.DB, error) {
	db, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	e.idRedactor().Use(func(id int64) string { p, _ := db.Pseudonym(context.Background(), id); return p })
	return db, nil
}

// warnOpenPermissions logs a warning for each of data_dir, the database
// files and the key file that people other than the owner may read: they
// hold residents' questions and the key that ties them to a person.
func warnOpenPermissions(log *slog.Logger, cfg config.Config) {
	if runtime.GOOS == "windows" {
		return // no Unix permission bits; folders inherit their ACLs
	}
	keyFile := cfg.Privacy.KeyFile
	if keyFile == "" && cfg.Privacy.Key == "" {
		keyFile = filepath.Join(cfg.DataDir, store.DefaultKeyFile)
	}
	paths := []string{cfg.DataDir, keyFile}
	if !cfg.Database.Postgres() {
		db := dbPath(cfg)
		paths = append(paths, db, db+"-wal", db+"-shm")
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if st.Mode().Perm()&0o077 != 0 {
			log.Warn("readable by other users: residents' data should be private to pufabot's account",
				slog.String("path", p), slog.String("mode", st.Mode().Perm().String()), slog.String("fix", fixCommand(p, st.Mode())))
		}
	}
}

func fixCommand(path string, mode fs.FileMode) string {
	if mode.IsDir() {
		return "chmod 700 " + path
	}
	return "chmod 600 " + path
}
