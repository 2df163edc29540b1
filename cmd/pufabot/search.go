package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pufabot/pufabot/knowledge"
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
	in := newLineReader(e.stdin, maxSearchLine)
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for {
		text, err := in.next()
		var tooLong *lineTooLongError
		switch {
		case err == io.EOF:
			return nil
		case errors.As(err, &tooLong):
			text = tooLong.truncatedQuery()
		case err != nil:
			return err
		}
		q := strings.TrimSpace(strings.TrimPrefix(text, "\ufeff"))
		line := searchLine{Query: q, Hits: []searchHit{}}
		var hits []knowledge.Hit
		if tooLong != nil {
			line.Error = tooLong.Error()
		} else if hits, err = eng.Search(ctx, q, *k, 0); err != nil {
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
		if line.Error != "" {
			fmt.Fprintf(out, "    （%s）\n", line.Error)
		}
		for i, h := range line.Hits {
			fmt.Fprintf(out, "%2d. %s  (%.3f)\n    %s\n", i+1, h.Citation, h.Score, h.Snippet)
		}
		fmt.Fprintln(out)
	}
}

// maxSearchLine bounds one question read by search; a longer line gets an
// error line of its own and the next lines are answered.
const maxSearchLine = 4 << 20
