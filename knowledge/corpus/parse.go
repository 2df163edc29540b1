package corpus

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// infoEnd is the comment that closes the LawRefBook header.
const infoEnd = "INFO END"

// srcLine is one non-blank, normalised source line.
type srcLine struct {
	no    int    // 1-based line number in the file
	text  string // normalised text (heading text without the '#'s)
	depth int    // number of leading '#' of a Markdown heading, 0 otherwise
	table bool   // a Markdown table row, never an article label or heading
}

// scanned is the result of the first pass over a file.
type scanned struct {
	lines     []srcLine
	markerIdx int // index in lines of the first line after <!-- INFO END -->, -1 if absent
}

// scanLines splits data into normalised non-blank lines, dropping HTML
// comments, table separator rows and zero-width characters.
func scanLines(data []byte, md bool) scanned {
	sc := scanned{markerIdx: -1}
	sc.lines = make([]srcLine, 0, bytes.Count(data, []byte{'\n'})/2+1)
	inComment := false
	no := 0
	for len(data) > 0 {
		no++
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		line := string(bytes.TrimRight(raw, "\r"))
		if inComment || strings.Contains(line, "<!--") {
			var marker bool
			line, marker = stripComments(line, &inComment)
			if marker && sc.markerIdx < 0 {
				sc.markerIdx = len(sc.lines)
			}
		}
		text := normalizeLine(line)
		if text == "" {
			continue
		}
		depth := 0
		if md {
			for depth < len(text) && text[depth] == '#' {
				depth++
			}
			if depth > 0 {
				text = strings.TrimSpace(text[depth:])
			}
		}
		table := depth == 0 && text[0] == '|'
		if table {
			text = tableRow(text)
			if text == "" {
				continue
			}
		}
		sc.lines = append(sc.lines, srcLine{no: no, text: text, depth: depth, table: table})
	}
	return sc
}

// stripComments removes <!-- … --> comments from line, tracking comments
// that span lines in inComment. It reports whether the line holds the
// <!-- INFO END --> marker.
func stripComments(line string, inComment *bool) (string, bool) {
	var b strings.Builder
	marker := false
	for {
		if *inComment {
			j := strings.Index(line, "-->")
			if j < 0 {
				return b.String(), marker
			}
			line = line[j+3:]
			*inComment = false
		}
		i := strings.Index(line, "<!--")
		if i < 0 {
			b.WriteString(line)
			return b.String(), marker
		}
		b.WriteString(line[:i])
		line = line[i+4:]
		if j := strings.Index(line, "-->"); j >= 0 && strings.TrimSpace(line[:j]) == infoEnd {
			marker = true
		}
		*inComment = true
	}
}

// tableRow turns a Markdown table row into space-separated cell text and
// drops separator rows ("|---|:--|").
func tableRow(s string) string {
	if strings.Trim(s, "|-: ") == "" {
		return ""
	}
	cells := strings.Split(s, "|")
	out := cells[:0]
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return strings.Join(out, " ")
}

// The version at the end of a file name: "(YYYY-MM-DD)" as LawRefBook
// names files, and the forms staff type when they save a newer text:
// "_2025-06-27", "（2025年6月27日修订）", "（2025年修订）" (a year alone,
// which the knowledge base resolves to the date of that year's known
// revision).
var (
	versionRE     = regexp.MustCompile(`[(（](\d{4}-\d{2}-\d{2})[)）]$`)
	versionSepRE  = regexp.MustCompile(`[_\s-]+(\d{4}-\d{2}-\d{2})$`)
	versionDateRE = regexp.MustCompile(`[(（](\d{4})年(\d{1,2})月(\d{1,2})日?\s*(?:修订|修正|通过|公布|版|文本)*[)）]$`)
	versionYearRE = regexp.MustCompile(`[(（](\d{4})年?\s*(?:修订|修正|通过|公布|版|文本)*[)）]$`)
)

