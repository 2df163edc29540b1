//lint:file-ignore ST1005 the error texts are Telegram's own, which clients show and match on

package telegramtest

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf16"
)

// htmlTags are the tags Telegram accepts with parse_mode HTML.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
}

// parseHTML checks text the way Telegram does for parse_mode HTML and
// returns the visible text. Unknown or unbalanced tags and a bare "<" are
// errors, as in Telegram; a bare "&" is taken literally.
func parseHTML(text string) (string, error) {
	var plain strings.Builder
	var stack []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("Unclosed start tag at byte offset %d", i)
			}
			tag := text[i+1 : i+end]
			if closing, ok := strings.CutPrefix(tag, "/"); ok {
				name := strings.ToLower(strings.TrimSpace(closing))
				if len(stack) == 0 {
					return "", fmt.Errorf("Unexpected end tag at byte offset %d", i)
				}
				if top := stack[len(stack)-1]; name != top {
					return "", fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top, name)
				}
				stack = stack[:len(stack)-1]
			} else {
				name := tag
				if k := strings.IndexAny(tag, " \t\n/"); k >= 0 {
					name = tag[:k]
				}
				name = strings.ToLower(name)
				if name == "" || !htmlTags[name] {
					return "", fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, i)
				}
				stack = append(stack, name)
			}
			i += end + 1
		case '&':
			semi := strings.IndexByte(text[i:], ';')
			if semi > 1 && semi <= 10 {
				ent := text[i : i+semi+1]
				if dec := html.UnescapeString(ent); dec != ent {
					plain.WriteString(dec)
					i += semi + 1
					continue
				}
			}
			plain.WriteByte('&')
			i++
		default:
			plain.WriteByte(text[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])
	}
	return plain.String(), nil
}

// utf16Len is the length Telegram measures: UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
