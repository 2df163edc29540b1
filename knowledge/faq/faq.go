// Package faq holds the curated questions and answers that the bot offers
// before it falls back to searching the law index, and the topic pages
// (专题) that residents can browse and subscribe to.
//
// Entries and topics are written in YAML. The starter pack is embedded in
// the binary (starter/topics.yaml and starter/entries-<topic>.yaml); a
// justice office can add its own entries in an extra file (config key
// knowledge.faq) that is loaded with LoadFile and added with Pack.Merge.
//
// Every entry rests on one to four articles of law. An ArticleRef names the
// law by its short title (民法典, 反电信网络诈骗法) or, for documents that are
// not national laws, by their full title (工伤保险条例, 最高人民法院关于…的规定),
// and may carry Evidence: a short phrase copied from the article's text,
// which the tests check against the law corpus.
//
// Loading is strict: unknown keys, wrong types, missing required fields and
// duplicate IDs are errors that name the file and line.
package faq

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ArticleRef points at one article of a law or other legal document.
type ArticleRef struct {
	// Law is the short name without "中华人民共和国" (民法典,
	// 反电信网络诈骗法), or the full title of a document that is not a
	// national law (工伤保险条例, 最高人民法院关于审理涉彩礼纠纷案件适用法律若干问题的规定).
	Law string `yaml:"law" json:"law"`
	// Article is the article number, 第<Article>条.
	Article int `yaml:"article" json:"article"`
	// Suffix is the suffix of an inserted article, such as "之一" in
	// 刑法第二百八十七条之二.
	Suffix string `yaml:"suffix,omitempty" json:"suffix,omitempty"`
	// Evidence is a short phrase copied from the article's text that
	// supports what the answer says.
	Evidence string `yaml:"evidence,omitempty" json:"evidence,omitempty"`
	// Checked is the date (YYYY-MM-DD) of a revision of the law against
	// whose text the reference was checked, when that text is newer than
	// the one loaded: the article reads the same in it, so the FAQ check
	// does not flag the entry (residents still see the revision notice
	// with the loaded text).
	Checked string `yaml:"checked,omitempty" json:"checked,omitempty"`
}

// Entry is one question with its plain-language answer.
type Entry struct {
	// ID is a stable ASCII kebab-case identifier, such as "divorce-lawsuit".
	ID string `yaml:"id" json:"id"`
	// Question is the question in its standard form.
	Question string `yaml:"question" json:"question"`
	// Paraphrases are other ways residents ask the same question.
	Paraphrases []string `yaml:"paraphrases" json:"paraphrases,omitempty"`
	// Answer is the plain-language answer shown to the resident.
	Answer string `yaml:"answer" json:"answer"`
	// Articles are the articles the answer rests on.
	Articles []ArticleRef `yaml:"articles" json:"articles"`
	// Topics are the IDs of the topics the entry belongs to.
	Topics []string `yaml:"topics" json:"topics"`
	// Source tells where the entry was read from ("file:line"). Parse sets
	// it; it is not read from YAML.
	Source string `yaml:"-" json:"-"`
}

// Topic is a subject page (专题) that groups entries.
type Topic struct {
	// ID is the topic identifier, such as "anti-fraud" or "family".
	ID string `yaml:"id"`
	// Name is the display name, such as 防范电信网络诈骗.
	Name string `yaml:"name"`
	// Summary is one sentence about the topic.
	Summary string `yaml:"summary"`
	// Points are the key points a resident should know.
	Points []string `yaml:"points"`
	// Articles are the key articles of the topic.
	Articles []ArticleRef `yaml:"articles"`
	// Laws say which articles of law belong to the topic, so that an
	// answer made of articles is counted under the topic it is about.
	Laws []LawRule `yaml:"laws,omitempty"`
}

