package knowledge

import "unicode/utf8"

// snippet returns about width runes of text around the densest run of the
// query's terms, with an ellipsis where text was cut.
func snippet(text string, terms []string, width int) string {
	runes := []rune(text)
	if len(runes) <= width {
		return text
	}
	if len(terms) == 0 {
		return string(runes[:width]) + "…"
	}
	// Mark every rune covered by a query term.
	hit := make([]bool, len(runes))
	byteToRune := make([]int, len(text)+1)
	ri := 0
	for bi := range text {
		byteToRune[bi] = ri
		ri++
	}
	byteToRune[len(text)] = ri
	for _, t := range terms {
		if utf8.RuneCountInString(t) < 2 && len(t) < 2 {
			continue
		}
		for from := 0; ; {
			i := indexFrom(text, t, from)
			if i < 0 {
				break
			}
			s, e := byteToRune[i], byteToRune[i+len(t)]
			for k := s; k < e; k++ {
				hit[k] = true
			}
			from = i + len(t)
		}
	}
	// Slide a window of width runes; keep the one covering most hits.
	best, bestStart, cur := -1, 0, 0
	for i := 0; i < len(runes); i++ {
		if hit[i] {
			cur++
		}
		if i >= width && hit[i-width] {
			cur--
		}
		if i >= width-1 && cur > best {
			best, bestStart = cur, i-width+1
		}
	}
	// Start at a sentence boundary shortly before the window when one is near.
	for k := bestStart; k > 0 && bestStart-k < 20; k-- {
		if r := runes[k-1]; r == '。' || r == '；' || r == '\n' || r == '：' {
			bestStart = k
			break
		}
	}
	end := bestStart + width
	if end > len(runes) {
		end = len(runes)
	}
	s := string(runes[bestStart:end])
	if bestStart > 0 {
		s = "…" + s
	}
	if end < len(runes) {
		s += "…"
	}
	return s
}

func indexFrom(s, sub string, from int) int {
	if from >= len(s) {
		return -1
	}
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
