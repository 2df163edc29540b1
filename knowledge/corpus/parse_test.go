package corpus

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// parseFixture parses testdata/quirks/name.
func parseFixture(t *testing.T, name string) (*Law, []Warning) {
	t.Helper()
	path := filepath.Join("testdata", "quirks", name)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	law, warns, err := ParseFile(path, f)
	if err != nil {
		t.Fatalf("ParseFile(%s): %v", path, err)
	}
	if law == nil {
		t.Fatalf("ParseFile(%s) returned no law", path)
	}
	return law, warns
}

// labels lists the labels of the articles of law.
func labels(law *Law) []string {
	var out []string
	for _, a := range law.Articles {
		out = append(out, a.Label())
	}
	return out
}

// article returns the article of law with the given label.
func article(t *testing.T, law *Law, label string) Article {
	t.Helper()
	for _, a := range law.Articles {
		if a.Label() == label {
			return a
		}
	}
	t.Fatalf("%s: no %s (have %v)", law.ID, label, labels(law))
	return Article{}
}

// seq returns the labels 第一条 … 第n条.
func seq(n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, ArticleLabel(i, ""))
	}
	return out
}

func TestParseFileQuirks(t *testing.T) {
	tests := []struct {
		file      string
		title     string
		version   string
		amendment bool
		labels    []string
		warnings  []string // substrings, one per expected warning, in order
		check     func(t *testing.T, law *Law)
	}{
		{
			file: "lookalike(2020-01-01).md", title: "中华人民共和国示例合作社法", version: "2020-01-01",
			labels: seq(3),
			check: func(t *testing.T, law *Law) {
				if got := article(t, law, "第二条").Text(); got != "合作社应当依法登记。" {
					t.Errorf("第二条 = %q", got)
				}
			},
		},
		{
			file: "misplaced_space(2020-01-01).md", title: "中华人民共和国示例程序法", version: "2020-01-01",
			labels: seq(3),
			check: func(t *testing.T, law *Law) {
				a := article(t, law, "第二条")
				if a.Text() != "侦查人员应当出示证件。" || a.Line != 11 {
					t.Errorf("第二条 = %q at line %d", a.Text(), a.Line)
				}
			},
		},
		{
			file: "zwsp(2021-01-01).md", title: "中华人民共和国示例复议法", version: "2021-01-01",
			labels: seq(3),
			check: func(t *testing.T, law *Law) {
				if law.Preamble != "" {
					t.Errorf("preamble = %q, want empty", law.Preamble)
				}
				if a := article(t, law, "第一条"); len(a.Paragraphs) != 1 {
					t.Errorf("第一条 paragraphs = %q", a.Paragraphs)
				}
			},
		},
		{
			file: "fullwidth_spaces(2019-05-05).md", title: "某省示例条例", version: "2019-05-05",
			labels: seq(11),
			check: func(t *testing.T, law *Law) {
				if got := article(t, law, "第一条"); got.Text() != "为了示例，制定本条例。" || !reflect.DeepEqual(got.Headings, []string{"第一章 总则"}) {
					t.Errorf("第一条 = %q %q", got.Headings, got.Text())
				}
				if got := article(t, law, "第二条").Text(); got != "本省 行政区域内的 活动适用本条例。" {
					t.Errorf("第二条 = %q", got)
				}
				if got := article(t, law, "第十一条").Text(); got != "本条例自公布之日起施行。" {
					t.Errorf("第十一条 (written 第十－条) = %q", got)
				}
			},
		},
		{
			file: "headings(2020-05-28).md", title: "中华人民共和国示例典", version: "2020-05-28",
			labels: seq(5),
			check: func(t *testing.T, law *Law) {
				want := map[string][]string{
					"第一条": {"第一分编 通则", "第一章 一般规定"},
					"第二条": {"第一分编 通则", "第一章 一般规定", "第一节 登记"},
					"第三条": {"第一分编 通则", "第二章 法律责任"},
					"第四条": {"第二分编 人格权", "第三章 总则"},
					"第五条": {"附则"},
				}
				for label, h := range want {
					if got := article(t, law, label).Headings; !reflect.DeepEqual(got, h) {
						t.Errorf("%s headings = %q; want %q", label, got, h)
					}
				}
				if law.ShortName != "示例典" {
					t.Errorf("ShortName = %q", law.ShortName)
				}
			},
		},
		{
			file: "comments_table(2003-08-15).md", title: "最高人民法院关于示例罪名的补充规定", version: "2003-08-15",
			labels: seq(2),
			check: func(t *testing.T, law *Law) {
				if !strings.Contains(law.Preamble, "第一百二十条之一 （修正案第一条） 示例罪") {
					t.Errorf("table rows missing from preamble: %q", law.Preamble)
				}
				if strings.Contains(law.Preamble, "<!--") || strings.Contains(law.Preamble, "|") || strings.Contains(law.Preamble, "---") {
					t.Errorf("markup left in preamble: %q", law.Preamble)
				}
				want := []string{"执行中的问题，请及时报告。", "项目 金额", "示例费 100元"}
				if got := article(t, law, "第二条").Paragraphs; !reflect.DeepEqual(got, want) {
					t.Errorf("第二条 = %q; want %q", got, want)
				}
			},
		},
		{
			file: "preamble(1990-04-04).md", title: "中华人民共和国示例特别区基本法", version: "1990-04-04",
			labels: seq(2),
			check: func(t *testing.T, law *Law) {
				want := "示例特别区自古以来就是示例国的领土。\n为了维护国家统一，制定本法。\n" +
					"附件一：示例特别区长官的产生办法\n一、长官由选举委员会选出。\n二、选举委员会的组成\n选举委员会共800人。"
				if law.Preamble != want {
					t.Errorf("preamble = %q; want %q", law.Preamble, want)
				}
				if got := article(t, law, "第二条").Paragraphs; len(got) != 1 {
					t.Errorf("appendix attached to the last article: %q", got)
				}
				if got := article(t, law, "第一条").Headings; !reflect.DeepEqual(got, []string{"第一章 总则"}) {
					t.Errorf("第一条 headings = %q", got)
				}
			},
		},
		{
			file: "reply.md", title: "最高人民法院关于示例问题的批复",
			check: func(t *testing.T, law *Law) {
				want := "示例省高级人民法院：\n你院请示收悉。经研究，批复如下：\n一、关于适用范围问题\n一、本批复适用于示例案件。\n二、本批复自公布之日起施行。"
				if law.Preamble != want {
					t.Errorf("preamble = %q; want %q", law.Preamble, want)
				}
				if !reflect.DeepEqual(law.Meta, []string{"2020年11月9日 最高人民法院审判委员会"}) {
					t.Errorf("meta = %q", law.Meta)
				}
			},
		},
		{
			file: "zhi(2023-12-29).md", title: "中华人民共和国示例刑法", version: "2023-12-29",
			labels: []string{"第一条", "第一条之一", "第一条之二", "第二条", "第二条之一", "第三条"},
			check: func(t *testing.T, law *Law) {
				a := article(t, law, "第一条之二")
				if a.Number != 1 || a.Suffix != "之二" || a.Text() != "示例罪名一之二。" {
					t.Errorf("第一条之二 = %+v", a)
				}
			},
		},
		{
			file: "crossref(2017-11-04).md", title: "中华人民共和国示例保护法", version: "2017-11-04",
			labels:   seq(4),
			warnings: []string{":23: 第九十条 after 第三条 breaks the numbering"},
			check: func(t *testing.T, law *Law) {
				want := []string{"下列行为，依照本法第五条的规定处罚：", "第五条规定的行为，由主管部门处理。", "第五条的规定不适用于紧急情况。", "第三条的决定》另行公布。"}
				if got := article(t, law, "第二条").Paragraphs; !reflect.DeepEqual(got, want) {
					t.Errorf("第二条 = %q; want %q", got, want)
				}
				if got := article(t, law, "第三条").Paragraphs; len(got) != 2 || !strings.HasPrefix(got[1], "第九十条") {
					t.Errorf("第三条 = %q", got)
				}
				if len(law.Meta) != 2 || !strings.HasPrefix(law.Meta[1], "第三十一条的决定》") {
					t.Errorf("meta = %q", law.Meta)
				}
			},
		},
		{
			file: "gap(2016-09-23).md", title: "某市示例防火条例", version: "2016-09-23",
			labels:   []string{"第一条", "第二条", "第四条", "第五条", "第六条"},
			warnings: []string{":13: numbering jumps from 第二条 to 第四条"},
			check: func(t *testing.T, law *Law) {
				if got := article(t, law, "第五条").Paragraphs; !reflect.DeepEqual(got, []string{"本条例自公布之日起施行。"}) {
					t.Errorf("第五条 = %q", got)
				}
				if a := article(t, law, "第六条"); a.Text() != "本条接在上一行之后。" || a.Line != 15 {
					t.Errorf("第六条 = %q at line %d", a.Text(), a.Line)
				}
			},
		},
		{
			// Undated file name: the version comes from the header.
			file: "amendment.md", title: "中华人民共和国示例法修正案（二）", version: "2020-01-01", amendment: true,
			check: func(t *testing.T, law *Law) {
				if !strings.Contains(law.Preamble, "第一条 示例法第二条增加一款。") || !strings.HasPrefix(law.Preamble, "一、将示例法第一条") {
					t.Errorf("preamble = %q", law.Preamble)
				}
				if law.ShortName != "示例法修正案（二）" {
					t.Errorf("ShortName = %q", law.ShortName)
				}
			},
		},
		{
			file: "broken.md", title: "坏文件示例",
			labels:   seq(3),
			warnings: []string{"broken.md:5: invalid UTF-8", "broken.md: no <!-- INFO END --> marker"},
			check: func(t *testing.T, law *Law) {
				if got := article(t, law, "第二条").Text(); !strings.Contains(got, "\ufffd") {
					t.Errorf("第二条 = %q, want a replacement character", got)
				}
			},
		},
		{
			file: "plain(2022-03-01).txt", title: "示例劳动保护条例", version: "2022-03-01",
			labels: seq(3),
			check: func(t *testing.T, law *Law) {
				if !reflect.DeepEqual(law.Meta, []string{"（2022年3月1日国务院令第1号公布）"}) {
					t.Errorf("meta = %q", law.Meta)
				}
				if law.Preamble != "" {
					t.Errorf("preamble = %q (table of contents not dropped?)", law.Preamble)
				}
				want := []string{"用人单位应当遵守本条例。", "（一）依法签订合同；", "（二）按时支付工资。"}
				if got := article(t, law, "第二条").Paragraphs; !reflect.DeepEqual(got, want) {
					t.Errorf("第二条 = %q; want %q", got, want)
				}
				if got := article(t, law, "第三条").Headings; !reflect.DeepEqual(got, []string{"第二章 附则"}) {
					t.Errorf("第三条 headings = %q", got)
				}
			},
		},
		{
			file: "untitled.txt", title: "untitled",
			labels: seq(2),
			check: func(t *testing.T, law *Law) {
				if a := article(t, law, "第一条"); a.Line != 1 {
					t.Errorf("第一条 line = %d", a.Line)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			law, warns := parseFixture(t, tt.file)
			if law.Title != tt.title || law.Version != tt.version || law.Amendment != tt.amendment {
				t.Errorf("title, version, amendment = %q, %q, %v; want %q, %q, %v",
					law.Title, law.Version, law.Amendment, tt.title, tt.version, tt.amendment)
			}
			wantID := tt.title
			if _, v := nameParts(tt.file); v != "" {
				wantID += "@" + v
			}
			if law.ID != wantID {
				t.Errorf("ID = %q; want %q", law.ID, wantID)
			}
			if got := labels(law); !slices.Equal(got, tt.labels) {
				t.Errorf("articles = %v; want %v", got, tt.labels)
			}
			if len(law.Paths) != 1 || !strings.HasSuffix(law.Paths[0], tt.file) {
				t.Errorf("paths = %q", law.Paths)
			}
			if len(warns) != len(tt.warnings) {
				t.Errorf("warnings = %v; want %d matching %q", warns, len(tt.warnings), tt.warnings)
			} else {
				for i, w := range warns {
					if !strings.Contains(w.String(), tt.warnings[i]) {
						t.Errorf("warning %d = %q; want it to contain %q", i, w, tt.warnings[i])
					}
				}
			}
			for _, a := range law.Articles {
				if len(a.Paragraphs) == 0 || a.Line <= 0 {
					t.Errorf("%s: %d paragraphs, line %d", a.Label(), len(a.Paragraphs), a.Line)
				}
			}
			if tt.check != nil {
				tt.check(t, law)
			}
		})
	}
}

func TestParseFileString(t *testing.T) {
	tests := []struct {
		name, text string
		title      string
		labels     []string
		preamble   string
	}{
		{name: "empty.md", text: "", title: "empty"},
		{name: "blank.txt", text: "\n\u200b\n\u3000\n", title: "blank"},
		{name: "crlf.md", text: "# 示例法\r\n\r\n<!-- INFO END -->\r\n\r\n第一条 内容。\r\n", title: "示例法", labels: seq(1)},
		{name: "bom.md", text: "\ufeff# 示例法\n\n<!-- INFO END -->\n\n第一条 内容。", title: "示例法", labels: seq(1)},
		{name: "notitle.md", text: "第一条 内容。\n\n第二条 内容。", title: "notitle", labels: seq(2)},
		{name: "spaced title.md", text: "#  最高人民法院\u3000 最高人民检察院关于示例的解释 \n\n<!-- INFO END -->\n\n第一条 内容。",
			title: "最高人民法院 最高人民检察院关于示例的解释", labels: seq(1)},
		{name: "digits.txt", text: "示例规定\n第1条 内容一。\n第2条 内容二。\n第２条 重复。", title: "示例规定", labels: seq(2)},
		{name: "wrapped(2018-10-26).md", text: "# 示例诉讼法\n\n<!-- INFO END -->\n\n### 第四章 犯罪嫌疑人、被告人逃匿、死亡案件\n\n违法所得的没收程序\n\n第一条 内容。",
			title: "示例诉讼法", labels: seq(1)},
		{name: "preface.md", text: "# 示例宪法\n\n<!-- INFO END -->\n\n## 序言\n\n序言文字。\n\n## 第一章 总纲\n\n第一条 内容。",
			title: "示例宪法", labels: seq(1), preamble: "序言文字。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			law, _, err := ParseFile(tt.name, strings.NewReader(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if law.Title != tt.title {
				t.Errorf("title = %q; want %q", law.Title, tt.title)
			}
			if got := labels(law); !slices.Equal(got, tt.labels) {
				t.Errorf("articles = %v; want %v", got, tt.labels)
			}
			if law.Preamble != tt.preamble {
				t.Errorf("preamble = %q; want %q", law.Preamble, tt.preamble)
			}
		})
	}
}

