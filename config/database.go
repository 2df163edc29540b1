package config

import (
	"fmt"
	"net/url"
	"strings"
)

// EnvDatabaseURL overrides database.url, so a password need not be written
// in the config file.
const EnvDatabaseURL = "PUFABOT_DATABASE_URL"

// Database says where residents' records live.
type Database struct {
	// URL is empty for the SQLite file under data_dir (one office), or a
	// postgres:// URL (a county's shared database).
	URL string `yaml:"url"`
}

// Postgres reports whether the database is PostgreSQL.
func (d Database) Postgres() bool { return d.URL != "" }

func (d Database) validate() error {
	if d.URL == "" {
		return nil
	}
	if !strings.HasPrefix(d.URL, "postgres://") && !strings.HasPrefix(d.URL, "postgresql://") {
		return fmt.Errorf("database.url: want empty (SQLite under data_dir) or a postgres:// URL, got %q", redactURL(d.URL))
	}
	u, err := url.Parse(d.URL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("database.url %q: not a valid URL with a host", redactURL(d.URL))
	}
	return nil
}

// redactURL hides a password in a database URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if i := strings.LastIndex(s, "@"); i > 0 {
			return "…" + s[i:]
		}
		return s
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "***")
		}
	}
	return u.String()
}
