package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// isZeroWidth reports invisible characters that are dropped from the text.
func isZeroWidth(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return false
}

// isSpace reports any Unicode space (U+3000, U+00A0, U+2002, tabs, …).
func isSpace(r rune) bool {
	return r == ' ' || unicode.IsSpace(r)
}

// normalizeLine maps every space to an ASCII space, collapses runs, trims
// the ends, drops zero-width characters and replaces the look-alike 笫 by 第.
func normalizeLine(s string) string {
	if lineIsNormal(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	pending := false
	for _, r := range s {
		switch {
		case isZeroWidth(r):
			continue
		case isSpace(r) || r < ' ' || r == 0x7f:
			pending = b.Len() > 0
			continue
		case r == '笫':
			r = '第'
		}
		if pending {
			b.WriteByte(' ')
			pending = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// lineIsNormal reports whether normalizeLine would return s unchanged.
func lineIsNormal(s string) bool {
	prevSpace := true // also rejects a leading space
	for _, r := range s {
		if r == ' ' {
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		}
		prevSpace = false
		if r < ' ' || r == 0x7f || r == '笫' || r == utf8.RuneError {
			return false
		}
		if r >= 0x80 && (isZeroWidth(r) || unicode.IsSpace(r)) {
			return false
		}
	}
	return !prevSpace || s == ""
}

// isHan reports CJK ideographs and CJK punctuation, between which spaces
// carry no meaning in headings.
func isHan(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// joinHan removes the spaces between two CJK characters ("总 则" → "总则",
// "肖 像 权" → "肖像权") in an already normalised string.
func joinHan(s string) string {
	if !strings.Contains(s, " ") {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range rs {
		if r == ' ' && i > 0 && i+1 < len(rs) && isHan(rs[i-1]) && isHan(rs[i+1]) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// NormalizeTitle reduces a law name to a key for matching names typed by
// people or found in labelled data: it drops all spaces, the brackets
// 《》〈〉<>, the prefix "中华人民共和国" (also right after an opening
// bracket, so that "关于适用《民事诉讼法》的解释" matches the official
// "关于适用《中华人民共和国民事诉讼法》的解释"), unifies （） to () and maps
// full-width digits to ASCII.
func NormalizeTitle(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	atStart := true // at the start of the name or right after an opening bracket
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if atStart && strings.HasPrefix(s[i:], chinaPrefix) {
			i += len(chinaPrefix)
			atStart = false
			continue
		}
		i += w
		switch {
		case isSpace(r) || isZeroWidth(r):
			continue
		case r == '《' || r == '〈' || r == '<':
			atStart = true
			continue
		case r == '》' || r == '〉' || r == '>':
			continue
		case r == '（':
			r = '('
		case r == '）':
			r = ')'
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r == '笫':
			r = '第'
		}
		atStart = false
		b.WriteRune(r)
	}
	return b.String()
}
