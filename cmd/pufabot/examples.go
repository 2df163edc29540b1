package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/knowledge/cite"
	"github.com/pufabot/pufabot/store"
)

func init() {
	register(command{name: "examples", summary: "export questions residents marked helpful as labelled examples (JSONL)", run: runExamples})
}

// runExamples writes consultations marked 有帮助, with the articles they
// were answered with, in the labelled-question format that
// knowledge.examples reads: adding the file there lets similar questions
// find the same articles.
func runExamples(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlags(e, "examples", "export [--since 2026-01-01] [--out FILE]")
	since := fs.String("since", "", "only consultations on or after this date (YYYY-MM-DD)")
	out := fs.String("out", "", "output file (default stdout)")
	if len(args) == 0 || args[0] != "export" {
		fs.Usage()
		return errUsage
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	loc, err := cfg.Location()
	if err != nil {
		return err
	}
	var from time.Time
	if *since != "" {
		if from, err = time.ParseInLocation("2006-01-02", *since, loc); err != nil {
			return fmt.Errorf("examples: --since %q: want YYYY-MM-DD", *since)
		}
	}
	path := dbPath(cfg)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("examples: no database at %s (check data_dir)", path)
	}
	db, err := e.openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := db.HelpfulConsultations(ctx, from)
	if err != nil {
		return err
	}
	w := e.stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("examples: %w", err)
		}
		defer f.Close()
		w = f
	}
	n, err := writeExamples(w, cs)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %d labelled questions\n", n)
	return nil
}

// writeExamples converts consultations to labelled examples; citations
// that cannot be read back are left out, and so are questions with none.
func writeExamples(w io.Writer, cs []store.Consultation) (int, error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	for _, c := range cs {
		var gold []knowledge.GoldArticle
		for _, a := range c.Articles {
			for _, r := range cite.Parse(a) {
				if r.Law != "" && r.Article > 0 {
					gold = append(gold, knowledge.GoldArticle{Law: r.Law, Article: r.Article, Suffix: r.Suffix})
				}
			}
		}
		if len(gold) == 0 {
			continue
		}
		line := struct {
			ID    string                  `json:"id"`
			Query string                  `json:"query"`
			Gold  []knowledge.GoldArticle `json:"gold"`
		}{fmt.Sprintf("consultation-%d", c.ID), c.Question, gold}
		if err := enc.Encode(line); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