// nameParts returns the base name of a file without extension and version,
// and the version: YYYY-MM-DD, a year alone (YYYY), or "".
func nameParts(name string) (base, version string) {
	base = filepath.Base(filepath.ToSlash(name))
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	base = strings.TrimSuffix(base, filepath.Ext(base))
	cut := func(m []int) string { return strings.TrimSpace(base[:m[0]]) }
	switch {
	case versionRE.MatchString(base):
		m := versionRE.FindStringSubmatchIndex(base)
		return cut(m), base[m[2]:m[3]]
	case versionSepRE.MatchString(base):
		m := versionSepRE.FindStringSubmatchIndex(base)
		return cut(m), base[m[2]:m[3]]
	case versionDateRE.MatchString(base):
		m := versionDateRE.FindStringSubmatchIndex(base)
		mo, _ := strconv.Atoi(base[m[4]:m[5]])
		d, _ := strconv.Atoi(base[m[6]:m[7]])
		if mo >= 1 && mo <= 12 && d >= 1 && d <= 31 {
			return cut(m), fmt.Sprintf("%s-%02d-%02d", base[m[2]:m[3]], mo, d)
		}
	case versionYearRE.MatchString(base):
		m := versionYearRE.FindStringSubmatchIndex(base)
		return cut(m), base[m[2]:m[3]]
	}
	return base, ""
}

// metaRE matches metadata lines of plain-text laws: a date
// ("2020年5月28日 …") or a parenthesised note about adoption or amendment.
var metaRE = regexp.MustCompile(`^(\d{4}年\d{1,2}月\d{1,2}日|[(（].*(通过|公布|施行|修正|修订|批准|发布).*[)）]$)`)

// metaDateRE finds the dates in header metadata: "2012年10月26日".
var metaDateRE = regexp.MustCompile(`(\d{4})年(\d{1,2})月(\d{1,2})日`)

// headerVersion returns the version of a text and how it was made (通过,
// 修正, 修订 or 公布, "" when the header does not say). The version is
// the file-name date when there is one, else the latest date in the header
// that adopted, amended or published the text (not a mere 施行 date). A
// header line may hold several dated events, as in the official
// "（2005年8月28日…通过　2012年10月26日…修正）".
func headerVersion(meta []string, fileVersion string) (version, event string) {
	version = fileVersion
	for _, line := range meta {
		locs := metaDateRE.FindAllStringSubmatchIndex(line, -1)
		for i, m := range locs {
			end := len(line)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			ev := metaEvent(line[m[1]:end])
			if ev == "" || ev == "施行" {
				continue
			}
			y, _ := strconv.Atoi(line[m[2]:m[3]])
			mo, _ := strconv.Atoi(line[m[4]:m[5]])
			d, _ := strconv.Atoi(line[m[6]:m[7]])
			if mo < 1 || mo > 12 || d < 1 || d > 31 {
				continue
			}
			date := fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
			switch {
			case len(fileVersion) == 4: // a year alone: the header dates it
				if strings.HasPrefix(date, fileVersion) && (len(version) == 4 || date >= version) {
					version, event = date, ev
				}
			case fileVersion != "" && date == fileVersion:
				event = ev
			case fileVersion == "" && date >= version:
				version, event = date, ev
			}
		}
	}
	return version, event
}

// metaEvent names what a dated header segment records. The event word
// stands after the last closing title mark (…《关于修改…的决定》修正); a
// segment that only names an amendment (…通过的《刑法修正案（十一）》)
// amended the text.
func metaEvent(seg string) string {
	tail := seg
	if i := strings.LastIndexAny(seg, "》>〉"); i >= 0 {
		tail = seg[i:]
	}
	switch {
	case strings.Contains(tail, "修订"):
		return "修订"
	case strings.Contains(tail, "修正"), strings.Contains(tail, "修改"):
		return "修正"
	case strings.Contains(tail, "通过"):
		if strings.Contains(seg, "修正案") {
			return "修正"
		}
		return "通过"
	case strings.Contains(seg, "修正案"):
		return "修正"
	case strings.Contains(tail, "公布"):
		return "公布"
	case strings.Contains(tail, "施行"):
		return "施行"
	}
	return ""
}

// amendmentRE matches the titles of amendment files
// (中华人民共和国刑法修正案（十二）, 中华人民共和国宪法修正案（1988年）).
var amendmentRE = regexp.MustCompile(`修正案([(（][^()（）]*[)）])?$`)

// 民法典 files carry their 编 as a second '# ' line; these are the official
// heading names of the 编.
var civilCodeParts = map[string]string{
	"总则":    "第一编 总则",
	"物权编":   "第二编 物权",
	"合同编":   "第三编 合同",
	"人格权编":  "第四编 人格权",
	"婚姻家庭编": "第五编 婚姻家庭",
	"继承编":   "第六编 继承",
	"侵权责任编": "第七编 侵权责任",
	"附则":    "附则",
}

