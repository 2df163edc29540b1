package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/pufabot/pufabot/knowledge"
)

func init() {
	register(command{name: "chat", summary: "ask questions interactively, as residents would in Telegram", run: runChat})
}

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
	fmt.Fprintln(e.stdout, "普法机器人 · 输入问题后回车；输入“更多”看下一页条文，输入“退出”或按 Ctrl-D 结束。")
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var last *knowledge.Answer
	offset := 0
	for {
		fmt.Fprint(e.stdout, "\n问> ")
		if !sc.Scan() {
			fmt.Fprintln(e.stdout)
			return sc.Err()
		}
		q := strings.TrimSpace(sc.Text())
		switch q {
		case "":
			continue
		case "退出", "exit", "quit":
			return nil
		case "更多", "more":
			if last == nil {
				fmt.Fprintln(e.stdout, "请先提一个问题。")
				continue
			}
			offset += knowledge.PageSize
			hits, err := eng.Search(ctx, last.Question, knowledge.PageSize, offset)
			if err != nil {
				return err
			}
			if len(hits) == 0 {
				fmt.Fprintln(e.stdout, "没有更多相关条文了。")
				continue
			}
			for i, h := range hits {
				fmt.Fprintf(e.stdout, "%d. %s\n   %s\n", offset+i+1, h.Citation, h.Snippet)
			}
			continue
		}
		a, err := eng.Answer(ctx, q)
		if err != nil {
			return err
		}
		last, offset = a, 0
		fmt.Fprintln(e.stdout, knowledge.RenderText(a))
	}
}
