package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pufabot/pufabot/knowledge"
)

func init() {
	register(command{name: "eval", summary: "score retrieval on a labelled question set (Recall@k, MRR@10, latency)", run: runEval})
}

func runEval(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlags(e, "eval", "--set FILE.jsonl [--json] [--folds N --fold F] [--leave-one-out]")
	set := fs.String("set", "", "labelled questions (JSONL: query, gold[law, article, suffix])")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	folds := fs.Int("folds", 0, "split questions into N folds by id hash (0: score all)")
	fold := fs.Int("fold", 0, "score only fold F (0..N-1); -1-F scores every fold but F")
	params := fs.String("params", "", `ranking parameters to try, as JSON over the defaults, e.g. '{"WExamples":1.5}'`)
	loo := fs.Bool("leave-one-out", true, "ignore a question's own labelled example (same id or text) when it is also in knowledge.examples")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *set == "" {
		fs.Usage()
		return errUsage
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	questions, err := knowledge.ReadExamples(*set)
	if err != nil {
		return err
	}
	eng, err := openEngine(ctx, cfg, e.stderr, cliLogger(e, cfg), false)
	if err != nil {
		return err
	}
	defer eng.Close()
	if *params != "" {
		p := eng.Params()
		dec := json.NewDecoder(strings.NewReader(*params))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return fmt.Errorf("eval: --params: %w", err)
		}
		eng.SetParams(p)
	}
	if !eng.HasCorpus() {
		return fmt.Errorf("eval: no law texts indexed; set knowledge.laws in the config and run pufabot index")
	}
	res, err := eng.Evaluate(ctx, questions, knowledge.EvalOptions{LeaveOneOut: *loo, Folds: *folds, Fold: *fold})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	res.WriteText(e.stdout)
	return nil
}
