package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/pufabot/pufabot/knowledge"
)

func init() {
	register(command{name: "ask", summary: "answer one question as the bot would", run: runAsk})
}

func runAsk(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlags(e, "ask", `[--json] "问题"`)
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	q := restArgs(fs)
	if q == "" {
		fs.Usage()
		return errUsage
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
	a, err := eng.Answer(ctx, q)
	if err != nil {
		return err
	}
	return printAnswer(e.stdout, a, *asJSON)
}

func printAnswer(w io.Writer, a *knowledge.Answer, asJSON bool) error {
	if asJSON {
		out := knowledge.View(a)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	_, err := fmt.Fprintln(w, knowledge.RenderText(a))
	return err
}
