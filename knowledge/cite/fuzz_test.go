package cite

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"民法典第1079条", "《民法典》第一千零七十九条", "刑法第一百三十三条之一", "中华人民共和国劳动合同法第38条第1款第2项",
		"民法典第一千零七十九条和第一千零八十条", "民法典第1079、1080条", "《消法》第55条", "民法典 第 1079 条",
		"民法\u200b典笫１０７９条", "👩‍⚖️民法典😀第1079条", "《《》》第5条", "“”第1条", "\"\"第1条", "（）第1条", "公司法(2023)第5条",
		"第99999条", "第一二十条", "第 条", "条第", "之一", "第1条之", "第1条第", "第1条第（", "婚姻家庭编第1条",
		"民法典\xff第1079条\xc3", "+title:民法典^2 \"第1079条\"~", "北京市物业管理条例第5条",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		refs := Parse(text)
		prevEnd := 0
		for i, r := range refs {
			if r.Start < 0 || r.End > len(text) || r.Start >= r.End {
				t.Fatalf("ref %d: bad span [%d,%d) in %d bytes", i, r.Start, r.End, len(text))
			}
			if r.Start < prevEnd {
				t.Fatalf("ref %d overlaps the previous one", i)
			}
			prevEnd = r.End
			if !utf8.ValidString(text[r.Start:r.End]) {
				t.Fatalf("ref %d: span %q is not valid UTF-8", i, text[r.Start:r.End])
			}
			if r.Article < 1 || r.Article > maxNumber {
				t.Fatalf("ref %d: article %d", i, r.Article)
			}
			if r.Law != "" && !utf8.ValidString(r.Written) {
				t.Fatalf("ref %d: written name %q is not valid UTF-8", i, r.Written)
			}
		}
	})
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{
		"《民法典》", "中华人民共和国民法典", "消法", " 〈中华人民共和国 消法〉 ", "公司法(2023修订)", "刑法修正案(十一)",
		"（1）", "中华人民共和国中华人民共和国（2）", "民法典婚姻家庭编（2020）", "\xff\xfe", "", "《》", "\u200b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		short, ok := Canonical(name)
		if ok != (short != "") {
			t.Fatalf("Canonical(%q) = %q, %v", name, short, ok)
		}
		if !utf8.ValidString(short) {
			t.Fatalf("Canonical(%q) = %q is not valid UTF-8", name, short)
		}
		if strings.ContainsAny(short, "《》〈〉<> \t\n") {
			t.Fatalf("Canonical(%q) = %q still has marks or spaces", name, short)
		}
		if ok {
			again, ok2 := Canonical(short)
			if !ok2 || again != short {
				t.Fatalf("Canonical is not idempotent: %q → %q → %q", name, short, again)
			}
		}
	})
}
