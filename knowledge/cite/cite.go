// Package cite finds law citations in what residents type (民法典第1079条,
// 《消法》第55条, 劳动合同法第三十八条第一款第二项), maps the names people use
// for laws to canonical short names (消法 → 消费者权益保护法), and knows which
// laws have been repealed and which 民法典 article replaced an article of a
// repealed law (婚姻法第32条 → 民法典第1079条).
package cite

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ref is one citation found in text.
type Ref struct {
	// Law is the canonical short name after aliasing, e.g. "民法典",
	// "消费者权益保护法", "婚姻法"; "" when the text names no law ("第1079条"
	// alone).
	Law string
	// Written is the law name as written, e.g. "《民法典》", "消法",
	// "中华人民共和国劳动合同法". A citation that inherits its law from the
	// one before it ("民法典第1079条和第1080条") repeats that citation's
	// Written, although the name lies outside its Start:End span.
	Written string
	Article int
	// Version is the text asked for by a version note after the law name:
	// "2012" for 治安管理处罚法（2012年修正）第四十三条 or 治安管理处罚法(2012)第43条,
	// "2012-10-26" for a full date; "" when the current text is meant.
	Version string
	// Suffix is "" or "之一", "之二"… for inserted articles (刑法第一百三十三条之一).
	Suffix    string
	Paragraph int // 款, 0 if not given
	Item      int // 项, 0 if not given
	// Start and End are the byte offsets of the whole citation in the input,
	// from the first byte of the law name (or of 第) to the last byte of 条,
	// 之X, 款 or 项.
	Start, End int
}

// tok is one significant rune of the input, folded for matching, with the
// byte span of the original rune.
type tok struct {
	r          rune
	start, end int
}

// maxNameRunes bounds how far back a law name written without title marks
// is looked for.
const maxNameRunes = 40

// maxBracketRunes bounds the length of a name in title marks.
const maxBracketRunes = 80

// maxNoteRunes bounds the length of a version note in brackets after a
// law name.
const maxNoteRunes = 20

// maxListLen is the most article numbers read before a single 条.
const maxListLen = 20

// maxGapRunes is the most connector runes (和, 、, 以及…) allowed between a
// citation and one that inherits its law.
const maxGapRunes = 4

// tokenize folds the input into significant runes: invisible characters are
// dropped, every kind of space becomes ' ', full-width digits become ASCII,
// look-alikes and traditional forms of the key characters are unified (笫 →
// 第, 條 → 条, 項 → 项) and ASCII brackets become full-width. Invalid bytes
// become utf8.RuneError, which matches nothing.
func tokenize(text string) []tok {
	toks := make([]tok, 0, len(text)/2+1)
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		start := i
		i += w
		if w <= 1 && r == utf8.RuneError {
			toks = append(toks, tok{utf8.RuneError, start, i})
			continue
		}
		if isIgnorable(r) {
			continue
		}
		switch {
		case unicode.IsSpace(r):
			r = ' '
		case r == '笫':
			r = '第'
		case r == '條':
			r = '条'
		case r == '項':
			r = '项'
		case r == '萬':
			r = '万'
		case r == '兩':
			r = '两'
		case r == '(':
			r = '（'
		case r == ')':
			r = '）'
		case r == '＜':
			r = '<'
		case r == '＞':
			r = '>'
		default:
			r = foldDigit(r)
		}
		toks = append(toks, tok{r, start, i})
	}
	return toks
}

// parser holds the state of one Parse call.
type parser struct {
	text string
	toks []tok
}

