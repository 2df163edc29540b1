package corpus

import "testing"

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"零", 0, true},
		{"〇", 0, true},
		{"一", 1, true},
		{"九", 9, true},
		{"十", 10, true},
		{"十二", 12, true},
		{"二十", 20, true},
		{"二十五", 25, true},
		{"一百", 100, true},
		{"一百零一", 101, true},
		{"一百一十", 110, true},
		{"一百二十八", 128, true},
		{"两百", 200, true},
		{"一千", 1000, true},
		{"一千零七十九", 1079, true},
		{"一千二百六十", 1260, true},
		{"两千零二十", 2020, true},
		{"一万", 10000, true},
		{"一万零五", 10005, true},
		{"一万零一十", 10010, true},
		{"十万", 100000, true},
		{"十二万三千", 123000, true},
		{"九万九千九百九十九", 99999, true},
		{"1079", 1079, true},
		{"０", 0, true},
		{"１０７９", 1079, true},
		{"007", 7, true},
		{"", 0, false},
		{"条", 0, false},
		{"一一", 0, false},
		{"零五", 0, false},
		{"一零", 0, false},
		{"一〇七九", 0, false},
		{"一百零", 0, false},
		{"一千零零五", 0, false},
		{"一百五", 0, false},
		{"一万五", 0, false},
		{"百", 0, false},
		{"千", 0, false},
		{"万", 0, false},
		{"十十", 0, false},
		{"一十百", 0, false},
		{"一万一万", 0, false},
		{"一亿", 0, false},
		{"10七", 0, false},
		{"七10", 0, false},
		{"-1", 0, false},
		{" 十", 0, false},
		{"1234567890", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseNumber(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParseNumber(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		in   int
		want string
	}{
		{0, "零"},
		{1, "一"},
		{10, "十"},
		{11, "十一"},
		{20, "二十"},
		{101, "一百零一"},
		{110, "一百一十"},
		{1000, "一千"},
		{1001, "一千零一"},
		{1079, "一千零七十九"},
		{1260, "一千二百六十"},
		{10000, "一万"},
		{10010, "一万零一十"},
		{10100, "一万零一百"},
		{11000, "一万一千"},
		{99999, "九万九千九百九十九"},
		{100000, "十万"},
		{-5, "-5"},
		{100000000, "100000000"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.in); got != tt.want {
			t.Errorf("FormatNumber(%d) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestNumberRoundTrip(t *testing.T) {
	for n := 0; n <= 99999; n++ {
		s := FormatNumber(n)
		got, ok := ParseNumber(s)
		if !ok || got != n {
			t.Fatalf("ParseNumber(FormatNumber(%d) = %q) = %d, %v", n, s, got, ok)
		}
	}
}

func TestLabels(t *testing.T) {
	tests := []struct {
		number int
		suffix string
		want   string
	}{
		{1, "", "第一条"},
		{1079, "", "第一千零七十九条"},
		{133, "之一", "第一百三十三条之一"},
		{120, "之六", "第一百二十条之六"},
	}
	for _, tt := range tests {
		if got := ArticleLabel(tt.number, tt.suffix); got != tt.want {
			t.Errorf("ArticleLabel(%d, %q) = %q; want %q", tt.number, tt.suffix, got, tt.want)
		}
		a := Article{Number: tt.number, Suffix: tt.suffix}
		if got := a.Label(); got != tt.want {
			t.Errorf("Label() = %q; want %q", got, tt.want)
		}
	}
	a := Article{Number: 1079, Paragraphs: []string{"第一款。", "（一）第一项；"}}
	if got, want := Cite("中华人民共和国民法典", a), "《中华人民共和国民法典》第一千零七十九条"; got != want {
		t.Errorf("Cite = %q; want %q", got, want)
	}
	if got, want := a.Text(), "第一款。\n（一）第一项；"; got != want {
		t.Errorf("Text = %q; want %q", got, want)
	}
}

func TestSuffixIndex(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"之一", 1},
		{"之十二", 12},
		{"之", -1},
		{"一", -1},
		{"之零", -1},
	}
	for _, tt := range tests {
		if got := suffixIndex(tt.in); got != tt.want {
			t.Errorf("suffixIndex(%q) = %d; want %d", tt.in, got, tt.want)
		}
		if tt.want > 0 && suffixLabel(tt.want) != tt.in {
			t.Errorf("suffixLabel(%d) = %q; want %q", tt.want, suffixLabel(tt.want), tt.in)
		}
	}
}
