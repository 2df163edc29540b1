package corpus

import (
	"strings"
	"unicode/utf8"
)

// labelForm says how firmly a "第X条" at the start of a line marks an article.
type labelForm int

const (
	// formStrong: the label is followed by a space or ends the line.
	formStrong labelForm = iota
	// formSpaced: the space is misplaced before 条 ("第一百二十八 条侦查…").
	formSpaced
	// formWeak: text follows 条 directly; it may be a cross-reference.
	formWeak
)

// label is an article label found at the start of a line.
type label struct {
	num  int
	sub  int    // 0, or k for the suffix 之k
	rest string // text after the label and its separator
	form labelForm
}

// isNumeralRune reports the characters allowed in an article or heading
// number, including U+FF0D, which some local regulations use for 一.
func isNumeralRune(r rune) bool {
	return cnDigitValue(r) >= 0 || cnUnitValue(r) > 0 || r == '万' || digitValue(r) >= 0 || r == '－'
}

// scanNumeral returns the end of the run of numeral characters in s from i.
func scanNumeral(s string, i int) int {
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		if !isNumeralRune(r) {
			break
		}
		i += w
	}
	return i
}

// parseNumeral parses a label number, reading U+FF0D as 一.
func parseNumeral(s string) (int, bool) {
	if strings.Contains(s, "－") {
		s = strings.ReplaceAll(s, "－", "一")
	}
	return ParseNumber(s)
}

// skipSpaces returns the index of the first non-space byte of s from i
// (s is normalised, so only ASCII spaces remain).
func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// parseLabel reports whether the normalised line s starts with an article
// label "第X条" or "第X条之Y".
func parseLabel(s string) (label, bool) {
	const di, ti, zhi = "第", "条", "之"
	if !strings.HasPrefix(s, di) {
		return label{}, false
	}
	i := skipSpaces(s, len(di))
	j := scanNumeral(s, i)
	if j == i {
		return label{}, false
	}
	n, ok := parseNumeral(s[i:j])
	if !ok {
		return label{}, false
	}
	k := skipSpaces(s, j)
	spaced := k > j
	if !strings.HasPrefix(s[k:], ti) {
		return label{}, false
	}
	k += len(ti)
	lb := label{num: n}
	if strings.HasPrefix(s[k:], zhi) {
		m := k + len(zhi)
		e := m
		for e < len(s) {
			r, w := utf8.DecodeRuneInString(s[e:])
			if cnDigitValue(r) <= 0 && r != '十' {
				break
			}
			e += w
		}
		if v, ok := ParseNumber(s[m:e]); ok && v > 0 && e > m {
			lb.sub = v
			k = e
		}
	}
	rest := s[k:]
	switch {
	case rest == "":
		lb.form = formStrong
	case rest[0] == ' ':
		lb.form = formStrong
		rest = rest[1:]
	case spaced:
		lb.form = formSpaced
	default:
		lb.form = formWeak
	}
	lb.rest = rest
	return lb, true
}

// crossRefFollowers are characters that, right after "第X条", show that the
// line continues a sentence citing an article rather than starting one.
const crossRefFollowers = "的规和至或中所之及与到款项第以起止内外前后各等也为是即、，,。；;：:）)》〉”\"-－—~～"

// weakStartsArticle reports whether a label written without a separator is
// followed by text that can open an article.
func weakStartsArticle(rest string) bool {
	r, _ := utf8.DecodeRuneInString(rest)
	return !strings.ContainsRune(crossRefFollowers, r)
}

// headingUnits are the structural heading units in nesting order.
var headingUnits = [...]string{"编", "分编", "章", "节"}

// Heading levels: 编, 分编, 章, 节, then numbered or other sections.
const (
	levelPart = iota
	levelSubpart
	levelChapter
	levelSection
	levelOther
	numLevels
)

// headingKind classifies a heading.
type headingKind int

const (
	hNone     headingKind = iota // not a heading, or an empty one
	hStruct                      // 第…编|分编|章|节
	hTop                         // 序言, 附则: top level, replaced by the next structural heading
	hAppendix                    // 附件, 附表, 附录: following material belongs to the preamble
	hNumbered                    // "一、管辖" (Markdown headings only)
	hOther                       // any other Markdown heading text
)

// structHeading parses "第X编|分编|章|节 name" and returns its level and
// normalised form ("第一章 总则"). plain reports a line that is not a
// Markdown heading, for which the name must look like a heading.
func structHeading(s string, plain bool) (int, string, bool) {
	const di = "第"
	if !strings.HasPrefix(s, di) {
		return 0, "", false
	}
	i := skipSpaces(s, len(di))
	j := scanNumeral(s, i)
	if j == i {
		return 0, "", false
	}
	if _, ok := parseNumeral(s[i:j]); !ok {
		return 0, "", false
	}
	k := skipSpaces(s, j)
	level := -1
	unit := ""
	for lv, u := range headingUnits {
		if strings.HasPrefix(s[k:], u) && len(u) > len(unit) {
			level, unit = lv, u
		}
	}
	if level < 0 {
		return 0, "", false
	}
	name := strings.TrimSpace(s[k+len(unit):])
	if plain && name != "" {
		if utf8.RuneCountInString(name) > 30 || strings.ContainsAny(name, "，。；：,;:、") || !weakStartsArticle(name) {
			return 0, "", false
		}
	}
	norm := di + strings.ReplaceAll(s[i:j], "－", "一") + unit
	if name != "" {
		norm += " " + joinHan(name)
	}
	return level, norm, true
}

// isAppendix reports "附件", "附件一", "附件2：…", "附表一", "附录" and the like.
func isAppendix(s string) bool {
	var rest string
	found := false
	for _, p := range [...]string{"附件", "附表", "附录"} {
		if r, ok := strings.CutPrefix(s, p); ok {
			rest, found = r, true
			break
		}
	}
	if !found {
		return false
	}
	rest = rest[scanNumeral(rest, 0):]
	if rest == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return r == ' ' || r == '：' || r == ':'
}

// isNumberedHeading reports "一、管辖" style section headings.
func isNumberedHeading(s string) bool {
	j := scanNumeral(s, 0)
	return j > 0 && strings.HasPrefix(s[j:], "、")
}

// classifyHeading classifies heading text. md reports a Markdown '#'
// heading; plain lines are only headings of the structural kinds.
func classifyHeading(s string, md bool) (headingKind, int, string) {
	if s == "" {
		return hNone, 0, ""
	}
	if lv, norm, ok := structHeading(s, !md); ok {
		return hStruct, lv, norm
	}
	compact := strings.ReplaceAll(s, " ", "")
	if compact == "序言" || compact == "附则" {
		return hTop, levelPart, compact
	}
	if isAppendix(s) {
		return hAppendix, levelPart, s
	}
	if !md {
		return hNone, 0, ""
	}
	if isNumberedHeading(s) {
		return hNumbered, levelOther, joinHan(s)
	}
	return hOther, levelOther, joinHan(s)
}