func TestParseFileHeadingDetails(t *testing.T) {
	text := "# 示例诉讼法\n\n<!-- INFO END -->\n\n## 第二编 程序\n\n### 第四章 犯罪嫌疑人、被告人逃匿、死亡案件\n\n违法所得的没收程序\n\n第一条 内容。\n\n## 序言\n\n## 第三章 业主组织\n\n业主大会\n\n第二条 内容。\n\n## 第四章\n\n法律 责任\n\n第三条 内容。"
	law, _, err := ParseFile("x.md", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"第二编 程序", "第四章 犯罪嫌疑人、被告人逃匿、死亡案件违法所得的没收程序"},
		{"第三章 业主组织", "业主大会"},
		{"第四章 法律责任"},
	}
	for i, a := range law.Articles {
		if i < len(want) && !reflect.DeepEqual(a.Headings, want[i]) {
			t.Errorf("%s headings = %q; want %q", a.Label(), a.Headings, want[i])
		}
	}
	if len(law.Articles) != 3 {
		t.Errorf("articles = %v", labels(law))
	}
}

func TestParseFileReadError(t *testing.T) {
	boom := errors.New("boom")
	law, _, err := ParseFile("x.md", iotest.ErrReader(boom))
	if !errors.Is(err, boom) || law != nil {
		t.Errorf("ParseFile = %v, %v; want the read error", law, err)
	}
}

