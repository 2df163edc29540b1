package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadConfig feeds arbitrary bytes to the config loader (the same steps
// as Load: defaults, Parse, Validate). Errors are expected; a panic is a
// bug, and so is an accepted configuration that validation would refuse
// or whose time zone cannot be loaded.
func FuzzLoadConfig(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "config.example.yaml")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := Default()
		if err := Parse("fuzz.yaml", data, &cfg); err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			return
		}
		if _, err := cfg.Location(); err != nil {
			t.Fatalf("valid config with an unusable time zone %q: %v", cfg.Schedules.Timezone, err)
		}
		if cfg.Privacy.RetainDays < 1 || cfg.Telegram.QuestionsPerMinute < 1 || !(cfg.Telegram.RatePerSecond > 0) {
			t.Fatalf("validation let through %+v", cfg)
		}
		_ = cfg.Redacted()
	})
}
