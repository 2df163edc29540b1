package knowledge

import (
	"fmt"

	"github.com/pufabot/pufabot/knowledge/corpus"
	"github.com/pufabot/pufabot/knowledge/corpus/embedded"
)

// loadCorpus reads the corpus folders of src and, when src.embedded is set,
// the corpus built into the binary under them: a text in a folder wins over
// the embedded one of the same law and version, and a newer version in
// either supersedes the older.
func loadCorpus(src sources, progress func(stage string, done, total int)) (*corpus.Corpus, []corpus.Warning, error) {
	var mem []corpus.File
	if src.embedded {
		progress("解压内置法规", 0, 1)
		files, err := embedded.Files()
		if err != nil {
			return nil, nil, fmt.Errorf("built-in corpus: %w", err)
		}
		mem = files
		progress("解压内置法规", 1, 1)
	}
	return corpus.LoadFiles(src.laws, mem, func(done, total int) { progress("读取法规文件", done, total) })
}

// BuiltinSnapshot returns the date (YYYY-MM-DD) of the law texts built into
// the binary.
func BuiltinSnapshot() string { return embedded.Snapshot() }

// Builtin reports whether the open index includes the law texts built into
// the binary, and their snapshot date.
func (e *Engine) Builtin() (snapshot string, ok bool) {
	if !e.builtin {
		return "", false
	}
	return embedded.Snapshot(), true
}

// Builtin is Engine.Builtin of the current engine.
func (l *Live) Builtin() (snapshot string, ok bool) { return l.Engine().Builtin() }
