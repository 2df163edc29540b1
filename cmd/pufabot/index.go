package main

import (
	"context"
	"fmt"
	"time"
)

func init() {
	register(command{name: "index", summary: "build or refresh the search index from knowledge.laws", run: runIndex})
}

func runIndex(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlags(e, "index", "[--force]")
	force := fs.Bool("force", false, "rebuild even when the index is up to date")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	log := cliLogger(e, cfg)
	start := time.Now()
	eng, err := openEngine(ctx, cfg, e.stderr, log, *force)
	if err != nil {
		return err
	}
	defer eng.Close()
	st := eng.Stats()
	for _, w := range st.Warnings {
		fmt.Fprintln(e.stderr, "warning:", w)
	}
	stale := eng.StaleFAQ()
	for _, s := range stale {
		fmt.Fprintln(e.stderr, "warning: FAQ:", s)
	}
	fmt.Fprintf(e.stdout, "index ready in %s: %d laws, %d articles, %d FAQ entries, %d labelled examples (built %s)\n",
		time.Since(start).Round(10*time.Millisecond), st.Laws, st.Articles, st.FAQ, st.Examples, st.Built.Local().Format("2006-01-02 15:04:05"))
	if rss := peakRSS(); rss > 0 {
		fmt.Fprintf(e.stdout, "peak memory (RSS): %d MiB\n", rss>>20)
	}
	if n := len(st.Warnings) + len(stale); n > 0 {
		fmt.Fprintf(e.stdout, "%d warnings (see above)\n", n)
	}
	return nil
}
