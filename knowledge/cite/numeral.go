package cite

// maxNumber is the largest article, paragraph or item number accepted; larger
// numbers are treated as noise (the longest national law, the 民法典, has 1260
// articles).
const maxNumber = 5000

// maxNumeralRunes bounds the length of a number token so that parsing can
// never overflow.
const maxNumeralRunes = 12

// cnDigit maps Chinese digit characters to their values.
var cnDigit = map[rune]int{
	'零': 0, '〇': 0,
	'一': 1, '二': 2, '两': 2, '三': 3, '四': 4,
	'五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

// cnUnit maps Chinese unit characters below 万 to their values.
var cnUnit = map[rune]int{'十': 10, '百': 100, '千': 1000}

// isCNNumeral reports whether r can be part of a Chinese numeral.
func isCNNumeral(r rune) bool {
	if _, ok := cnDigit[r]; ok {
		return true
	}
	_, ok := cnUnit[r]
	return ok || r == '万'
}

// isASCIIDigit reports whether r is 0-9. Full-width digits are folded to
// ASCII before this is called.
func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

// parseNumeral parses a number written in ASCII digits or in Chinese
// numerals: 一千零七十九, 二十, 十一, 两百, and the digit-by-digit form 一〇七九.
// Mixed forms are rejected. It returns false for empty, malformed or
// overlong input; callers apply the maxNumber limit themselves.
func parseNumeral(rs []rune) (int, bool) {
	if len(rs) == 0 || len(rs) > maxNumeralRunes {
		return 0, false
	}
	if isASCIIDigit(rs[0]) {
		n := 0
		for _, r := range rs {
			if !isASCIIDigit(r) {
				return 0, false
			}
			n = n*10 + int(r-'0')
		}
		return n, true
	}
	hasUnit := false
	for _, r := range rs {
		if !isCNNumeral(r) {
			return 0, false
		}
		if _, ok := cnDigit[r]; !ok {
			hasUnit = true
		}
	}
	if !hasUnit {
		// Digit-by-digit form such as 一〇七九; a lone 两 is fine, but 两
		// is not used positionally.
		n := 0
		for _, r := range rs {
			if r == '两' && len(rs) > 1 {
				return 0, false
			}
			n = n*10 + cnDigit[r]
		}
		return n, true
	}
	total, section, digit := 0, 0, 0
	haveDigit := false // a non-zero digit is waiting for its unit
	for _, r := range rs {
		if d, ok := cnDigit[r]; ok {
			if d != 0 && haveDigit {
				return 0, false // two digits in a row: 一二十
			}
			digit, haveDigit = d, d != 0
			continue
		}
		if u, ok := cnUnit[r]; ok {
			if !haveDigit {
				// Only 十 may stand without a digit (十五, 一百一十 / 一百十).
				if u != 10 {
					return 0, false
				}
				digit = 1
			}
			section += digit * u
			digit, haveDigit = 0, false
			continue
		}
		// 万
		section += digit
		if section == 0 {
			return 0, false
		}
		total += section * 10000
		section, digit, haveDigit = 0, 0, false
	}
	return total + section + digit, true
}

// cnSmall formats 1..99 as a Chinese numeral (一, 十, 十一, 二十一).
func cnSmall(n int) string {
	digits := []rune("零一二三四五六七八九")
	switch {
	case n <= 0 || n > 99:
		return ""
	case n < 10:
		return string(digits[n])
	case n == 10:
		return "十"
	case n < 20:
		return "十" + string(digits[n-10])
	case n%10 == 0:
		return string(digits[n/10]) + "十"
	default:
		return string(digits[n/10]) + "十" + string(digits[n%10])
	}
}
