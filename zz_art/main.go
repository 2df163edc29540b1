package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/pufabot/pufabot/knowledge/corpus"
)

func main() {
	c, _, err := corpus.Load([]string{os.Args[1]}, nil)
	if err != nil {
		panic(err)
	}
	for _, l := range c.Laws {
		if l.Superseded || !strings.Contains(l.Title, os.Args[2]) {
			continue
		}
		for _, s := range os.Args[3:] {
			n, _ := strconv.Atoi(s)
			for _, a := range l.Articles {
				if a.Number == n {
					fmt.Println(l.Title, a.Label(), a.Suffix, strings.Join(a.Headings, "|"))
					fmt.Println("   ", a.Text())
				}
			}
		}
	}
}