// Parse finds citations such as 民法典第1079条, 《民法典》第一千零七十九条,
// 宪法第35条, 刑法第一百三十三条之一, 劳动合同法第三十八条第一款,
// 中华人民共和国劳动合同法第38条第1款第2项, 婚姻法第32条, 民法典1079条,
// 《消法》第55条, "民法典 第 1079 条" and 第1079条 (no law). A citation that
// follows another with only a connector between them inherits its law:
// "民法典第一千零七十九条和第一千零八十条" gives two 民法典 citations, and
// "第1079、1080条" gives 1079 and 1080 (for a range 第1079至1082条 only the
// two ends). Citations are returned in text order. Parse never panics on
// any input and ignores absurd numbers (0 or > 5000).
func Parse(text string) []Ref {
	p := parser{text: text, toks: tokenize(text)}
	var refs []Ref
	lo := 0       // first token not yet consumed by a citation
	prevEnd := -1 // token index just after the previous citation
	var prev Ref  // previous citation, for inheritance
	hasPrev := false
	for i := 0; i < len(p.toks); i++ {
		r := p.toks[i].r
		hasDi := r == '第'
		if !hasDi {
			if !isNumStart(r) || !p.numberTokenStart(i, lo) {
				continue
			}
		}
		arts, end, ok := p.matchArticles(i)
		if !ok {
			continue
		}
		law, written, nameStart, found := p.findLaw(lo, i)
		inherit := !found && hasPrev && p.connectorGap(prevEnd, i)
		if !found && !inherit && !hasDi {
			continue
		}
		start := p.toks[i].start
		switch {
		case found:
			start = p.toks[nameStart].start
		case inherit:
			law, written = prev.Law, prev.Written
		}
		version := noteVersion(written)
		added := false
		for k, a := range arts {
			if a.article < 1 || a.article > maxNumber {
				continue
			}
			ref := Ref{
				Law: law, Written: written, Version: version,
				Article: a.article, Suffix: a.suffix, Paragraph: a.paragraph, Item: a.item,
				Start: p.toks[a.from].start, End: p.toks[a.to-1].end,
			}
			if k == 0 {
				ref.Start = start
			}
			refs = append(refs, ref)
			added = true
		}
		if !added {
			continue
		}
		prev, hasPrev = refs[len(refs)-1], true
		prevEnd = end
		lo = end
		i = end - 1
	}
	return refs
}

// isNumStart reports whether r can start a number token.
func isNumStart(r rune) bool { return isASCIIDigit(r) || isCNNumeral(r) }

// numberTokenStart reports whether a number token starting at i is the
// start of a citation without 第: it must begin a maximal number token and
// must not follow a 第 (that form was already tried from the 第).
func (p *parser) numberTokenStart(i, lo int) bool {
	if i == 0 {
		return true
	}
	prev := p.toks[i-1].r
	if isASCIIDigit(prev) || isCNNumeral(prev) || prev == '第' || prev == '之' {
		return false
	}
	j := i - 1
	for j >= lo && p.toks[j].r == ' ' {
		j--
	}
	return j < lo || p.toks[j].r != '第'
}

// article is one article number matched by matchArticles, with the token
// span [from, to) it is reported with.
type article struct {
	article, paragraph, item int
	suffix                   string
	from, to                 int
}

// skipSpaces returns the first index at or after i that is not a space.
func (p *parser) skipSpaces(i int) int {
	for i < len(p.toks) && p.toks[i].r == ' ' {
		i++
	}
	return i
}

// number reads a number token at i (after spaces) and returns its value and
// the index after it. Overlong tokens are read whole and reported as absurd.
func (p *parser) number(i int) (n, next int, ok bool) {
	i = p.skipSpaces(i)
	if i >= len(p.toks) {
		return 0, i, false
	}
	var rs []rune
	j := i
	if isASCIIDigit(p.toks[i].r) {
		for j < len(p.toks) && isASCIIDigit(p.toks[j].r) {
			j++
		}
	} else {
		for j < len(p.toks) && isCNNumeral(p.toks[j].r) {
			j++
		}
	}
	if j == i {
		return 0, i, false
	}
	if j-i > maxNumeralRunes {
		return maxNumber + 1, j, true
	}
	for _, t := range p.toks[i:j] {
		rs = append(rs, t.r)
	}
	v, ok := parseNumeral(rs)
	if !ok {
		return 0, i, false
	}
	return v, j, true
}

// isListSep reports whether r separates article numbers in a list before a
// single 条 ("第1079、1080条", "第36至37条").
func isListSep(r rune) bool {
	switch r {
	case '、', '，', ',', '和', '及', '与', '或', '至', '到', '-', '~', '～', '－', '—', '–':
		return true
	}
	return false
}

