package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/pufabot/pufabot/knowledge"
)

func init() {
	register(command{name: "laws", summary: "list the loaded laws, their versions and known newer texts", run: runLaws})
}

// lawsReport is what `pufabot laws` prints.
type lawsReport struct {
	Counts lawCounts `json:"counts"`
	// BuiltinSnapshot is the date of the law texts built into the binary,
	// when they are used.
	BuiltinSnapshot string              `json:"builtin_snapshot,omitempty"`
	Laws            []knowledge.LawInfo `json:"laws"`
	// StaleFAQ lists FAQ references to laws revised after the text loaded.
	StaleFAQ []string `json:"stale_faq"`
}

// lawCounts sums up the loaded corpus.
type lawCounts struct {
	Laws       int `json:"laws"`        // distinct titles loaded
	Texts      int `json:"texts"`       // loaded texts, every version counted
	Articles   int `json:"articles"`    // articles in all loaded texts
	NewerKnown int `json:"newer_known"` // laws with a known newer text not loaded (new laws included)
	NotLoaded  int `json:"not_loaded"`  // known laws with no text loaded at all
	// NewestText is the date of the newest text loaded: the corpus is no
	// more recent than that.
	NewestText string `json:"newest_text"`
}

func runLaws(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlags(e, "laws", "[--json]")
	asJSON := fs.Bool("json", false, "print the list as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
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
	r := lawsReport{Laws: eng.Laws(), StaleFAQ: []string{}}
	r.BuiltinSnapshot, _ = eng.Builtin()
	for _, s := range eng.StaleFAQ() {
		r.StaleFAQ = append(r.StaleFAQ, s.String())
	}
	r.Counts.Articles = eng.Stats().Articles
	for _, l := range r.Laws {
		if l.Loaded {
			r.Counts.Laws++
			r.Counts.Texts += len(l.Versions)
			r.Counts.NewestText = max(r.Counts.NewestText, l.Version)
		} else {
			r.Counts.NotLoaded++
		}
		if l.NewerKnown {
			r.Counts.NewerKnown++
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return printLaws(e.stdout, r)
}

// printLaws writes the report for people: the counts, the laws with a
// known newer text, then every loaded law.
func printLaws(w io.Writer, r lawsReport) error {
	c := r.Counts
	fmt.Fprintf(w, "已载入法律法规 %d 部（文本 %d 个，条文 %d 条），最新文本的日期是 %s。\n", c.Laws, c.Texts, c.Articles, orDash(c.NewestText))
	if r.BuiltinSnapshot != "" {
		fmt.Fprintf(w, "其中内置的全国性法律和司法解释取自 LawRefBook %s 的快照（knowledge.embedded: false 可停用）。\n", r.BuiltinSnapshot)
	}
	if c.NewerKnown > 0 {
		fmt.Fprintf(w, "\n已知有更新文本但尚未载入的 %d 部（把新文本放进 knowledge.laws 的文件夹，再运行 pufabot index）：\n", c.NewerKnown)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, l := range r.Laws {
			if !l.NewerKnown {
				continue
			}
			have := "未载入"
			if l.Loaded {
				have = "现有 " + orDash(l.Version)
			}
			n := l.Newer
			state := "已施行"
			if !n.InForceNow {
				state = "尚未施行"
			}
			fmt.Fprintf(tw, "  %s\t%s\t→ %s %s，%s 起施行（%s）\n", l.Title, have, n.Adopted, n.Revision, n.InForce, state)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.StaleFAQ) > 0 {
		fmt.Fprintf(w, "\n常见问题引用了已修订法律的条文（%d 处，请按新法核对答案）：\n", len(r.StaleFAQ))
		for _, s := range r.StaleFAQ {
			fmt.Fprintln(w, "  "+s)
		}
	}
	fmt.Fprintln(w, "\n全部已载入的法律法规（标题、最新文本日期、条文数、类别、其他版本）：")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, l := range r.Laws {
		if !l.Loaded {
			continue
		}
		older := ""
		if len(l.Versions) > 1 {
			older = "旧版本 " + strings.Join(l.Versions[1:], " ")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\n", l.Title, orDash(l.Version), l.Articles, l.Category, older)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
