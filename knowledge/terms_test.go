package knowledge

import (
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestTerms(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"han bigrams", "离婚协议", []string{"离婚", "婚协", "协议"}},
		{"lone han stays a unigram", "被 骗", []string{"被", "骗"}},
		{"punctuation splits runs", "彩礼，返还", []string{"彩礼", "返还"}},
		{"latin and digits lower-cased", "APP转账5000元", []string{"app", "转账", "5000", "元"}},
		{"full-width folded", "ＡＢＣ１２３", []string{"abc123"}},
		{"look-alike 笫 folded", "笫一条", []string{"第一", "一条"}},
		{"empty", "", []string{}},
		{"emoji and controls only", "😀\x00\u202e", []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Terms(c.in)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Terms(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestAnalyzerOffsetsPointIntoInput(t *testing.T) {
	in := "第一千零七十九条 夫妻一方要求离婚的，可以由有关组织进行调解。ABC"
	for _, tok := range (zhAnalyzer{}).Analyze([]byte(in)) {
		if tok.Start < 0 || tok.End > len(in) || tok.Start >= tok.End {
			t.Fatalf("token %q has offsets %d..%d", tok.Term, tok.Start, tok.End)
		}
	}
}

func FuzzTerms(f *testing.F) {
	for _, s := range []string{"离婚协议", "民法典第1079条", "ＡＢＣ", "\xff\xfe", "😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range (zhAnalyzer{}).Analyze([]byte(s)) {
			if tok.Start < 0 || tok.End > len(s) || tok.Start > tok.End {
				t.Fatalf("bad offsets %d..%d for %q", tok.Start, tok.End, s)
			}
			if !utf8.Valid(tok.Term) {
				t.Fatalf("invalid UTF-8 term %q", tok.Term)
			}
		}
	})
}
