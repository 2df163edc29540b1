package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pufabot/pufabot/knowledge"
)

func init() {
	register(command{name: "chat", summary: "ask questions interactively, as residents would in Telegram", run: runChat})
}

// maxChatLine bounds one question typed into chat.
const maxChatLine = 1 << 20

func runChat(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlags(e, "chat", "")
	if err := parseFlags(fs, args); err != nil {
		return err
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
	return chat(ctx, eng, e.stdin, e.stdout, isTerminal(e.stdin))
}

// chat answers the questions read from in. On a terminal it greets and
// prompts; through a pipe it writes only the answers, separated by a blank
// line.
func chat(ctx context.Context, eng *knowledge.Engine, in io.Reader, out io.Writer, interactive bool) error {
	if interactive {
		fmt.Fprintln(out, "普法机器人 · 输入问题后回车；输入“更多”看下一页条文，输入“退出”或按 Ctrl-D 结束。")
	}
	lines := newLineReader(in, maxChatLine)
	var page *articlePager
	for answered := false; ; {
		if interactive {
			fmt.Fprint(out, "\n问> ")
		}
		text, err := lines.next()
		var tooLong *lineTooLongError
		switch {
		case err == io.EOF:
			if interactive {
				fmt.Fprintln(out)
			}
			return nil
		case errors.As(err, &tooLong):
		case err != nil:
			return err
		}
		q := strings.TrimSpace(text)
		if q == "" && tooLong == nil {
			continue
		}
		if q == "退出" || q == "exit" || q == "quit" {
			return nil
		}
		if !interactive && answered {
			fmt.Fprintln(out)
		}
		answered = true
		switch {
		case tooLong != nil:
			fmt.Fprintf(out, "这个问题太长了（超过 %s），没有回答。请用几句话说清发生了什么、想知道什么，再问一次。\n", sizeText(maxChatLine))
		case q == "更多" || q == "more":
			if page == nil {
				fmt.Fprintln(out, "请先提一个问题。")
				continue
			}
			hits, err := page.next(ctx)
			if err != nil {
				return err
			}
			if len(hits) == 0 {
				fmt.Fprintln(out, "没有更多相关条文了。")
				continue
			}
			for _, c := range knowledge.CurrencyOf(hits) {
				if !page.warned[c.Law] {
					page.warned[c.Law] = true
					fmt.Fprintln(out, "【注意】"+c.Text)
				}
			}
			for _, h := range hits {
				page.shown++
				old := ""
				if h.Superseded {
					old = "（旧版本）"
				}
				fmt.Fprintf(out, "%d. %s%s\n   %s\n", page.shown, h.Citation, old, strings.ReplaceAll(h.Snippet, "\n", " "))
			}
		default:
			a, err := eng.Answer(ctx, q)
			if err != nil {
				return err
			}
			page = newArticlePager(eng, a)
			fmt.Fprintln(out, knowledge.RenderText(a))
		}
	}
}

// articlePager pages through the articles found for an answered question
// for 更多: it skips what the answer already showed and numbers on from
// the answer's last number.
type articlePager struct {
	eng      *knowledge.Engine
	question string
	offset   int             // next search position
	seen     map[string]bool // articles shown so far
	shown    int             // last number printed
	warned   map[string]bool // laws whose revision warning was printed
}

func newArticlePager(eng *knowledge.Engine, a *knowledge.Answer) *articlePager {
	p := &articlePager{eng: eng, question: a.Question, seen: map[string]bool{}, warned: map[string]bool{}}
	for _, h := range a.Hits {
		p.seen[hitKey(h)] = true
	}
	for _, c := range a.Currency {
		p.warned[c.Law] = true
	}
	switch a.Kind {
	case knowledge.KindArticles:
		// The answer shows the first page of the same search.
		p.offset, p.shown = len(a.Hits), len(a.Hits)
	case knowledge.KindFAQ:
		p.shown = len(a.Hits)
	}
	return p
}

func hitKey(h knowledge.Hit) string {
	if h.ID != "" {
		return h.ID
	}
	return h.Citation
}

// next returns up to a page of articles not shown yet.
func (p *articlePager) next(ctx context.Context) ([]knowledge.Hit, error) {
	var page []knowledge.Hit
	for len(page) < knowledge.PageSize {
		hits, err := p.eng.Search(ctx, p.question, knowledge.PageSize, p.offset)
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			p.offset++
			if !p.seen[hitKey(h)] {
				p.seen[hitKey(h)] = true
				page = append(page, h)
				if len(page) == knowledge.PageSize {
					break
				}
			}
		}
		if len(hits) < knowledge.PageSize {
			break
		}
	}
	return page, nil
}
