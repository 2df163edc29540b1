package bot

import (
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// Telegram's limits, in UTF-16 code units (what Telegram counts).
const (
	maxMessageLen  = 4096
	maxCaptionLen  = 1024
	maxQuestionLen = 1000 // runes of a question kept or shown to staff
)

// esc escapes text for Telegram's HTML parse mode, so that nothing a
// resident writes ever becomes markup.
func esc(s string) string { return html.EscapeString(s) }

// utf16Len is the length of s as Telegram counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// isInvisibleControl reports whether r is a control or formatting
// character that must not reach the search engine or a rendered message:
// C0/C1 controls (except newline and tab), bidirectional overrides and
// marks, and the byte-order mark.
func isInvisibleControl(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r == 0xfeff:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// cleanText makes user input safe to process: valid UTF-8, no control or
// direction-override characters, Windows line ends folded, tabs as
// spaces, blank lines squeezed, and surrounding space trimmed.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if isInvisibleControl(r) {
			continue
		}
		if r == '\t' {
			r = ' '
		}
		b.WriteRune(r)
	}
	lines := strings.Split(b.String(), "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			if blank || len(out) == 0 {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// hasWords reports whether s contains a letter or a digit (Chinese
// characters are letters), as opposed to only emoji and punctuation.
func hasWords(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// truncate shortens s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// oneLine folds newlines into spaces, for quoting text inside one line of
// a message.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// splitHTML splits an HTML message into parts of at most limit UTF-16
// units, cutting at paragraph boundaries when it can, then at line ends,
// then after sentence punctuation, and only as a last resort inside a
// line. A cut never splits a tag or an entity, and markup that spans a cut
// (staff formatting over several paragraphs, a long bold line) is closed
// at the end of one part and opened again at the start of the next, so
// every part is well-formed. The added tags do not count against
// Telegram's limit, which is on the text without markup.
func splitHTML(s string, limit int) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if utf16Len(s) <= limit {
		return []string{s}
	}
	var pieces []string
	for _, para := range strings.Split(s, "\n\n") {
		pieces = append(pieces, splitPiece(para, limit, 0)...)
	}
	return balanceTags(pack(pieces, limit))
}

// balanceTags closes, at the end of each part, the tags left open in it,
// and opens them again (with their attributes) at the start of the next.
func balanceTags(parts []string) []string {
	type tag struct{ name, open string }
	var stack []tag
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		var b strings.Builder
		for _, t := range stack {
			b.WriteString(t.open)
		}
		b.WriteString(p)
		for rest := p; ; {
			lt := strings.IndexByte(rest, '<')
			if lt < 0 {
				break
			}
			gt := strings.IndexByte(rest[lt:], '>')
			if gt < 0 {
				break
			}
			raw := rest[lt : lt+gt+1]
			rest = rest[lt+gt+1:]
			inner := raw[1 : len(raw)-1]
			if closing, ok := strings.CutPrefix(inner, "/"); ok {
				name := strings.ToLower(strings.TrimSpace(closing))
				if n := len(stack); n > 0 && stack[n-1].name == name {
					stack = stack[:n-1]
				}
				continue
			}
			name := inner
			if k := strings.IndexAny(inner, " \t\n/"); k >= 0 {
				name = inner[:k]
			}
			stack = append(stack, tag{name: strings.ToLower(name), open: raw})
		}
		for i := len(stack) - 1; i >= 0; i-- {
			b.WriteString("</" + stack[i].name + ">")
		}
		out = append(out, b.String())
	}
	return out
}

// separators, from the most to the least natural place to cut.
// Paragraphs ("\n\n") are split by the caller.
var separators = []string{"\n", "。", "；", "！", "？", "，", " "}

// splitPiece returns s unchanged if it fits, else pieces of it that fit,
// each joined back to the next with the separator that ended it.
func splitPiece(s string, limit, level int) []string {
	if utf16Len(s) <= limit {
		return []string{s}
	}
	if level >= len(separators) {
		return hardCut(s, limit)
	}
	parts := mergeInsideTags(strings.SplitAfter(s, separators[level]))
	if len(parts) == 1 {
		return splitPiece(s, limit, level+1)
	}
	var out []string
	for _, p := range parts {
		if p == "" {
			continue
		}
		out = append(out, splitPiece(p, limit, level+1)...)
	}
	// Re-pack the small pieces of this level into lines that fit.
	var packed []string
	cur := ""
	for _, p := range out {
		if cur != "" && utf16Len(cur)+utf16Len(p) > limit {
			packed = append(packed, cur)
			cur = ""
		}
		cur += p
	}
	if cur != "" {
		packed = append(packed, cur)
	}
	return packed
}

