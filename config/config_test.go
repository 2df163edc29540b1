package config

import (
	"github.com/pufabot/pufabot/schedules"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreValid(t *testing.T) {
	cfg, err := Load("", func(string) string { return "" })
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if cfg.Schedules.Timezone != "Asia/Shanghai" || cfg.Schedules.CatchUp != 6*time.Hour || cfg.Privacy.RetainDays != 180 {
		t.Errorf("unexpected defaults: %+v", cfg)
	}
	if _, err := cfg.Location(); err != nil {
		t.Errorf("embedded tz data: %v", err)
	}
}

func TestParseErrorsNameKeyAndLine(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown top-level key", "data_dir: x\ntelegarm:\n  token: a\n", []string{"line 2", "telegarm"}},
		{"unknown nested key", "telegram:\n  admins: [1]\n  staf_chat: 5\n", []string{"line 3", "telegram.staf_chat"}},
		{"wrong type", "telegram:\n  admins: [abc]\n", []string{"line 2", "telegram.admins[0]"}},
		{"wrong type for duration", "schedules:\n  catch_up: soon\n", []string{"line 2", "schedules.catch_up"}},
		{"syntax error", "data_dir: [\n", []string{"config t.yaml"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Default()
			err := Parse("t.yaml", []byte(c.yaml), &cfg)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"bad timezone", func(c *Config) { c.Schedules.Timezone = "Mars/Base" }, "schedules.timezone"},
		{"bad token", func(c *Config) { c.Telegram.Token = "nocolon" }, "telegram.token"},
		{"negative admin", func(c *Config) { c.Telegram.Admins = []int64{-5} }, "telegram.admins[0]"},
		{"rate too high", func(c *Config) { c.Telegram.RatePerSecond = 100 }, "rate_per_second"},
		{"webhook without https", func(c *Config) { c.Telegram.Webhook.URL = "http://x"; c.Telegram.Webhook.SecretToken = "s" }, "https"},
		{"webhook without secret", func(c *Config) { c.Telegram.Webhook.URL = "https://x" }, "secret_token"},
		{"retention", func(c *Config) { c.Privacy.RetainDays = 0 }, "retain_days"},
		{"server url", func(c *Config) { c.Telegram.ServerURL = "localhost:8081" }, "server_url"},
		{"bad campaign", func(c *Config) {
			c.Schedules.Campaigns = []schedules.Campaign{{ID: "x-day", Title: "x", Cron: "TZ=0 * * * *", Message: "hi"}}
		}, `campaign "x-day"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Default()
			c.mutate(&cfg)
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Validate() = %v, want mention of %q", err, c.want)
			}
		})
	}
}

func TestEnvironmentOverridesTokenAndRedacts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("telegram:\n  token: \"1:file\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{EnvToken: "2:env-secret"}
	cfg, err := Load(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Telegram.Token != "2:env-secret" {
		t.Errorf("token = %q, want the environment's", cfg.Telegram.Token)
	}
	if r := cfg.Redacted(); strings.Contains(r.Telegram.Token, "secret") {
		t.Errorf("Redacted leaks the token: %q", r.Telegram.Token)
	}
}

func TestExampleFileIsValid(t *testing.T) {
	path := filepath.Join("..", "config.example.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Skip("config.example.yaml not present")
	}
	if _, err := Load(path, func(string) string { return "" }); err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
}

func TestEmptyFileGivesDefaults(t *testing.T) {
	cfg := Default()
	if err := Parse("empty.yaml", []byte("# nothing\n"), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "data" {
		t.Errorf("data_dir = %q", cfg.DataDir)
	}
}

func TestPseudonymKeySettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("privacy:\n  key_file: /srv/keys/pufabot.key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := strings.Repeat("c3", 32)
	env := map[string]string{EnvPseudonymKey: " " + good + "\n"}
	cfg, err := Load(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Privacy.KeyFile != "/srv/keys/pufabot.key" || cfg.Privacy.Key != good {
		t.Fatalf("privacy = %+v", cfg.Privacy)
	}
	if r := cfg.Redacted(); strings.Contains(r.Privacy.Key, "c3") {
		t.Errorf("Redacted leaks the pseudonym key: %q", r.Privacy.Key)
	}
	for _, bad := range []string{"abc", strings.Repeat("zz", 32), strings.Repeat("ab", 15)} {
		env[EnvPseudonymKey] = bad
		if _, err := Load(path, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), EnvPseudonymKey) {
			t.Errorf("%s=%q: err = %v", EnvPseudonymKey, bad, err)
		} else if strings.Contains(err.Error(), bad) {
			t.Errorf("the error repeats the key: %v", err)
		}
	}
	if err := os.WriteFile(path, []byte("privacy:\n  key_file: \"  \"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, nil); err == nil || !strings.Contains(err.Error(), "privacy.key_file") {
		t.Errorf("blank key_file: err = %v", err)
	}
}
