package knowledge

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Example is a labelled question: the words a resident used and the
// articles a lawyer (or staff, or a resident's "有帮助") tied to it. Indexed
// examples let similar questions find those articles.
type Example struct {
	ID    string        `json:"id"`
	Query string        `json:"query"`
	Gold  []GoldArticle `json:"gold"`
}

// GoldArticle is one labelled article in an Example.
type GoldArticle struct {
	Law     string `json:"law"`
	Article int    `json:"article"`
	Suffix  string `json:"suffix"`
}

// exampleLine is the on-disk shape (STARD JSONL); id may be a number.
type exampleLine struct {
	ID    json.RawMessage `json:"id"`
	Query string          `json:"query"`
	Gold  []GoldArticle   `json:"gold"`
}

// ReadExamples reads a JSONL file of labelled questions. Blank lines are
// skipped; a malformed line is an error naming the file and line.
func ReadExamples(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("examples: %w", err)
	}
	defer f.Close()
	var out []Example
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var l exampleLine
		if err := json.Unmarshal([]byte(text), &l); err != nil {
			return nil, fmt.Errorf("examples %s:%d: %w", path, line, err)
		}
		if strings.TrimSpace(l.Query) == "" {
			return nil, fmt.Errorf("examples %s:%d: empty query", path, line)
		}
		id := strings.Trim(string(l.ID), `"`)
		if id == "" {
			id = fmt.Sprintf("%s:%d", path, line)
		}
		out = append(out, Example{ID: id, Query: l.Query, Gold: l.Gold})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("examples %s: %w", path, err)
	}
	return out, nil
}
