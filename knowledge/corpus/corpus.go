package corpus

import (
	"fmt"
	"strings"
)

// Law is one version of one document (law, regulation, interpretation,
// local regulation).
type Law struct {
	ID         string    // unique and stable: Title + "@" + the file-name version, or Title when the file name has none
	Title      string    // full title from the '# ' line, e.g. "中华人民共和国民法典" (normalised whitespace)
	ShortName  string    // Title without the leading "中华人民共和国", e.g. "民法典"
	Category   string    // top-level corpus folder (宪法, 司法解释, …); the province for local regulations; the folder name for files outside the layout
	Version    string    // "YYYY-MM-DD" from the file name "<short>(<date>).md", else the latest adoption or amendment date in the header, "" if neither
	Event      string    // how the text of that date was made, from the header: 通过, 修正, 修订 or 公布; "" when it does not say
	Superseded bool      // a newer version of the same Title is in the corpus
	Amendment  bool      // 修正案 files: kept, but their numbered items are not articles of the law
	Paths      []string  // source files (民法典 has 8)
	Meta       []string  // header metadata lines (between title and <!-- INFO END -->)
	Preamble   string    // body text not under any article (宪法 序言, a 批复's body, appendix tables…), normalised
	Articles   []Article // in source order; numbers never decrease
}

// Article is one article (条) of a law.
type Article struct {
	Number     int      // article number: 1079 for 第一千零七十九条
	Suffix     string   // "" or "之一", "之二", …
	Headings   []string // heading path, outermost first, e.g. ["第五编 婚姻家庭", "第四章 离婚"]
	Paragraphs []string // 款 and 项 lines in order, whitespace-normalised, without the leading "第X条 " label
	Line       int      // 1-based line in the source file where the article starts
}

// Label returns the article's label, e.g. "第一千零七十九条" or
// "第一百三十三条之一".
func (a Article) Label() string { return ArticleLabel(a.Number, a.Suffix) }

// Text returns the article's paragraphs joined with "\n".
func (a Article) Text() string { return strings.Join(a.Paragraphs, "\n") }

// Cite returns the usual citation of article a of the law with the given
// title, e.g. "《中华人民共和国民法典》第一千零七十九条".
func Cite(title string, a Article) string { return "《" + title + "》" + a.Label() }

// Warning reports a problem found while reading a file; the rest of the
// file (and of the corpus) is still used.
type Warning struct {
	Path string // the file, as named to ParseFile or found by Load
	Line int    // 1-based; 0 when the problem concerns the whole file
	Msg  string // what is wrong and what was done about it
}

// String formats the warning as "path:line: msg" ("path: msg" when Line is 0).
func (w Warning) String() string {
	if w.Line <= 0 {
		return fmt.Sprintf("%s: %s", w.Path, w.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", w.Path, w.Line, w.Msg)
}

// chinaPrefix is the official prefix of national law titles.
const chinaPrefix = "中华人民共和国"

// shortName drops the leading "中华人民共和国" from a title.
func shortName(title string) string {
	if s, ok := strings.CutPrefix(title, chinaPrefix); ok && s != "" {
		return s
	}
	return title
}

// lawID builds the stable identifier of a law version.
func lawID(title, version string) string {
	if version == "" {
		return title
	}
	return title + "@" + version
}
