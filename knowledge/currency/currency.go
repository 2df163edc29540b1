// Package currency keeps answers from presenting superseded law as current.
// It holds a reviewed table of law revisions (and new laws) known to
// postdate the texts the bot was given, tells whether a text of a given
// date is behind one of them on a given day, and words the warning a
// resident reads before such a text: what changed, since when, and where
// the current text is (国家法律法规数据库, 12348).
//
// Dates are "YYYY-MM-DD" strings, compared as strings; "today" is the date
// in China (UTC+8) of the time passed in, so callers and tests choose it.
package currency

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pufabot/pufabot/knowledge/corpus"
)

// What a revision did to a law, in the words of the official texts.
const (
	Enacted = "通过" // a new law
	Revised = "修订" // a full revision
	Amended = "修正" // an amendment by decision (决定)
)

// Revision is one known change to a law: a revision, an amendment or the
// enactment of a new law.
type Revision struct {
	Law     string   // short name without 中华人民共和国, e.g. "治安管理处罚法"
	Kind    string   // Enacted, Revised or Amended
	Adopted string   // YYYY-MM-DD the text was adopted
	InForce string   // YYYY-MM-DD it takes effect
	Source  string   // the line the official text carries, e.g. "2025年6月27日第十四届…修订"
	Names   []string // for new laws: names a question may use for it (the short name first)
}

// Title is the law's full title.
func (r Revision) Title() string {
	if strings.HasPrefix(r.Law, "中华人民共和国") {
		return r.Law
	}
	return "中华人民共和国" + r.Law
}

// InForceOn reports whether the revision is in force on the China date of now.
func (r Revision) InForceOn(now time.Time) bool { return Today(now) >= r.InForce }

// Known returns the table of known revisions, ordered by law then adoption.
func Known() []Revision {
	out := slices.Clone(known)
	slices.SortStableFunc(out, func(a, b Revision) int {
		if c := strings.Compare(a.Law, b.Law); c != 0 {
			return c
		}
		return strings.Compare(a.Adopted, b.Adopted)
	})
	return out
}

// After returns the known revisions of the named law (any form of its
// title) adopted after the text dated version, oldest first. A text
// without a date ("") is taken to be older than every revision.
func After(law, version string) []Revision {
	key := corpus.NormalizeTitle(law)
	var out []Revision
	for _, r := range known {
		if corpus.NormalizeTitle(r.Law) == key && r.Adopted > version {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Revision) int { return strings.Compare(a.Adopted, b.Adopted) })
	return out
}

// Lookup returns the known revision of the named law adopted on the given
// date, if any: it tells how a text of that date came about.
func Lookup(law, adopted string) (Revision, bool) {
	key := corpus.NormalizeTitle(law)
	for _, r := range known {
		if corpus.NormalizeTitle(r.Law) == key && r.Adopted == adopted {
			return r, true
		}
	}
	return Revision{}, false
}

// china is China Standard Time; China keeps no daylight saving time.
var china = time.FixedZone("CST", 8*3600)

// Today is the China date of now as YYYY-MM-DD.
func Today(now time.Time) string { return now.In(china).Format("2006-01-02") }

// Database names the official source of current law texts.
const Database = "国家法律法规数据库（flk.npc.gov.cn）"

// where tells residents where to read a text and whom to ask.
func where(what string) string {
	return what + "可在" + Database + "查阅，也可拨打12348公共法律服务热线咨询。"
}

// Warning is the plain-Chinese warning shown before articles of the law
// titled title from its text dated version (made by event: 通过, 修正, 修订
// or ""), when r, a revision adopted after that text, is known. Before r is
// in force the text still applies, and the warning says so.
func Warning(title, version, event string, r Revision, now time.Time) string {
	var b strings.Builder
	b.WriteString("以下引用的《" + title + "》")
	if version != "" {
		b.WriteString("是" + Label(version, event) + "的文本，")
	} else {
		b.WriteString("不是最新文本，")
	}
	if r.InForceOn(now) {
		fmt.Fprintf(&b, "该法已于%s%s，%s起施行，以下条文可能已有变化，请以新法为准。", Date(r.Adopted), r.Kind, Date(r.InForce))
	} else {
		fmt.Fprintf(&b, "该法已于%s%s，将于%s起施行，在此之前仍适用以下条文，施行后请以新法为准。", Date(r.Adopted), r.Kind, Date(r.InForce))
	}
	b.WriteString(where("新法全文"))
	return b.String()
}

// MissingNotice tells a resident that a law they ask about is not loaded,
// and where to read it.
func MissingNotice(r Revision, now time.Time) string {
	when := Date(r.InForce) + "起施行"
	if !r.InForceOn(now) {
		when = "将于" + when
	}
	return fmt.Sprintf("《%s》已于%s%s，%s。本机的法律库还没有收录这部法律的全文，暂时无法引用它的条文。%s",
		r.Title(), Date(r.Adopted), r.Kind, when, where("全文"))
}

// Label names a text by its date and how it was made, as in
// 《中华人民共和国治安管理处罚法》（2012年修正）: "2012年修正", "2020年通过",
// "2025年版" when the event is unknown, "" for an undated text.
func Label(version, event string) string {
	if len(version) < 4 {
		return ""
	}
	year := version[:4]
	switch event {
	case Enacted, Revised, Amended:
		return year + "年" + event
	case "公布":
		return year + "年公布"
	}
	return year + "年版"
}

// Date writes a YYYY-MM-DD date the Chinese way, 2025年6月27日; other
// strings are returned unchanged.
func Date(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
}