// LawRule assigns the articles of one law, or of some of its parts, to a
// topic. The most specific rule that matches an article wins: one naming
// articles over one naming headings (a deeper heading over a shallower
// one) over one naming only the law.
type LawRule struct {
	// Law is the short name (民法典, 劳动合同法) or the full title of a
	// document that is not a national law, as in ArticleRef.
	Law string `yaml:"law"`
	// Headings narrow the rule to articles under a 编, 分编, 章 or 节 with
	// one of these names, written without their number: 婚姻家庭 for
	// 第五编 婚姻家庭, 借款合同 for 第十二章 借款合同.
	Headings []string `yaml:"headings,omitempty"`
	// Articles narrow the rule to these article numbers, with any suffix
	// (133 covers 第一百三十三条之一).
	Articles []int `yaml:"articles,omitempty"`
}

// headingLabel matches the number part of a heading, 第五编 or 第十二章.
var headingLabel = regexp.MustCompile(`^第[零一二三四五六七八九十百千0-9]+(?:编|分编|章|节)`)

// HeadingName returns a heading without its number and white space:
// 婚姻家庭 for "第五编 婚姻家庭", 附则 for "附则".
func HeadingName(h string) string {
	h = strings.Join(strings.Fields(h), "")
	return headingLabel.ReplaceAllString(h, "")
}

// Key identifies the rule's scope, for finding the same scope claimed by
// two topics.
func (r LawRule) Key() string {
	return fmt.Sprintf("%s|%v|%v", r.Law, r.Headings, r.Articles)
}

func (r LawRule) problems(index int) []problem {
	var ps []problem
	switch {
	case strings.TrimSpace(r.Law) == "":
		ps = append(ps, problem{"laws", index, "law", "law is empty"})
	case strings.HasPrefix(r.Law, "中华人民共和国"):
		ps = append(ps, problem{"laws", index, "law", fmt.Sprintf("law %q: drop the prefix 中华人民共和国", r.Law)})
	}
	for _, h := range r.Headings {
		if name := HeadingName(h); name == "" || name != h {
			ps = append(ps, problem{"laws", index, "headings", fmt.Sprintf("heading %q: write the name without its number or spaces, like 婚姻家庭", h)})
		}
	}
	for _, n := range r.Articles {
		if n <= 0 {
			ps = append(ps, problem{"laws", index, "articles", fmt.Sprintf("article number must be above zero, got %d", n)})
		}
	}
	return ps
}

var (
	idPattern     = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	suffixPattern = regexp.MustCompile(`^之[一二三四五六七八九十]+$`)
)

// String formats the reference for display, for example
// 《民法典》第一千零七十九条 or 《刑法》第二百八十七条之二.
func (a ArticleRef) String() string {
	return "《" + a.Law + "》第" + Numeral(a.Article) + "条" + a.Suffix
}

// problem is one validation failure. field names the YAML key ("answer",
// "articles"); index is the position in a list field, or -1.
type problem struct {
	field string
	index int
	sub   string // key inside the list item, such as "article"
	msg   string
}

func (p problem) String() string {
	if p.index >= 0 {
		return fmt.Sprintf("%s[%d]: %s", p.field, p.index, p.msg)
	}
	return p.field + ": " + p.msg
}

func joinProblems(ps []problem) error {
	if len(ps) == 0 {
		return nil
	}
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.String()
	}
	return errors.New(strings.Join(msgs, "; "))
}

// Validate checks the reference on its own: a law name, an article number
// above zero and, if present, a well-formed suffix such as 之一.
func (a ArticleRef) Validate() error {
	ps := a.problems("article", -1)
	return joinProblems(ps)
}

func (a ArticleRef) problems(field string, index int) []problem {
	var ps []problem
	if strings.TrimSpace(a.Law) == "" {
		ps = append(ps, problem{field, index, "law", "law is empty"})
	} else if strings.HasPrefix(a.Law, "中华人民共和国") {
		ps = append(ps, problem{field, index, "law", fmt.Sprintf("law %q: drop the prefix 中华人民共和国", a.Law)})
	}
	if a.Article <= 0 {
		ps = append(ps, problem{field, index, "article", fmt.Sprintf("article number must be above zero, got %d", a.Article)})
	}
	if a.Suffix != "" && !suffixPattern.MatchString(a.Suffix) {
		ps = append(ps, problem{field, index, "suffix", fmt.Sprintf("suffix %q: want 之一, 之二 …", a.Suffix)})
	}
	return ps
}