// parsed is a parsed file plus what Load needs to merge files.
type parsed struct {
	law      *Law
	subtitle string // second '# ' line of a part file (民法典 编), "" if none
}

// ParseFile parses one .md (LawRefBook) or .txt (plain UTF-8 with the same
// 第X条 structure) file. For .txt files the title is the first non-empty
// line, or the file name when that line is already an article or heading.
// name is used for warnings, for the version (from the file name) and for
// the extension. Problems in the text are reported as warnings; the error
// is non-nil only when r cannot be read.
func ParseFile(name string, r io.Reader) (*Law, []Warning, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", name, err)
	}
	p, warns := parseBytes(name, data)
	return p.law, warns, nil
}

// parseBytes parses the contents of one file.
func parseBytes(name string, data []byte) (parsed, []Warning) {
	var warns []Warning
	warn := func(line int, format string, args ...any) {
		warns = append(warns, Warning{Path: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		warn(invalidUTF8Line(data), "invalid UTF-8, replaced with U+FFFD")
		data = bytes.ToValidUTF8(data, []byte("\ufffd"))
	}
	ext := strings.ToLower(filepath.Ext(name))
	md := ext == ".md" || ext == ".markdown"
	sc := scanLines(data, md)
	base, version := nameParts(name)

	law := &Law{Version: version, Paths: []string{name}}
	lines := sc.lines
	pos := 0
	var subtitle string

	// Title.
	switch {
	case len(lines) == 0:
		warn(0, "no text")
		law.Title = base
	case md && lines[0].depth > 0 && lines[0].text != "":
		law.Title = lines[0].text
		pos = 1
	default:
		first := lines[0].text
		_, isArt := parseLabel(first)
		kind, _, _ := classifyHeading(first, false)
		if isArt || kind != hNone {
			law.Title = base
		} else {
			law.Title = first
			pos = 1
		}
		if md {
			warn(lines[0].no, "no '# ' title line; using %q", law.Title)
		}
	}
	if law.Title == "" {
		law.Title = base
	}

	// Header metadata.
	if md && sc.markerIdx >= pos {
		for _, l := range lines[pos:sc.markerIdx] {
			if l.depth > 0 {
				if subtitle == "" {
					subtitle = l.text
				}
				continue
			}
			law.Meta = append(law.Meta, l.text)
		}
		pos = sc.markerIdx
	} else {
		if md && len(lines) > 0 {
			warn(0, "no <!-- INFO END --> marker")
		}
		for pos < len(lines) {
			l := lines[pos]
			if md && l.depth == 1 && subtitle == "" && len(law.Meta) == 0 {
				subtitle = l.text
			} else if l.depth == 0 && metaRE.MatchString(l.text) {
				law.Meta = append(law.Meta, l.text)
			} else {
				break
			}
			pos++
		}
	}
	law.ShortName = shortName(law.Title)
	// The ID keeps to the file-name version, so that the IDs of texts
	// dated only in their header stay what they were before.
	law.ID = lawID(law.Title, law.Version)
	law.Version, law.Event = headerVersion(law.Meta, law.Version)
	law.Amendment = amendmentRE.MatchString(law.Title)

	b := bodyParser{
		lastStruct: -1,
		law:        law,
		lines:      lines[pos:],
		warn:       warn,
		part:       subtitle != "",
	}
	if subtitle != "" {
		top := subtitle
		if strings.TrimPrefix(law.Title, chinaPrefix) == "民法典" {
			if s, ok := civilCodeParts[strings.ReplaceAll(subtitle, " ", "")]; ok {
				top = s
			}
		}
		b.path[levelPart] = top
	}
	b.run()
	return parsed{law: law, subtitle: subtitle}, warns
}

// invalidUTF8Line returns the 1-based line of the first invalid byte.
func invalidUTF8Line(data []byte) int {
	line := 1
	for i := 0; i < len(data); {
		r, w := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && w == 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		i += w
	}
	return line
}

// preambleEntry is one line of text outside any article.
type preambleEntry struct {
	text    string
	heading bool // a heading line, kept only when the law has no articles
}

// bodyParser turns the body lines of a file into articles and preamble.
type bodyParser struct {
	law   *Law
	lines []srcLine
	warn  func(line int, format string, args ...any)
	part  bool // a part file (民法典 编): numbering does not start at 1

	path     [numLevels]string
	pathCopy []string // shared snapshot of path for new articles, nil when stale
	cur      *Article
	appendix bool // inside 附件/附表 material
	topSet   bool // path[levelPart] holds 序言 or 附则
	// lastStruct is the level of the structural heading on the previous
	// line, -1 otherwise.
	lastStruct int
	have       bool // an article has been accepted
	prevNum    int
	prevSub    int
	preamble   []preambleEntry
	next       []int // index of the next line holding a strong label, or len(lines)
}

// run processes all body lines.
func (b *bodyParser) run() {
	if b.law.Amendment {
		for _, l := range b.lines {
			b.preamble = append(b.preamble, preambleEntry{text: l.text})
		}
		b.finish()
		return
	}
	b.next = make([]int, len(b.lines)+1)
	b.next[len(b.lines)] = len(b.lines)
	for i := len(b.lines) - 1; i >= 0; i-- {
		b.next[i] = b.next[i+1]
		if l := b.lines[i]; l.depth == 0 && !l.table {
			if lb, ok := parseLabel(l.text); ok && lb.form == formStrong {
				b.next[i] = i
			}
		}
	}
	for i, l := range b.lines {
		afterStruct := b.lastStruct
		b.lastStruct = -1
		if l.depth > 0 {
			kind, level, norm := classifyHeading(l.text, true)
			b.heading(kind, level, norm)
			continue
		}
		if l.table {
			b.text(l)
			continue
		}
		if strings.ReplaceAll(l.text, " ", "") == "目录" {
			continue // a table of contents: its entries only repeat the headings
		}
		if lb, ok := parseLabel(l.text); ok && b.acceptLabel(i, l, lb) {
			b.startArticle(l, lb)
			continue
		}
		if kind, level, norm := classifyHeading(l.text, false); kind != hNone {
			b.heading(kind, level, norm)
			continue
		}
		if afterStruct >= 0 && b.headingTail(i, afterStruct) {
			continue
		}
		b.text(l)
	}
	b.finish()
}

// headingTail handles a short line right after a structural heading at
// level: the name of a bare "第一章", the rest of a heading wrapped over
// two lines ("第四章 犯罪嫌疑人、被告人逃匿、死亡案件" + "违法所得的没收程序"),
// or an unnumbered sub-heading directly followed by an article. It reports whether the line
// was used.
func (b *bodyParser) headingTail(i, level int) bool {
	s := b.lines[i].text
	n := utf8.RuneCountInString(s)
	if n > 40 || strings.ContainsAny(s, "。；：;:") {
		return false
	}
	head := b.path[level]
	name := ""
	if j := strings.IndexByte(head, ' '); j >= 0 {
		name = head[j+1:]
	}
	if name == "" && n <= 30 && !strings.ContainsAny(s, "，,") {
		// "第一章" alone, with its name on the next line.
		b.path[level] = head + " " + joinHan(s)
		b.pathCopy = nil
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(name)
	if utf8.RuneCountInString(name) >= 12 || strings.ContainsRune("、，,和及与", last) {
		b.path[level] = head + joinHan(s)
		b.pathCopy = nil
		return true
	}
	if n > 15 || strings.ContainsAny(s, "，、,") || i+1 >= len(b.lines) {
		return false
	}
	next := b.lines[i+1]
	if lb, ok := parseLabel(next.text); !ok || next.depth > 0 || next.table || !b.isNext(lb.num, lb.sub) {
		return false
	}
	b.heading(hOther, levelOther, joinHan(s))
	return true
}

// heading applies a heading line.
func (b *bodyParser) heading(kind headingKind, level int, norm string) {
	if kind == hNone {
		return // a bare "##"
	}
	b.cur = nil
	switch kind {
	case hAppendix:
		b.appendix = true
		b.preamble = append(b.preamble, preambleEntry{text: norm})
		return
	case hNumbered, hOther:
		if b.appendix {
			b.preamble = append(b.preamble, preambleEntry{text: norm})
			return
		}
	case hStruct:
		b.lastStruct = level
		b.appendix = false
		if b.topSet {
			// 序言 and 附则 stand beside the chapters, not above them.
			b.path[levelPart], b.topSet = "", false
		}
	case hTop:
		b.appendix = false
		b.topSet = true
	}
	b.preamble = append(b.preamble, preambleEntry{text: norm, heading: true})
	b.path[level] = norm
	for i := level + 1; i < numLevels; i++ {
		b.path[i] = ""
	}
	b.pathCopy = nil
}

// isNext reports whether (n, k) directly follows the previous article.
func (b *bodyParser) isNext(n, k int) bool {
	if !b.have {
		return n == 1 && k == 0
	}
	return (n == b.prevNum && k == b.prevSub+1) || (n == b.prevNum+1 && k == 0)
}

// maxJump is the largest forward jump in article numbers accepted without
// confirmation by the following label.
const maxJump = 20

// acceptLabel decides whether the label on line i opens an article.
func (b *bodyParser) acceptLabel(i int, l srcLine, lb label) bool {
	next := b.isNext(lb.num, lb.sub)
	switch lb.form {
	case formWeak:
		return next && !b.appendix && weakStartsArticle(lb.rest)
	case formSpaced:
		return next
	}
	if next {
		return true
	}
	if b.appendix {
		return false // appendix material has its own numbering
	}
	label := ArticleLabel(lb.num, suffixLabel(lb.sub))
	if !b.have {
		if !b.part {
			b.warn(l.no, "numbering starts at %s", label)
		}
		return true
	}
	prev := ArticleLabel(b.prevNum, suffixLabel(b.prevSub))
	forward := lb.num > b.prevNum || (lb.num == b.prevNum && lb.sub > b.prevSub)
	if forward {
		confirmed := lb.num-b.prevNum <= maxJump
		if !confirmed {
			if j := b.next[i+1]; j < len(b.lines) {
				nl, _ := parseLabel(b.lines[j].text)
				confirmed = (nl.num == lb.num && nl.sub == lb.sub+1) || (nl.num == lb.num+1 && nl.sub == 0)
			}
		}
		if confirmed {
			b.warn(l.no, "numbering jumps from %s to %s", prev, label)
			return true
		}
	}
	b.warn(l.no, "%s after %s breaks the numbering; kept as text", label, prev)
	return false
}

// startArticle opens a new article at line l.
func (b *bodyParser) startArticle(l srcLine, lb label) {
	b.appendix = false
	if b.pathCopy == nil {
		b.pathCopy = make([]string, 0, numLevels)
		for _, h := range b.path {
			if h != "" {
				b.pathCopy = append(b.pathCopy, h)
			}
		}
	}
	b.law.Articles = append(b.law.Articles, Article{
		Number:   lb.num,
		Suffix:   suffixLabel(lb.sub),
		Headings: b.pathCopy,
		Line:     l.no,
	})
	b.cur = &b.law.Articles[len(b.law.Articles)-1]
	b.have, b.prevNum, b.prevSub = true, lb.num, lb.sub
	if lb.rest != "" {
		b.paragraph(lb.rest, l.no)
	}
}

// text adds a line that is neither a heading nor an article label.
func (b *bodyParser) text(l srcLine) {
	if b.cur == nil || b.appendix {
		b.preamble = append(b.preamble, preambleEntry{text: l.text})
		return
	}
	b.paragraph(l.text, l.no)
}

// paragraph appends s, from source line no, to the current article,
// splitting off further articles run into the same line ("…。 第十二条 …")
// when their number follows.
func (b *bodyParser) paragraph(s string, no int) {
	const sep = "。 "
	from := 0
	for {
		i := strings.Index(s[from:], sep+"第")
		if i < 0 {
			break
		}
		at := from + i + len(sep)
		lb, ok := parseLabel(s[at:])
		if !ok || !b.isNext(lb.num, lb.sub) || (lb.form == formWeak && !weakStartsArticle(lb.rest)) {
			from = at
			continue
		}
		b.cur.Paragraphs = append(b.cur.Paragraphs, strings.TrimSpace(s[:at]))
		b.startArticle(srcLine{no: no}, label{num: lb.num, sub: lb.sub})
		s, from = lb.rest, 0
		if s == "" {
			return
		}
	}
	b.cur.Paragraphs = append(b.cur.Paragraphs, s)
}

// finish assembles the preamble.
func (b *bodyParser) finish() {
	keepHeadings := len(b.law.Articles) == 0
	var parts []string
	for _, e := range b.preamble {
		if e.heading && !keepHeadings {
			continue
		}
		parts = append(parts, e.text)
	}
	b.law.Preamble = strings.Join(parts, "\n")
}
