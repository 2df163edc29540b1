package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

func TestCleanText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  离婚怎么办  ", "离婚怎么办"},
		{"离\x00婚\x07\x1b\x7f\u0085", "离婚"},
		{"\u202e\u200f离婚\u2066\u2069\ufeff", "离婚"},
		{"a\r\nb\rc", "a\nb\nc"},
		{"a\t\tb", "a  b"},
		{"第一段\n\n\n\n第二段\n", "第一段\n\n第二段"},
		{"\n\n  \n开头", "开头"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
	} {
		if got := cleanText(tc.in); got != tc.want {
			t.Errorf("cleanText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHasWords(t *testing.T) {
	for s, want := range map[string]bool{"离婚": true, "abc": true, "1079": true, "😀🙏": false, "？！…": false, "": false, "👍 好": true} {
		if got := hasWords(s); got != want {
			t.Errorf("hasWords(%q) = %v", s, got)
		}
	}
}

func TestSplitHTML(t *testing.T) {
	para := func(c string, n int) string { return strings.Repeat(c, n) }
	t.Run("short text is one part", func(t *testing.T) {
		if got := splitHTML("<b>一</b>\n\n二", 100); len(got) != 1 {
			t.Fatalf("%q", got)
		}
	})
	t.Run("paragraph boundaries", func(t *testing.T) {
		s := para("甲", 60) + "\n\n" + para("乙", 60) + "\n\n" + para("丙", 30)
		got := splitHTML(s, 100)
		want := []string{para("甲", 60), para("乙", 60) + "\n\n" + para("丙", 30)}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("long paragraph at lines, then sentences", func(t *testing.T) {
		line := para("字", 30) + "。" + para("词", 30) + "。"
		s := line + "\n" + line + "\n" + line
		got := splitHTML(s, 70)
		if strings.Join(got, "") != strings.ReplaceAll(s, "\n", "") && strings.Join(got, "\n") != s {
			// Lines may be re-joined with or without their newline.
			joined := strings.ReplaceAll(strings.Join(got, ""), "\n", "")
			if joined != strings.ReplaceAll(s, "\n", "") {
				t.Fatalf("text changed: %q", got)
			}
		}
		for _, p := range got {
			if utf16Len(p) > 70 {
				t.Fatalf("part of %d units: %q", utf16Len(p), p)
			}
			if !strings.HasSuffix(strings.TrimSpace(p), "。") {
				t.Errorf("part does not end at a sentence: %q", p)
			}
		}
	})
	t.Run("hard cut never splits an entity or tag, nor a surrogate pair", func(t *testing.T) {
		s := strings.Repeat("ab&amp;cd😀<b>x</b>", 50)
		for limit := 10; limit < 40; limit++ {
			got := splitHTML(s, limit)
			if stripTags(strings.Join(got, "")) != stripTags(s) {
				t.Fatalf("limit %d: text changed", limit)
			}
			for _, p := range got {
				if utf16Len(stripTags(p)) > limit || !utf8.ValidString(p) {
					t.Fatalf("limit %d: bad part %q", limit, p)
				}
				if i := strings.LastIndexByte(p, '&'); i >= 0 && !strings.Contains(p[i:], ";") {
					t.Fatalf("limit %d: entity cut: %q", limit, p)
				}
				if i := strings.LastIndexByte(p, '<'); i >= 0 && !strings.Contains(p[i:], ">") {
					t.Fatalf("limit %d: tag cut: %q", limit, p)
				}
				mustBalance(t, p)
			}
		}
	})
	t.Run("markup spanning a cut is closed and reopened", func(t *testing.T) {
		// Staff formatting: a link and bold over several paragraphs, and
		// a long bold line that has to be cut inside.
		s := `<a href="https://example.org/?a=1&amp;b=2"><b>` + para("甲", 60) + "\n\n" + para("乙", 60) + "</b></a>\n\n<i>" + para("丙", 250) + "</i>"
		got := splitHTML(s, 100)
		if len(got) < 4 {
			t.Fatalf("want several parts, got %q", got)
		}
		if squeeze(stripTags(strings.Join(got, ""))) != squeeze(stripTags(s)) {
			t.Fatalf("text changed: %q", got)
		}
		for _, p := range got {
			mustBalance(t, p)
			if utf16Len(stripTags(p)) > 100 {
				t.Fatalf("part of %d visible units: %q", utf16Len(stripTags(p)), p)
			}
		}
		if !strings.HasPrefix(got[1], `<a href="https://example.org/?a=1&amp;b=2"><b>`) {
			t.Fatalf("second part does not reopen the link and bold: %q", got[1])
		}
	})
	t.Run("4096 limit with astral characters", func(t *testing.T) {
		s := strings.Repeat("😀", 5000) // 10000 UTF-16 units
		for _, p := range splitHTML(s, maxMessageLen) {
			if utf16Len(p) > maxMessageLen {
				t.Fatalf("part of %d units", utf16Len(p))
			}
		}
	})
}

func TestEntitiesToHTML(t *testing.T) {
	e := func(typ models.MessageEntityType, off, n int) models.MessageEntity {
		return models.MessageEntity{Type: typ, Offset: off, Length: n}
	}
	for _, tc := range []struct {
		name     string
		text     string
		entities []models.MessageEntity
		from     int
		want     string
	}{
		{"plain text is escaped", "a<b>&c", nil, 0, "a&lt;b&gt;&amp;c"},
		{"bold", "注意安全", []models.MessageEntity{e(models.MessageEntityTypeBold, 0, 2)}, 0, "<b>注意</b>安全"},
		{"nested", "abcdef", []models.MessageEntity{e(models.MessageEntityTypeBold, 0, 6), e(models.MessageEntityTypeItalic, 2, 2)}, 0, "<b>ab<i>cd</i>ef</b>"},
		{"same start, outer first", "abcd", []models.MessageEntity{e(models.MessageEntityTypeItalic, 0, 2), e(models.MessageEntityTypeBold, 0, 4)}, 0, "<b><i>ab</i>cd</b>"},
		{"crossing is dropped", "abcdef", []models.MessageEntity{e(models.MessageEntityTypeBold, 0, 4), e(models.MessageEntityTypeItalic, 2, 4)}, 0, "<b>abcd</b>ef"},
		{"offsets count UTF-16", "😀好人", []models.MessageEntity{e(models.MessageEntityTypeBold, 2, 1)}, 0, "😀<b>好</b>人"},
		{"link", "点这里", []models.MessageEntity{{Type: models.MessageEntityTypeTextLink, Offset: 0, Length: 3, URL: `https://x.cn/?a=1&b="2"`}}, 0, `<a href="https://x.cn/?a=1&amp;b=&#34;2&#34;">点这里</a>`},
		{"unsafe link dropped", "点这里", []models.MessageEntity{{Type: models.MessageEntityTypeTextLink, Offset: 0, Length: 3, URL: "javascript:x"}}, 0, "点这里"},
		{"unknown entities ignored", "@someone #tag", []models.MessageEntity{e(models.MessageEntityTypeMention, 0, 8), e(models.MessageEntityTypeHashtag, 9, 4)}, 0, "@someone #tag"},
		{"skip a command", "/broadcast <b>粗</b>", []models.MessageEntity{e(models.MessageEntityTypeBotCommand, 0, 10), e(models.MessageEntityTypeBold, 11, 8)}, 11, "<b>&lt;b&gt;粗&lt;/b&gt;</b>"},
		{"entity past the end is clamped", "ab", []models.MessageEntity{e(models.MessageEntityTypeBold, 1, 50)}, 0, "a<b>b</b>"},
		{"negative length ignored", "ab", []models.MessageEntity{e(models.MessageEntityTypeBold, 1, -3)}, 0, "ab"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := entitiesToHTML(tc.text, tc.entities, tc.from); got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		want command
	}{
		{"/start", true, command{name: "start", argOff: 6}},
		{"/Close 12", true, command{name: "close", arg: "12", argOff: 7}},
		{"/ask@Pufa_Bot  借钱不还\n怎么办", true, command{name: "ask", target: "Pufa_Bot", arg: "借钱不还\n怎么办", argOff: 15}},
		{"/broadcast\n第一行", true, command{name: "broadcast", arg: "第一行", argOff: 11}},
		{"/", false, command{}},
		{"/命令", false, command{}},
		{"不是命令 /start", false, command{}},
		{"/" + strings.Repeat("a", 33), false, command{}},
	} {
		got, ok := parseCommand(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseCommand(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate("一二三四五", 3); got != "一二…" {
		t.Fatalf("got %q", got)
	}
	if got := truncate("一二", 3); got != "一二" {
		t.Fatalf("got %q", got)
	}
}

// stripTags returns the text of HTML without its tags.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mustBalance fails unless every tag in s is closed, in order.
func mustBalance(t *testing.T, s string) {
	t.Helper()
	var stack []string
	for rest := s; ; {
		lt := strings.IndexByte(rest, '<')
		if lt < 0 {
			break
		}
		gt := strings.IndexByte(rest[lt:], '>')
		if gt < 0 {
			t.Fatalf("unclosed tag in %q", s)
		}
		tag := rest[lt+1 : lt+gt]
		rest = rest[lt+gt+1:]
		if name, ok := strings.CutPrefix(tag, "/"); ok {
			if len(stack) == 0 || stack[len(stack)-1] != name {
				t.Fatalf("unbalanced </%s> in %q", name, s)
			}
			stack = stack[:len(stack)-1]
			continue
		}
		name, _, _ := strings.Cut(tag, " ")
		stack = append(stack, name)
	}
	if len(stack) > 0 {
		t.Fatalf("<%s> left open in %q", stack[len(stack)-1], s)
	}
}

// squeeze drops all white space.
func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }
