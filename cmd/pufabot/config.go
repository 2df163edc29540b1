package main

import (
	"log/slog"
	"os"

	"github.com/pufabot/pufabot/config"
)

// loadConfig reads --config, else config.yaml when present, else defaults.
func loadConfig(e *env, path string) (config.Config, error) {
	if path == "" {
		if _, err := os.Stat(config.DefaultFile); err == nil {
			path = config.DefaultFile
		}
	}
	return config.Load(path, e.getenv)
}

// newLogger builds the one logger of the process, writing to stderr.
func newLogger(e *env, cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

// cliLogger is the logger of one-shot commands (ask, search, chat, eval):
// their output is the answer, so routine info lines are left out unless
// log.level is debug.
func cliLogger(e *env, cfg config.Config) *slog.Logger {
	if cfg.Log.Level == "info" {
		cfg.Log.Level = "warn"
	}
	return newLogger(e, cfg)
}