// matchArticles matches, at i, an optional 第, one or more article numbers
// and 条, then an optional 之X suffix, 第N款 and 第N项. It returns the
// articles found and the index after the citation.
func (p *parser) matchArticles(i int) ([]article, int, bool) {
	j := i
	if p.toks[j].r == '第' {
		j++
	}
	n, j, ok := p.number(j)
	if !ok {
		return nil, 0, false
	}
	arts := []article{{article: n, from: i, to: j}}
	for len(arts) < maxListLen {
		k := p.skipSpaces(j)
		if k >= len(p.toks) || !isListSep(p.toks[k].r) {
			break
		}
		from := p.skipSpaces(k + 1)
		m := from
		if m < len(p.toks) && p.toks[m].r == '第' {
			m++
		}
		v, next, ok := p.number(m)
		if !ok {
			break
		}
		arts = append(arts, article{article: v, from: from, to: next})
		j = next
	}
	j = p.skipSpaces(j)
	if j >= len(p.toks) || p.toks[j].r != '条' {
		return nil, 0, false
	}
	j++
	last := &arts[len(arts)-1]
	if k := p.skipSpaces(j); k < len(p.toks) && p.toks[k].r == '之' {
		if v, next, ok := p.number(k + 1); ok && v >= 1 && v <= 99 {
			last.suffix = "之" + cnSmall(v)
			j = next
		}
	}
	if v, next, ok := p.subdivision(j, '款', false); ok {
		last.paragraph = v
		j = next
	}
	if v, next, ok := p.subdivision(j, '项', true); ok {
		last.item = v
		j = next
	}
	last.to = j
	return arts, j, true
}

// subdivision matches 第N款 / N款 (unit '款') or 第N项 / （N）项 / 第（N）项
// (unit '项', parens allowed) at i. Numbers outside 1..maxNumber are not
// accepted, so the citation then ends before them.
func (p *parser) subdivision(i int, unit rune, parens bool) (int, int, bool) {
	j := p.skipSpaces(i)
	if j < len(p.toks) && p.toks[j].r == '第' {
		j = p.skipSpaces(j + 1)
	}
	paren := false
	if parens && j < len(p.toks) && p.toks[j].r == '（' {
		paren = true
		j++
	}
	v, j, ok := p.number(j)
	if !ok || v < 1 || v > maxNumber {
		return 0, 0, false
	}
	if paren {
		j = p.skipSpaces(j)
		if j >= len(p.toks) || p.toks[j].r != '）' {
			return 0, 0, false
		}
		j++
	}
	j = p.skipSpaces(j)
	if j >= len(p.toks) || p.toks[j].r != unit {
		return 0, 0, false
	}
	return v, j + 1, true
}

// isConnector reports whether r may stand between two citations that share
// a law ("第1079条和第1080条", "第5条、第6条以及第7条").
func isConnector(r rune) bool {
	switch r {
	case ' ', '和', '与', '及', '以', '或', '者', '至', '到', '还', '有', '跟',
		'、', '，', ',', '；', ';', '/', '-', '~', '～', '－', '—', '–':
		return true
	}
	return false
}

// connectorGap reports whether the tokens in [from, to) are only connectors,
// at most maxGapRunes of them besides spaces.
func (p *parser) connectorGap(from, to int) bool {
	if from < 0 || from > to {
		return false
	}
	n := 0
	for _, t := range p.toks[from:to] {
		if !isConnector(t.r) {
			return false
		}
		if t.r != ' ' {
			n++
		}
	}
	return n <= maxGapRunes
}

// closers maps closing title marks to their opening marks.
var closers = map[rune]rune{'》': '《', '〉': '〈', '>': '<', '”': '“', '」': '「', '』': '『', '"': '"'}

