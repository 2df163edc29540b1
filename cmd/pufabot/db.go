package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/pufabot/pufabot/config"
	"github.com/pufabot/pufabot/store"
)

func init() {
	register(command{name: "db", summary: "database: migrate the schema, copy a township's SQLite history into PostgreSQL", run: runDB})
}

const dbUsage = `Usage:
  pufabot db migrate [--config FILE]
      apply pending migrations to the configured database (database.url, or
      the SQLite file under data_dir) and print its schema version
  pufabot db copy --from sqlite:PATH --to postgres://… [--key-file FILE]
      copy every record of one database into another, empty one, in one
      transaction; the pseudonym key is the source's (PUFABOT_PSEUDONYM_KEY,
      or --key-file, default pseudonym.key beside a SQLite source)`

func runDB(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, dbUsage)
		return errUsage
	}
	switch args[0] {
	case "migrate":
		return runDBMigrate(ctx, e, args[1:])
	case "copy":
		return runDBCopy(ctx, e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(e.stderr, dbUsage)
		return nil
	}
	fmt.Fprintf(e.stderr, "pufabot db: unknown subcommand %q\n\n%s\n", args[0], dbUsage)
	return errUsage
}

func runDBMigrate(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlags(e, "db migrate", "[--config FILE]")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	db, err := e.openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s database %s is at schema version %d\n", db.Dialect(), db.Location(), v)
	return nil
}

// dbLocation turns "sqlite:PATH" or a postgres:// URL into what store.Open
// takes.
func dbLocation(s string) (string, error) {
	switch {
	case store.IsPostgresURL(s):
		return s, nil
	case strings.HasPrefix(s, "sqlite:"):
		p := strings.TrimPrefix(s, "sqlite:")
		if p == "" {
			return "", errors.New("sqlite: needs a path, e.g. sqlite:data/pufabot.db")
		}
		return p, nil
	}
	return "", fmt.Errorf("%q: want sqlite:PATH or postgres://…", s)
}

func runDBCopy(ctx context.Context, e *env, args []string) error {
	fs, _ := newFlags(e, "db copy", "--from sqlite:PATH --to postgres://… [--key-file FILE] [--office ID]")
	from := fs.String("from", "", "source database, `sqlite:PATH` or postgres://…")
	to := fs.String("to", "", "destination database, postgres://… or `sqlite:PATH`; must hold no consultations")
	keyFile := fs.String("key-file", "", "the source's pseudonym key file (default pseudonym.key beside a SQLite source)")
	office := fs.String("office", "", "the office `ID` (in the county's offices list) the township's records belong to")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *office != "" && !config.ValidOfficeID(*office) {
		return fmt.Errorf("db copy --office %q: use the office's id from the offices list (lower-case ASCII letters, digits and '-')", *office)
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	src, err := dbLocation(*from)
	if err != nil {
		return fmt.Errorf("db copy --from %w", err)
	}
	dst, err := dbLocation(*to)
	if err != nil {
		return fmt.Errorf("db copy --to %w", err)
	}
	o := store.Options{KeyFile: *keyFile}
	if k := strings.TrimSpace(e.getenv(config.EnvPseudonymKey)); k != "" {
		key, err := hex.DecodeString(k)
		if err != nil {
			return fmt.Errorf("%s: %w", config.EnvPseudonymKey, err)
		}
		o.Key, o.KeySource = key, config.EnvPseudonymKey
	} else if o.KeyFile == "" {
		if store.IsPostgresURL(src) {
			return errors.New("db copy: give the source's pseudonym key (--key-file or " + config.EnvPseudonymKey + ")")
		}
		o.KeyFile = filepath.Join(filepath.Dir(src), store.DefaultKeyFile)
	}
	sdb, err := store.OpenWith(src, o)
	if err != nil {
		return fmt.Errorf("db copy: source: %w", err)
	}
	defer sdb.Close()
	ddb, err := store.OpenWith(dst, o)
	if err != nil {
		return fmt.Errorf("db copy: destination: %w", err)
	}
	defer ddb.Close()
	err = store.CopyToOffice(ctx, sdb, ddb, *office, func(table string, n int64) {
		fmt.Fprintf(e.stderr, "%-20s %d\n", table, n)
	})
	if err != nil {
		return fmt.Errorf("db copy: %w", err)
	}
	fmt.Fprintf(e.stdout, "copied %s into %s\n", sdb.Location(), ddb.Location())
	return nil
}
