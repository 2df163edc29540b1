package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/pufabot/pufabot/config"
	"github.com/pufabot/pufabot/knowledge"
)

// openEngine opens the knowledge base configured in cfg, building the
// index first when needed (progress goes to progress; nil is silent).
func openEngine(ctx context.Context, cfg config.Config, progress io.Writer, log *slog.Logger, rebuild bool) (*knowledge.Engine, error) {
	return knowledge.Open(ctx, engineOptions(cfg, progress, log, rebuild))
}

// engineOptions are the knowledge options configured in cfg.
func engineOptions(cfg config.Config, progress io.Writer, log *slog.Logger, rebuild bool) knowledge.Options {
	return knowledge.Options{
		DataDir:  cfg.DataDir,
		Embedded: cfg.Knowledge.Embedded,
		Laws:     cfg.Knowledge.Laws,
		FAQ:      cfg.Knowledge.FAQ,
		Examples: cfg.Knowledge.Examples,
		Progress: progress,
		Rebuild:  rebuild,
		Logger:   log,
	}
}
