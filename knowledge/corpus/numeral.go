package corpus

import (
	"strconv"
	"strings"
)

// maxDigits bounds the length of an Arabic-digit number accepted by
// ParseNumber so that the result cannot overflow.
const maxDigits = 9

// cnDigits maps the Chinese digits 0..9 to their characters.
var cnDigits = [10]string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}

// digitValue returns the value of an ASCII or full-width decimal digit, or -1.
func digitValue(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= '０' && r <= '９':
		return int(r - '０')
	}
	return -1
}

// cnDigitValue returns the value of a Chinese digit (零〇一…九两), or -1.
func cnDigitValue(r rune) int {
	switch r {
	case '零', '〇':
		return 0
	case '一':
		return 1
	case '二', '两':
		return 2
	case '三':
		return 3
	case '四':
		return 4
	case '五':
		return 5
	case '六':
		return 6
	case '七':
		return 7
	case '八':
		return 8
	case '九':
		return 9
	}
	return -1
}

// cnUnitValue returns the value of the Chinese units 十, 百 and 千, or 0.
func cnUnitValue(r rune) int {
	switch r {
	case '十':
		return 10
	case '百':
		return 100
	case '千':
		return 1000
	}
	return 0
}

// ParseNumber parses a Chinese numeral ("十二", "一千零七十九", "两百",
// "三万零五") or a run of ASCII or full-width digits ("1079", "１０７９").
// It reports false for anything else, including empty strings, mixed
// scripts, digit-by-digit Chinese forms such as "一〇七九" and colloquial
// abbreviations whose value is ambiguous ("一百五"). Values up to
// 99,999,999 are supported.
func ParseNumber(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n, digits, ok := 0, 0, true
	for _, r := range s {
		d := digitValue(r)
		if d < 0 {
			ok = false
			break
		}
		digits++
		if digits > maxDigits {
			return 0, false
		}
		n = n*10 + d
	}
	if ok {
		return n, true
	}
	return parseChinese(s)
}

// parseChinese parses a Chinese numeral with at most one 万.
func parseChinese(s string) (int, bool) {
	if s == "零" || s == "〇" {
		return 0, true
	}
	var (
		high     int  // value already multiplied by 万
		section  int  // value of the current group below 万
		digit    = -1 // pending digit not yet multiplied by a unit
		lastUnit int  // last unit used in the current group, 0 if none
		zero     bool // a 零 is waiting for its digit
		zeroUsed bool // the pending digit was introduced by 零
		afterWan bool // the current group follows a 万
		seen     bool // a digit or unit has been seen in the current group
	)
	// finish validates and adds the pending digit of the current group.
	finish := func() bool {
		if zero {
			return false // trailing 零
		}
		if digit < 0 {
			return true
		}
		// A bare final digit is only unambiguous after 十, after 零 or as
		// the whole group: "二十五", "一百零五", "五" but not "一百五".
		if !(lastUnit == 10 || zeroUsed || (lastUnit == 0 && !afterWan)) {
			return false
		}
		section += digit
		digit = -1
		return true
	}
	for _, r := range s {
		switch d := cnDigitValue(r); {
		case d == 0:
			if digit >= 0 || zero || (lastUnit == 0 && !afterWan) {
				return 0, false
			}
			zero = true
		case d > 0:
			if digit >= 0 {
				return 0, false
			}
			digit = d
			zeroUsed = zero
			zero = false
			seen = true
		case cnUnitValue(r) > 0:
			u := cnUnitValue(r)
			if digit < 0 {
				// A bare 十 opens a number: "十", "十二", "十万".
				if u != 10 || lastUnit != 0 || zero || afterWan {
					return 0, false
				}
				digit = 1
			}
			if lastUnit != 0 && u >= lastUnit {
				return 0, false
			}
			section += digit * u
			digit, lastUnit, zeroUsed, seen = -1, u, false, true
		case r == '万':
			if afterWan || !seen || !finish() || section == 0 {
				return 0, false
			}
			high = section * 10000
			section, lastUnit, zeroUsed, afterWan, seen = 0, 0, false, true, false
		default:
			return 0, false
		}
	}
	if !finish() {
		return 0, false
	}
	if !afterWan && !seen {
		return 0, false
	}
	return high + section, true
}

// FormatNumber writes n as a Chinese numeral: 1079 → "一千零七十九",
// 10 → "十", 110 → "一百一十", 0 → "零". Values from 0 to 99,999,999 are
// written in Chinese; anything else falls back to Arabic digits.
func FormatNumber(n int) string {
	if n < 0 || n > 99999999 {
		return strconv.Itoa(n)
	}
	if n == 0 {
		return cnDigits[0]
	}
	var b strings.Builder
	hi, lo := n/10000, n%10000
	if hi > 0 {
		formatGroup(&b, hi, true)
		b.WriteString("万")
		if lo > 0 {
			if lo < 1000 {
				b.WriteString(cnDigits[0])
			}
			formatGroup(&b, lo, false)
		}
		return b.String()
	}
	formatGroup(&b, lo, true)
	return b.String()
}

// formatGroup writes v (1..9999). leading reports whether the group opens
// the number, in which case 10..19 are written "十…" rather than "一十…".
func formatGroup(b *strings.Builder, v int, leading bool) {
	units := [4]string{"千", "百", "十", ""}
	started, zero := false, false
	for i, p := range [4]int{1000, 100, 10, 1} {
		d := v / p % 10
		if d == 0 {
			if started {
				zero = true
			}
			continue
		}
		if zero {
			b.WriteString(cnDigits[0])
			zero = false
		}
		if !(leading && !started && p == 10 && d == 1) {
			b.WriteString(cnDigits[d])
		}
		b.WriteString(units[i])
		started = true
	}
}

// ArticleLabel returns the label of an article with the given number and
// suffix, e.g. ArticleLabel(133, "之一") == "第一百三十三条之一".
func ArticleLabel(number int, suffix string) string {
	return "第" + FormatNumber(number) + "条" + suffix
}

// suffixLabel returns the article suffix for index k: "" for 0, "之一" for 1.
func suffixLabel(k int) string {
	if k <= 0 {
		return ""
	}
	return "之" + FormatNumber(k)
}

// suffixIndex returns k for the suffix "之k" ("" → 0), or -1 when the suffix
// is not of that form.
func suffixIndex(s string) int {
	if s == "" {
		return 0
	}
	rest, ok := strings.CutPrefix(s, "之")
	if !ok {
		return -1
	}
	k, ok := ParseNumber(rest)
	if !ok || k <= 0 {
		return -1
	}
	return k
}
