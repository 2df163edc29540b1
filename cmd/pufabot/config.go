package main

import (
	"log/slog"
	"os"

	"github.com/pufabot/pufabot/bot"
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

// newLogger builds the logger of serve, which runs for months and whose
// structured lines are its record: log.level applies, -v lowers it to
// debug.
func newLogger(e *env, cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	if e.verbose {
		level = slog.LevelDebug
	}
	return loggerAt(e, cfg, level)
}

// cliLogger is the logger of one-shot commands: what they print is their
// result, so the library's routine lines (index opened, report written)
// are left out; warnings and errors stay. -v shows info lines too, and
// debug ones when log.level is debug.
func cliLogger(e *env, cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	switch {
	case !e.verbose:
		level = max(level, slog.LevelWarn)
	case level > slog.LevelInfo:
		level = slog.LevelInfo
	}
	// As in serve: secrets are masked whatever library error quotes
	// them, and residents' Telegram ids become pseudonyms once the
	// command has opened the database (see env.openStore); before, "?".
	log := loggerAt(e, cfg, level)
	h := bot.RedactSecrets(log.Handler(), cfg.Telegram.Token, cfg.Telegram.Webhook.SecretToken)
	return slog.New(e.idRedactor().Handler(h))
}

// idRedactor is the command's IDRedactor, made on first use.
func (e *env) idRedactor() *bot.IDRedactor {
	if e.ids == nil {
		e.ids = &bot.IDRedactor{}
	}
	return e.ids
}

func loggerAt(e *env, cfg config.Config, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}