func TestNormalizeTitle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"中华人民共和国民法典", "民法典"},
		{"《中华人民共和国民法典》", "民法典"},
		{"民法典", "民法典"},
		{" 《 民 法 典 》 ", "民法典"},
		{"刑法修正案（十一）", "刑法修正案(十一)"},
		{"刑法修正案(十一)", "刑法修正案(十一)"},
		{"最高人民法院关于适用《中华人民共和国民事诉讼法》的解释", "最高人民法院关于适用民事诉讼法的解释"},
		{"最高人民法院关于适用〈民事诉讼法〉的解释", "最高人民法院关于适用民事诉讼法的解释"},
		{"宪法修正案（１９８８年）", "宪法修正案(1988年)"},
		{"最高人民法院\u3000最高人民检察院关于<某法>的解释", "最高人民法院最高人民检察院关于某法的解释"},
		{"关于中华人民共和国国旗的规定", "关于中华人民共和国国旗的规定"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeTitle(tt.in); got != tt.want {
			t.Errorf("NormalizeTitle(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"  a  b  ", "a b"},
		{"\u200b", ""},
		{"\u3000第一条\u3000内容\u00a0文字\u2002。\t", "第一条 内容 文字 。"},
		{"笫五十四条 内容", "第五十四条 内容"},
		{"a\u200bb", "ab"},
	}
	for _, tt := range tests {
		if got := normalizeLine(tt.in); got != tt.want {
			t.Errorf("normalizeLine(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestWarningString(t *testing.T) {
	tests := []struct {
		w    Warning
		want string
	}{
		{Warning{Path: "a/b.md", Line: 3, Msg: "bad"}, "a/b.md:3: bad"},
		{Warning{Path: "a/b.md", Msg: "unreadable"}, "a/b.md: unreadable"},
	}
	for _, tt := range tests {
		if got := tt.w.String(); got != tt.want {
			t.Errorf("String() = %q; want %q", got, tt.want)
		}
	}
}