// Validate checks the entry on its own: an ASCII kebab-case id, a
// non-empty question and answer, at least one article and valid article
// references. Whether its topic IDs exist is checked by Pack.Merge.
func (e Entry) Validate() error {
	return joinProblems(e.problems())
}

func (e Entry) problems() []problem {
	var ps []problem
	switch {
	case e.ID == "":
		ps = append(ps, problem{"id", -1, "", "is empty"})
	case !idPattern.MatchString(e.ID):
		ps = append(ps, problem{"id", -1, "", fmt.Sprintf("%q is not ASCII kebab-case (like divorce-lawsuit)", e.ID)})
	}
	if strings.TrimSpace(e.Question) == "" {
		ps = append(ps, problem{"question", -1, "", "is empty"})
	}
	for i, p := range e.Paraphrases {
		if strings.TrimSpace(p) == "" {
			ps = append(ps, problem{"paraphrases", i, "", "is empty"})
		}
	}
	if strings.TrimSpace(e.Answer) == "" {
		ps = append(ps, problem{"answer", -1, "", "is empty"})
	}
	if len(e.Articles) == 0 {
		ps = append(ps, problem{"articles", -1, "", "needs at least one article"})
	}
	for i, a := range e.Articles {
		ps = append(ps, a.problems("articles", i)...)
	}
	for i, t := range e.Topics {
		if !idPattern.MatchString(t) {
			ps = append(ps, problem{"topics", i, "", fmt.Sprintf("%q is not a topic id", t)})
		}
	}
	return ps
}

// Validate checks the topic on its own: an ASCII kebab-case id, a name, a
// summary, at least one point and valid article references.
func (t Topic) Validate() error {
	return joinProblems(t.problems())
}

func (t Topic) problems() []problem {
	var ps []problem
	switch {
	case t.ID == "":
		ps = append(ps, problem{"id", -1, "", "is empty"})
	case !idPattern.MatchString(t.ID):
		ps = append(ps, problem{"id", -1, "", fmt.Sprintf("%q is not ASCII kebab-case", t.ID)})
	}
	if strings.TrimSpace(t.Name) == "" {
		ps = append(ps, problem{"name", -1, "", "is empty"})
	}
	if strings.TrimSpace(t.Summary) == "" {
		ps = append(ps, problem{"summary", -1, "", "is empty"})
	}
	if len(t.Points) == 0 {
		ps = append(ps, problem{"points", -1, "", "needs at least one point"})
	}
	for i, p := range t.Points {
		if strings.TrimSpace(p) == "" {
			ps = append(ps, problem{"points", i, "", "is empty"})
		}
	}
	for i, a := range t.Articles {
		ps = append(ps, a.problems("articles", i)...)
	}
	for i, r := range t.Laws {
		ps = append(ps, r.problems(i)...)
	}
	return ps
}

var numeralDigits = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}

// Numeral writes n (1–9999) the way article numbers are written in Chinese
// statutes: 1079 → 一千零七十九, 110 → 一百一十, 15 → 十五. Other values are
// written with Arabic digits.
func Numeral(n int) string {
	if n <= 0 || n > 9999 {
		return fmt.Sprint(n)
	}
	units := []string{"千", "百", "十", ""}
	digits := []int{n / 1000, n / 100 % 10, n / 10 % 10, n % 10}
	var b strings.Builder
	zero := false
	for i, d := range digits {
		if d == 0 {
			if b.Len() > 0 {
				zero = true
			}
			continue
		}
		if zero {
			b.WriteString("零")
			zero = false
		}
		if !(i == 2 && d == 1 && b.Len() == 0) {
			b.WriteString(numeralDigits[d])
		}
		b.WriteString(units[i])
	}
	return b.String()
}