// findLaw looks for a law name that ends just before token i, not reaching
// back before lo. It accepts spaces, a trailing 的 / 中 / 里 and a part
// heading (婚姻家庭编, 总则) between the name and the article. It returns the
// canonical name, the name as written and the index of its first token.
func (p *parser) findLaw(lo, i int) (law, written string, start int, ok bool) {
	k := i - 1
	skip := func() {
		for k >= lo && p.toks[k].r == ' ' {
			k--
		}
	}
	skip()
	if k >= lo && p.toks[k].r == '的' {
		k--
	}
	if k >= lo && (p.toks[k].r == '中' || p.toks[k].r == '里') {
		k--
	}
	skip()
	end := k // last token of the written name, including any part heading
	partStart := -1
	if ps, civil, ok := p.partBefore(lo, k); ok {
		k = ps - 1
		if civil {
			partStart = ps
		}
		skip()
	}
	if k < lo {
		return p.civilPartOnly(partStart, end)
	}
	// A version note between name and article: 公司法（2023年修订）第5条,
	// 刑法修正案（十一）第五条. Canonical drops notes that hold digits.
	note := ""
	if p.toks[k].r == '）' {
		if s, ok := p.bracketed(lo, k, '（'); ok && k-s <= maxNoteRunes {
			note = p.text[p.toks[s].start:p.toks[k].end]
			k = s - 1
			skip()
			if k < lo {
				return p.civilPartOnly(partStart, end)
			}
		}
	}
	if open, ok := closers[p.toks[k].r]; ok {
		if s, ok := p.bracketed(lo, k, open); ok {
			inner := p.text[p.toks[s].end:p.toks[k].start]
			law, ok := Canonical(inner + note)
			if !ok {
				return p.civilPartOnly(partStart, end)
			}
			return law, p.text[p.toks[s].start:p.toks[end].end], s, true
		}
		return p.civilPartOnly(partStart, end)
	}
	m := k
	for m >= lo && k-m < maxNameRunes && unicode.Is(unicode.Han, p.toks[m].r) {
		m--
	}
	run := make([]rune, 0, k-m)
	for _, t := range p.toks[m+1 : k+1] {
		run = append(run, t.r)
	}
	off, ok := nameInRun(run)
	if !ok {
		return p.civilPartOnly(partStart, end)
	}
	s := m + 1 + off
	law, ok = Canonical(string(run[off:]) + note)
	if !ok {
		return p.civilPartOnly(partStart, end)
	}
	return law, p.text[p.toks[s].start:p.toks[end].end], s, true
}

// civilPartOnly handles a 民法典 part heading written without the law name
// ("婚姻家庭编第1079条"): only the 民法典 has those parts. from is the first
// token of the heading, or -1 when there is none.
func (p *parser) civilPartOnly(from, end int) (string, string, int, bool) {
	if from < 0 || from > end {
		return "", "", 0, false
	}
	return "民法典", p.text[p.toks[from].start:p.toks[end].end], from, true
}

// lawPartRunes holds lawParts as rune slices, in the same order.
var lawPartRunes = func() [][]rune {
	out := make([][]rune, len(lawParts))
	for i, p := range lawParts {
		out[i] = []rune(p)
	}
	return out
}()

// partBefore reports whether the tokens ending at k spell a part heading
// such as 婚姻家庭编 or 总则, returning its first index and whether it is a
// part that only the 民法典 has.
func (p *parser) partBefore(lo, k int) (int, bool, bool) {
	for x, rs := range lawPartRunes {
		s := k - len(rs) + 1
		if s < lo {
			continue
		}
		match := true
		for y, r := range rs {
			if p.toks[s+y].r != r {
				match = false
				break
			}
		}
		if match {
			return s, x >= len(lawParts)-len(civilCodeParts), true
		}
	}
	return 0, false, false
}

// bracketed finds the opening mark for the closing mark at k, allowing
// nested marks of the same kind, and returns its index.
func (p *parser) bracketed(lo, k int, open rune) (int, bool) {
	closeR := p.toks[k].r
	depth := 0
	for m := k; m >= lo && k-m <= maxBracketRunes; m-- {
		r := p.toks[m].r
		if open == closeR && m < k && r == open {
			// Straight quotes: the previous one opens.
			if m+1 == k {
				return 0, false
			}
			return m, true
		}
		switch r {
		case closeR:
			depth++
		case open:
			depth--
			if depth == 0 {
				if m+1 == k {
					return 0, false // empty 《》
				}
				return m, true
			}
		case utf8.RuneError:
			return 0, false
		}
	}
	return 0, false
}

// knownNames holds every name recognised without title marks: national laws,
// common regulations, repealed laws and all alias keys and targets.
var knownNames, maxKnownRunes = buildKnownNames()

