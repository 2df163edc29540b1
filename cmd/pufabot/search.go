package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

func init() {
	register(command{name: "search", summary: "rank statute articles for questions read from stdin, one per line", run: runSearch})
}

type searchHit struct {
	Law        string   `json:"law"`
	Article    int      `json:"article"`
	Suffix     string   `json:"suffix"`
	Score      float64  `json:"score"`
	Citation   string   `json:"citation"`
	Headings   []string `json:"headings,omitempty"`
	Snippet    string   `json:"snippet,omitempty"`
	Version    string   `json:"version,omitempty"`
	Superseded bool     `json:"superseded,omitempty"`
	ID         string   `json:"id"`
}

type searchLine struct {
	Query string      `json:"query"`
	Hits  []searchHit `json:"hits"`
	Error string      `json:"error,omitempty"`
}

func runSearch(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlags(e, "search", "[--json] [-k N] < questions.txt")
	asJSON := fs.Bool("json", false, "write one JSON line per question")
	k := fs.Int("k", 10, "number of articles per question")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *k < 1 || *k > 1000 {
		return fmt.Errorf("search: -k %d: want 1..1000", *k)
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	eng, err := openEngine(ctx, cfg, e.stderr, cliLogger(e, cfg), false)
	if err != nil {
		return err
	}
	defer eng.Close()
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		q := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		line := searchLine{Query: q, Hits: []searchHit{}}
		hits, err := eng.Search(ctx, q, *k, 0)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			line.Error = err.Error()
		}
		for _, h := range hits {
			line.Hits = append(line.Hits, searchHit{Law: h.Law, Article: h.Article, Suffix: h.Suffix, Score: h.Score, Citation: h.Citation, Headings: h.Headings, Snippet: h.Snippet, Version: h.Version, Superseded: h.Superseded, ID: h.ID})
		}
		if *asJSON {
			if err := enc.Encode(line); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(out, "问：%s\n", q)
		for i, h := range line.Hits {
			fmt.Fprintf(out, "%2d. %s  (%.3f)\n    %s\n", i+1, h.Citation, h.Score, h.Snippet)
		}
		fmt.Fprintln(out)
	}
	return sc.Err()
}
