package corpus

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"零", "十", "十二", "二十", "一百一十", "一千零七十九", "两千", "一万零五", "十二万三千",
		"1079", "１０７９", "一一", "一百五", "零五", "三十－", "", "万", "一〇七九"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := ParseNumber(s)
		if !ok {
			if n != 0 {
				t.Errorf("ParseNumber(%q) = %d, false; want 0 on failure", s, n)
			}
			return
		}
		if n < 0 || n > 999999999 {
			t.Fatalf("ParseNumber(%q) = %d out of range", s, n)
		}
		// Every parsed value is written back in a canonical form that
		// parses to the same value.
		canon := FormatNumber(n)
		back, ok := ParseNumber(canon)
		if !ok || back != n {
			t.Errorf("ParseNumber(FormatNumber(%d) = %q) = %d, %v (from %q)", n, canon, back, ok, s)
		}
		if n <= 99999999 && FormatNumber(back) != canon {
			t.Errorf("FormatNumber not canonical for %d", n)
		}
	})
}

func FuzzParseFile(f *testing.F) {
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f.Add(filepath.Base(p), data)
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("x.md", []byte("# 法\n<!--\n第一条 注释里\n-->\n第一条 a。 第二条 b。 第三条的 c\n|第四条|x|\n## 附件\n第二条 d"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		law, warns, err := ParseFile(name, bytes.NewReader(data))
		if err != nil {
			t.Fatalf("ParseFile: %v", err)
		}
		if law == nil {
			t.Fatal("nil law")
		}
		if base, _ := nameParts(name); law.Title == "" && base != "" {
			t.Errorf("empty title for %q", name)
		}
		lines := bytes.Count(data, []byte{'\n'}) + 1
		for _, w := range warns {
			if w.Path != name || w.Line < 0 || w.Line > lines || w.Msg == "" {
				t.Errorf("bad warning %#v", w)
			}
		}
		if law.Amendment && len(law.Articles) > 0 {
			t.Errorf("amendment with articles")
		}
		prevLine := 0
		for i, a := range law.Articles {
			if a.Number < 0 || a.Line < prevLine || a.Line > lines {
				t.Errorf("article %d: %+v", i, a)
			}
			prevLine = a.Line
			if suffixIndex(a.Suffix) < 0 {
				t.Errorf("bad suffix %q", a.Suffix)
			}
			// Numbers of accepted articles never go backwards.
			if i > 0 {
				p := law.Articles[i-1]
				if a.Number < p.Number || (a.Number == p.Number && suffixIndex(a.Suffix) <= suffixIndex(p.Suffix)) {
					t.Errorf("%s after %s", a.Label(), p.Label())
				}
			}
			for _, para := range a.Paragraphs {
				checkNormal(t, para)
			}
			for _, h := range a.Headings {
				checkNormal(t, h)
			}
		}
		for _, m := range law.Meta {
			checkNormal(t, m)
		}
		for _, p := range strings.Split(law.Preamble, "\n") {
			if law.Preamble != "" {
				checkNormal(t, p)
			}
		}
	})
}

// checkNormal checks that s is valid, trimmed, non-empty text with no
// runs of spaces, no zero-width spaces and no comment markers.
func checkNormal(t *testing.T, s string) {
	t.Helper()
	if s == "" || !utf8.ValidString(s) || s != strings.TrimSpace(s) || strings.Contains(s, "  ") ||
		strings.ContainsAny(s, "\u200b\u3000\n\r") || strings.Contains(s, "<!--") {
		t.Errorf("not normalised: %q", s)
	}
}