func buildKnownNames() (map[string]bool, int) {
	m := make(map[string]bool)
	add := func(s string) { m[s] = true }
	for _, s := range nationalLaws {
		add(s)
	}
	for _, s := range commonRegulations {
		add(s)
	}
	for s := range repeals {
		add(s)
	}
	for k, v := range aliases {
		add(k)
		add(v)
	}
	for _, part := range civilCodeParts {
		add("民法典" + part)
	}
	add("刑法修正案")
	add("宪法修正案")
	longest := 0
	for s := range m {
		if n := utf8.RuneCountInString(s); n > longest {
			longest = n
		}
	}
	return m, longest
}

// stopRunes end a guessed law name: particles, pronouns and verbs that
// precede a name in a sentence ("我想问一下XX法", "根据XX条例").
const stopRunes = "的了在按照据依问看查说是和与及或把被让给向从将就也都还又再请这那些么吗呢啊吧呀哦嘛我你他她它们该此其没有要求适引援参于为由上下里中"

// maxPlaceRunes bounds the place name in front of a local regulation.
const maxPlaceRunes = 10

// placeEnds are the last characters of the administrative areas that make
// local regulations (北京市物业管理条例, 广东省…条例, …自治州…条例).
const placeEnds = "省市州县区盟旗"

// localPrefix extends a name that starts at off backwards over a place name
// such as 北京市, so that a local regulation is not mistaken for the
// national law or regulation of the same name. The place name runs back to
// a stop rune and must have at least two characters (本市 and 我省 do not
// count).
func localPrefix(run []rune, off int) (int, bool) {
	if off < 2 || !strings.ContainsRune(placeEnds, run[off-1]) {
		return 0, false
	}
	start := off - 1
	for start > 0 && off-start < maxPlaceRunes && !strings.ContainsRune(stopRunes, run[start-1]) {
		start--
	}
	if off-start < 2 || strings.ContainsRune("本我该此各", run[start]) {
		return 0, false
	}
	return start, true
}

// notLawSuffixes are everyday words ending in 法 that are not law names.
var notLawSuffixes = []string{
	"方法", "做法", "说法", "看法", "想法", "违法", "合法", "非法", "依法", "执法", "司法", "守法",
	"立法", "犯法", "手法", "用法", "写法", "算法", "语法", "没办法", "有办法", "想办法",
}

// nameInRun picks the law name at the end of a run of Han characters and
// returns the offset where it starts. It prefers the longest known name
// (extended by a directly preceding 中华人民共和国), then a name starting at
// 中华人民共和国, then a guess for names ending in 法 or 条例.
func nameInRun(run []rune) (int, bool) {
	prefix := []rune(statePrefix)
	withPrefix := func(off int) int {
		if off >= len(prefix) && string(run[off-len(prefix):off]) == statePrefix {
			return off - len(prefix)
		}
		return off
	}
	for n := min(len(run), maxKnownRunes); n >= 2; n-- {
		if knownNames[string(run[len(run)-n:])] {
			off := len(run) - n
			if o, ok := localPrefix(run, off); ok {
				return o, true
			}
			return withPrefix(off), true
		}
	}
	s := string(run)
	if idx := strings.LastIndex(s, statePrefix); idx >= 0 && len(s)-idx > len(statePrefix) {
		return utf8.RuneCountInString(s[:idx]), true
	}
	if !strings.HasSuffix(s, "法") && !strings.HasSuffix(s, "条例") {
		return 0, false
	}
	off := 0
	for x := len(run) - 2; x >= 0; x-- {
		if strings.ContainsRune(stopRunes, run[x]) {
			off = x + 1
			break
		}
	}
	name := string(run[off:])
	if len(run)-off < 3 {
		return 0, false
	}
	for _, w := range notLawSuffixes {
		if strings.HasSuffix(name, w) {
			return 0, false
		}
	}
	return off, true
}

// Known reports whether name (as written, without title marks) is a law or
// regulation name recognised without title marks: a national law, a common
// regulation, a repealed law or an alias (劳动法, 消法, 婚姻法).
func Known(name string) bool {
	return knownNames[name]
}

// MaxKnownRunes is the length in runes of the longest name Known accepts.
func MaxKnownRunes() int { return maxKnownRunes }