// mergeInsideTags joins back pieces cut inside a tag (the space in
// <a href="…">, a comma in a link), so a separator only cuts text.
func mergeInsideTags(parts []string) []string {
	out := parts[:0]
	cur := ""
	for _, p := range parts {
		cur += p
		if strings.LastIndexByte(cur, '<') > strings.LastIndexByte(cur, '>') {
			continue
		}
		out = append(out, cur)
		cur = ""
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// hardCut cuts s into pieces that fit, never inside a tag or an entity.
func hardCut(s string, limit int) []string {
	var out []string
	for utf16Len(s) > limit {
		n, cut := 0, 0
		for i, r := range s {
			w := 1
			if r >= 0x10000 {
				w = 2
			}
			if n+w > limit {
				break
			}
			n += w
			cut = i + utf8.RuneLen(r)
		}
		head := s[:cut]
		// Back off out of an unfinished tag or entity.
		if lt := strings.LastIndexByte(head, '<'); lt > strings.LastIndexByte(head, '>') && lt > 0 {
			cut = lt
		} else if amp := strings.LastIndexByte(head, '&'); amp > strings.LastIndexByte(head, ';') && amp > 0 {
			cut = amp
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// pack joins paragraph pieces back together, blank line between, into as
// few parts under limit as possible.
func pack(pieces []string, limit int) []string {
	var out []string
	cur := ""
	for _, p := range pieces {
		p = strings.TrimRight(p, "\n")
		if strings.TrimSpace(p) == "" {
			continue
		}
		if cur == "" {
			cur = p
			continue
		}
		if utf16Len(cur)+2+utf16Len(p) <= limit {
			cur += "\n\n" + p
			continue
		}
		out = append(out, strings.TrimSpace(cur))
		cur = p
	}
	if strings.TrimSpace(cur) != "" {
		out = append(out, strings.TrimSpace(cur))
	}
	return out
}

// entityTags maps the formatting entities staff may use to HTML tags.
var entityTags = map[models.MessageEntityType][2]string{
	models.MessageEntityTypeBold:                 {"<b>", "</b>"},
	models.MessageEntityTypeItalic:               {"<i>", "</i>"},
	models.MessageEntityTypeUnderline:            {"<u>", "</u>"},
	models.MessageEntityTypeStrikethrough:        {"<s>", "</s>"},
	models.MessageEntityTypeSpoiler:              {"<tg-spoiler>", "</tg-spoiler>"},
	models.MessageEntityTypeCode:                 {"<code>", "</code>"},
	models.MessageEntityTypePre:                  {"<pre>", "</pre>"},
	models.MessageEntityTypeBlockquote:           {"<blockquote>", "</blockquote>"},
	models.MessageEntityTypeExpandableBlockquote: {"<blockquote expandable>", "</blockquote>"},
	models.MessageEntityTypeTextLink:             {"", "</a>"},
}

// entitiesToHTML renders a message written in a Telegram client (text and
// its formatting entities) as HTML, starting at UTF-16 offset from (to
// skip a leading command). Formatting that cannot be expressed as nested
// tags is dropped and the text kept.
func entitiesToHTML(text string, entities []models.MessageEntity, from int) string {
	units := utf16.Encode([]rune(text))
	if from > len(units) {
		from = len(units)
	}
	type span struct {
		start, end int
		open, shut string
	}
	var spans []span
	for _, e := range entities {
		tags, ok := entityTags[e.Type]
		if !ok {
			continue
		}
		start, end := e.Offset, e.Offset+e.Length
		if start < from {
			start = from
		}
		if end > len(units) {
			end = len(units)
		}
		if start >= end {
			continue
		}
		open := tags[0]
		if e.Type == models.MessageEntityTypeTextLink {
			if !safeLink(e.URL) {
				continue
			}
			open = `<a href="` + esc(e.URL) + `">`
		}
		spans = append(spans, span{start, end, open, tags[1]})
	}
	sort.SliceStable(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end > spans[j].end
	})
	// Keep only properly nested spans.
	var kept []span
	var stack []span
	for _, s := range spans {
		for len(stack) > 0 && stack[len(stack)-1].end <= s.start {
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && s.end > stack[len(stack)-1].end {
			continue // crosses its parent
		}
		stack = append(stack, s)
		kept = append(kept, s)
	}
	var b strings.Builder
	var open []span
	pos := from
	flush := func(to int) {
		if to > pos {
			b.WriteString(esc(string(utf16.Decode(units[pos:to]))))
			pos = to
		}
	}
	closeUntil := func(at int) {
		for len(open) > 0 && open[len(open)-1].end <= at {
			flush(open[len(open)-1].end)
			b.WriteString(open[len(open)-1].shut)
			open = open[:len(open)-1]
		}
	}
	for _, s := range kept {
		closeUntil(s.start)
		flush(s.start)
		b.WriteString(s.open)
		open = append(open, s)
	}
	closeUntil(len(units))
	flush(len(units))
	return strings.TrimSpace(b.String())
}

// safeLink accepts the link schemes worth sending to residents.
func safeLink(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "tg://")
}

// utf16Slice returns the part of s between two UTF-16 offsets (as
// Telegram's entities give them); out-of-range offsets are clamped.
func utf16Slice(s string, start, end int) string {
	units := utf16.Encode([]rune(s))
	start = max(0, min(start, len(units)))
	end = max(start, min(end, len(units)))
	return string(utf16.Decode(units[start:end]))
}

// removeUTF16 removes the UTF-16 ranges [start, end) from s.
func removeUTF16(s string, ranges [][2]int) string {
	if len(ranges) == 0 {
		return s
	}
	units := utf16.Encode([]rune(s))
	drop := make([]bool, len(units))
	for _, r := range ranges {
		for i := max(0, r[0]); i < min(r[1], len(units)); i++ {
			drop[i] = true
		}
	}
	kept := units[:0:0]
	for i, u := range units {
		if !drop[i] {
			kept = append(kept, u)
		}
	}
	return string(utf16.Decode(kept))
}
