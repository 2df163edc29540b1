package cite

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// want is the expected part of a Ref; Span is the expected text[Start:End].
type want struct {
	Law, Written string
	Article      int
	Suffix       string
	Paragraph    int
	Item         int
	Span         string
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []want
	}{
		{"digits", "民法典第1079条", []want{{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典第1079条"}}},
		{"title marks and Chinese numeral", "《民法典》第一千零七十九条",
			[]want{{Law: "民法典", Written: "《民法典》", Article: 1079, Span: "《民法典》第一千零七十九条"}}},
		{"constitution", "宪法第35条规定了言论自由", []want{{Law: "宪法", Written: "宪法", Article: 35, Span: "宪法第35条"}}},
		{"inserted article", "刑法第一百三十三条之一", []want{{Law: "刑法", Written: "刑法", Article: 133, Suffix: "之一", Span: "刑法第一百三十三条之一"}}},
		{"suffix in digits", "刑法第133条之2", []want{{Law: "刑法", Written: "刑法", Article: 133, Suffix: "之二", Span: "刑法第133条之2"}}},
		{"paragraph", "劳动合同法第三十八条第一款",
			[]want{{Law: "劳动合同法", Written: "劳动合同法", Article: 38, Paragraph: 1, Span: "劳动合同法第三十八条第一款"}}},
		{"full title, paragraph and item", "中华人民共和国劳动合同法第38条第1款第2项",
			[]want{{Law: "劳动合同法", Written: "中华人民共和国劳动合同法", Article: 38, Paragraph: 1, Item: 2,
				Span: "中华人民共和国劳动合同法第38条第1款第2项"}}},
		{"item in brackets", "劳动合同法第三十九条第（二）项",
			[]want{{Law: "劳动合同法", Written: "劳动合同法", Article: 39, Item: 2, Span: "劳动合同法第三十九条第（二）项"}}},
		{"paragraph and ASCII bracket item", "劳动合同法第38条1款(二)项的情形",
			[]want{{Law: "劳动合同法", Written: "劳动合同法", Article: 38, Paragraph: 1, Item: 2, Span: "劳动合同法第38条1款(二)项"}}},
		{"repealed law", "婚姻法第32条", []want{{Law: "婚姻法", Written: "婚姻法", Article: 32, Span: "婚姻法第32条"}}},
		{"no 第", "民法典1079条", []want{{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典1079条"}}},
		{"no 第, Chinese numeral", "民法典一千零七十九条", []want{{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典一千零七十九条"}}},
		{"alias in title marks", "《消法》第55条", []want{{Law: "消费者权益保护法", Written: "《消法》", Article: 55, Span: "《消法》第55条"}}},
		{"spaces", "民法典 第 1079 条", []want{{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典 第 1079 条"}}},
		{"ideographic spaces", "民法典\u3000第\u30001079\u3000条", []want{{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典\u3000第\u30001079\u3000条"}}},
		{"no law", "第1079条怎么理解", []want{{Article: 1079, Span: "第1079条"}}},
		{"second inherits the law", "民法典第一千零七十九条和第一千零八十条",
			[]want{
				{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典第一千零七十九条"},
				{Law: "民法典", Written: "民法典", Article: 1080, Span: "第一千零八十条"},
			}},
		{"inherit over a list", "劳动法第3条、第4条以及第5条",
			[]want{
				{Law: "劳动法", Written: "劳动法", Article: 3, Span: "劳动法第3条"},
				{Law: "劳动法", Written: "劳动法", Article: 4, Span: "第4条"},
				{Law: "劳动法", Written: "劳动法", Article: 5, Span: "第5条"},
			}},
		{"no inheritance across a sentence", "民法典第1079条。第5条呢？",
			[]want{
				{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典第1079条"},
				{Article: 5, Span: "第5条"},
			}},
		{"two laws in one sentence", "我想问一下民法典第1079条和婚姻法第32条有什么区别",
			[]want{
				{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典第1079条"},
				{Law: "婚姻法", Written: "婚姻法", Article: 32, Span: "婚姻法第32条"},
			}},
		{"three laws", "《消法》第55条、民法典第1179条，还有刑法第二百六十六条",
			[]want{
				{Law: "消费者权益保护法", Written: "《消法》", Article: 55, Span: "《消法》第55条"},
				{Law: "民法典", Written: "民法典", Article: 1179, Span: "民法典第1179条"},
				{Law: "刑法", Written: "刑法", Article: 266, Span: "刑法第二百六十六条"},
			}},
		{"numbers listed before one 条", "民法典第1079、1080条",
			[]want{
				{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典第1079"},
				{Law: "民法典", Written: "民法典", Article: 1080, Span: "1080条"},
			}},
		{"range gives both ends", "婚姻法第36至37条",
			[]want{
				{Law: "婚姻法", Written: "婚姻法", Article: 36, Span: "婚姻法第36"},
				{Law: "婚姻法", Written: "婚姻法", Article: 37, Span: "37条"},
			}},
		{"full-width digits", "民法典第１０７９条", []want{{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典第１０７９条"}}},
		{"look-alike 笫", "民法典笫1079条", []want{{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典笫1079条"}}},
		{"traditional 條", "民法典第1079條", []want{{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典第1079條"}}},
		{"digit-by-digit numeral", "民法典第一〇七九条", []want{{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典第一〇七九条"}}},
		{"zero-width space inside", "民法\u200b典第\u200b1079条",
			[]want{{Law: "民法典", Written: "民法\u200b典", Article: 1079, Span: "民法\u200b典第\u200b1079条"}}},
		{"direction marks", "\u202e民法典\u200f第1079条\u202c",
			[]want{{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典\u200f第1079条"}}},
		{"emoji around", "👩‍⚖️民法典第1079条👍", []want{{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典第1079条"}}},
		{"emoji between name and article", "民法典😀第1079条", []want{{Article: 1079, Span: "第1079条"}}},
		{"civil code part", "根据《民法典》婚姻家庭编第1079条",
			[]want{{Law: "民法典", Written: "《民法典》婚姻家庭编", Article: 1079, Span: "《民法典》婚姻家庭编第1079条"}}},
		{"civil code part alone", "婚姻家庭编第1084条", []want{{Law: "民法典", Written: "婚姻家庭编", Article: 1084, Span: "婚姻家庭编第1084条"}}},
		{"particle between name and article", "民法典的第1079条", []want{{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典的第1079条"}}},
		{"quotation marks", "“婚姻法”第32条", []want{{Law: "婚姻法", Written: "“婚姻法”", Article: 32, Span: "“婚姻法”第32条"}}},
		{"alias without marks", "反诈法第二十条", []want{{Law: "反电信网络诈骗法", Written: "反诈法", Article: 20, Span: "反诈法第二十条"}}},
		{"alias after a verb", "根据个保法第13条", []want{{Law: "个人信息保护法", Written: "个保法", Article: 13, Span: "个保法第13条"}}},
		{"longest known name", "违反了道路交通安全法第七十六条", []want{{Law: "道路交通安全法", Written: "道路交通安全法", Article: 76, Span: "道路交通安全法第七十六条"}}},
		{"regulation", "按照工伤保险条例第十四条", []want{{Law: "工伤保险条例", Written: "工伤保险条例", Article: 14, Span: "工伤保险条例第十四条"}}},
		{"local regulation", "北京市物业管理条例第5条",
			[]want{{Law: "北京市物业管理条例", Written: "北京市物业管理条例", Article: 5, Span: "北京市物业管理条例第5条"}}},
		{"unknown regulation", "我看了城市绿化条例第10条", []want{{Law: "城市绿化条例", Written: "城市绿化条例", Article: 10, Span: "城市绿化条例第10条"}}},
		{"version note", "公司法（2023修订）第5条", []want{{Law: "公司法", Written: "公司法（2023修订）", Article: 5, Span: "公司法（2023修订）第5条"}}},
		{"amendment ordinal", "《刑法修正案（十一）》第一条",
			[]want{{Law: "刑法修正案（十一）", Written: "《刑法修正案（十一）》", Article: 1, Span: "《刑法修正案（十一）》第一条"}}},
		{"everyday word is not a law", "这种做法第3条", []want{{Article: 3, Span: "第3条"}}},
		{"paragraph and item in brackets", "民法典第1079条第3款第（二）项",
			[]want{{Law: "民法典", Written: "民法典", Article: 1079, Paragraph: 3, Item: 2, Span: "民法典第1079条第3款第（二）项"}}},
		{"two hundred with 两", "民法典第两百条", []want{{Law: "民法典", Written: "民法典", Article: 200, Span: "民法典第两百条"}}},
		{"upper bound", "第5000条", []want{{Article: 5000, Span: "第5000条"}}},
		{"no citation", "我和老公吵架了，想离婚怎么办？", nil},
		{"empty", "", nil},
		{"第 without 条", "第一次去法院，第3天，第三章，第二款", nil},
		{"count word", "我有三条建议", nil},
		{"absurd number", "第99999条", nil},
		{"zero", "民法典第0条", nil},
		{"just over the bound", "第5001条", nil},
		{"overlong number", "第123456789012345678901234567890条", nil},
		{"malformed numeral", "第一二十条", nil},
		{"bleve query syntax", `+民法典 -婚姻法 "第1079条" title:刑法^2 第133条~ AND (第5条 OR 第6条) *:* \第7条/`,
			[]want{{Article: 1079, Span: "第1079条"}, {Article: 133, Span: "第133条"}, {Article: 5, Span: "第5条"},
				{Article: 6, Span: "第6条"}, {Article: 7, Span: "第7条"}}},
		{"bleve operators around a named law", `民法典第1079条^3 OR "婚姻法第32条"`,
			[]want{{Law: "民法典", Written: "民法典", Article: 1079, Span: "民法典第1079条"},
				{Law: "婚姻法", Written: "婚姻法", Article: 32, Span: "婚姻法第32条"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Parse(tc.text)
			checkRefs(t, tc.text, got)
			if len(got) != len(tc.want) {
				t.Fatalf("Parse(%q) = %d refs %+v, want %d", tc.text, len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				gw := want{g.Law, g.Written, g.Article, g.Suffix, g.Paragraph, g.Item, tc.text[g.Start:g.End]}
				if gw != w {
					t.Errorf("ref %d = %+v, want %+v", i, gw, w)
				}
			}
		})
	}
}

func TestParseOffsets(t *testing.T) {
	text := "请问😀，《民法典》第1079条和第1080条"
	got := Parse(text)
	if len(got) != 2 {
		t.Fatalf("got %+v", got)
	}
	if s := strings.Index(text, "《"); got[0].Start != s {
		t.Errorf("Start = %d, want %d", got[0].Start, s)
	}
	if e := strings.Index(text, "和"); got[0].End != e {
		t.Errorf("End = %d, want %d", got[0].End, e)
	}
	if got[1].End != len(text) {
		t.Errorf("second End = %d, want %d", got[1].End, len(text))
	}
	if got[1].Written != "《民法典》" {
		t.Errorf("inherited Written = %q", got[1].Written)
	}
}

func TestParseInvalidUTF8(t *testing.T) {
	text := "民法典\xff第1079条\xfe和婚姻法第32条\xc3"
	got := Parse(text)
	checkRefs(t, text, got)
	if len(got) != 2 || got[0].Law != "" || got[0].Article != 1079 || got[1].Law != "婚姻法" {
		t.Errorf("got %+v", got)
	}
}

func TestParseLongInput(t *testing.T) {
	text := strings.Repeat("民法典第1079条、", 2000) + strings.Repeat("1、", 5000) + strings.Repeat("第", 5000)
	got := Parse(text)
	checkRefs(t, text, got)
	if len(got) != 2000 {
		t.Errorf("got %d refs, want 2000", len(got))
	}
}

// checkRefs checks the invariants every Parse result must hold.
func checkRefs(t *testing.T, text string, refs []Ref) {
	t.Helper()
	prevEnd := 0
	for i, r := range refs {
		if r.Start < 0 || r.End > len(text) || r.Start >= r.End {
			t.Fatalf("ref %d has bad span [%d,%d) for text of %d bytes", i, r.Start, r.End, len(text))
		}
		if r.Start < prevEnd {
			t.Errorf("ref %d starts at %d, before the previous end %d", i, r.Start, prevEnd)
		}
		prevEnd = r.End
		if !utf8.ValidString(text[r.Start:r.End]) {
			t.Errorf("ref %d span %q is not valid UTF-8", i, text[r.Start:r.End])
		}
		if r.Article < 1 || r.Article > maxNumber || r.Paragraph < 0 || r.Paragraph > maxNumber || r.Item < 0 || r.Item > maxNumber {
			t.Errorf("ref %d has numbers out of range: %+v", i, r)
		}
		if r.Suffix != "" && !strings.HasPrefix(r.Suffix, "之") {
			t.Errorf("ref %d has suffix %q", i, r.Suffix)
		}
		if r.Law != "" && r.Written == "" {
			t.Errorf("ref %d has a law but no written name: %+v", i, r)
		}
	}
}

func TestParseNumeral(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"1079", 1079, true}, {"一千零七十九", 1079, true}, {"一〇七九", 1079, true}, {"十", 10, true},
		{"十一", 11, true}, {"二十", 20, true}, {"一百零一", 101, true}, {"一百一十", 110, true},
		{"一百十", 110, true}, {"两百", 200, true}, {"两", 2, true}, {"零", 0, true}, {"一千二百六十", 1260, true},
		{"一万", 10000, true}, {"三万五千", 35000, true},
		{"", 0, false}, {"百", 0, false}, {"一二十", 0, false}, {"1二", 0, false}, {"两两", 0, false},
		{"万", 0, false}, {"1234567890123", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := parseNumeral([]rune(tc.in))
			if ok != tc.ok || (ok && got != tc.want) {
				t.Errorf("parseNumeral(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestCNSmall(t *testing.T) {
	for n, want := range map[int]string{1: "一", 9: "九", 10: "十", 11: "十一", 20: "二十", 21: "二十一", 99: "九十九", 0: "", 100: ""} {
		if got := cnSmall(n); got != want {
			t.Errorf("cnSmall(%d) = %q, want %q", n, got, want)
		}
	}
}
