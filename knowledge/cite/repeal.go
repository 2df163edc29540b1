package cite

// Repeal describes a law that is no longer in force.
type Repeal struct {
	Law        string // short name, e.g. "婚姻法"
	Title      string // full title, e.g. "中华人民共和国婚姻法"
	RepealedOn string // date the repeal took effect, "2021-01-01"
	ReplacedBy string // short name of the law that replaced it, e.g. "民法典"
	Note       string // one plain-Chinese sentence for residents
}

// civilCodeDate is the day the 民法典 took effect and its nine predecessors
// were repealed (民法典 第一千二百六十条).
const civilCodeDate = "2021-01-01"

// repeals lists repealed laws that residents still cite, keyed by short name.
var repeals = map[string]Repeal{
	"婚姻法": civilCodeRepeal("婚姻法", "相关规定现在见《中华人民共和国民法典》婚姻家庭编。"),
	"继承法": civilCodeRepeal("继承法", "相关规定现在见《中华人民共和国民法典》继承编。"),
	"民法通则": civilCodeRepeal("民法通则",
		"相关规定现在主要见《中华人民共和国民法典》总则编，财产、合同、人格权和侵权等内容分别见民法典其他各编。"),
	"收养法": civilCodeRepeal("收养法", "相关规定现在见《中华人民共和国民法典》婚姻家庭编第五章“收养”。"),
	"担保法": civilCodeRepeal("担保法",
		"相关规定现在见《中华人民共和国民法典》物权编“担保物权”分编和合同编“保证合同”一章。"),
	"合同法":   civilCodeRepeal("合同法", "相关规定现在见《中华人民共和国民法典》合同编。"),
	"物权法":   civilCodeRepeal("物权法", "相关规定现在见《中华人民共和国民法典》物权编。"),
	"侵权责任法": civilCodeRepeal("侵权责任法", "相关规定现在见《中华人民共和国民法典》侵权责任编。"),
	"民法总则": civilCodeRepeal("民法总则",
		"相关规定现在见《中华人民共和国民法典》总则编，条文序号基本没有变化。"),
	"治安管理处罚条例": {
		Law:        "治安管理处罚条例",
		Title:      "中华人民共和国治安管理处罚条例",
		RepealedOn: "2006-03-01",
		ReplacedBy: "治安管理处罚法",
		Note:       "《中华人民共和国治安管理处罚条例》已于2006年3月1日治安管理处罚法施行时废止，现在适用《中华人民共和国治安管理处罚法》。",
	},
	"食品卫生法": {
		Law:        "食品卫生法",
		Title:      "中华人民共和国食品卫生法",
		RepealedOn: "2009-06-01",
		ReplacedBy: "食品安全法",
		Note:       "《中华人民共和国食品卫生法》已于2009年6月1日食品安全法施行时废止，现在适用《中华人民共和国食品安全法》。",
	},
}

// civilCodeRepeal builds the entry for a law repealed when the 民法典 took
// effect; where says where its rules are now.
func civilCodeRepeal(short, where string) Repeal {
	title := statePrefix + short
	return Repeal{
		Law:        short,
		Title:      title,
		RepealedOn: civilCodeDate,
		ReplacedBy: "民法典",
		Note:       "《" + title + "》已于2021年1月1日民法典施行时废止，" + where,
	}
}

// Repealed reports whether the law, given by its canonical short name, is
// repealed, and if so describes the repeal. Names are passed through
// Canonical first, so "《中华人民共和国婚姻法》" works as well.
func Repealed(short string) (Repeal, bool) {
	s, ok := Canonical(short)
	if !ok {
		return Repeal{}, false
	}
	r, ok := repeals[s]
	return r, ok
}

// civilGeneralLast is the last article of the 民法总则 (2017). Its articles
// 1–204 kept their numbers in the 总则编 of the 民法典; 第二百零五条 (the
// meaning of 以上/以下) became 第一千二百五十九条, and 第二百零六条 (its own
// commencement date) has no successor.
const civilGeneralLast = 204

// civilGeneralSuccessor maps an article of the 民法总则 to the 民法典.
func civilGeneralSuccessor(article int) (int, bool) {
	switch {
	case article >= 1 && article <= civilGeneralLast:
		return article, true
	case article == 205:
		return 1259, true
	}
	return 0, false
}

// Successor maps an article of a repealed law to the current article that
// replaced it, where the mapping is known: Successor("婚姻法", 32, "") gives
// ("民法典", 1079, "", true). When an old article was split over several new
// ones, the main one is returned. The repealed laws have no 之一 articles, so
// a non-empty suffix never matches.
func Successor(short string, article int, suffix string) (law string, newArticle int, newSuffix string, ok bool) {
	s, ok := Canonical(short)
	if !ok || suffix != "" {
		return "", 0, "", false
	}
	if s == "民法总则" {
		if n, ok := civilGeneralSuccessor(article); ok {
			return "民法典", n, "", true
		}
		return "", 0, "", false
	}
	if n, ok := successorTables[s][article]; ok {
		return "民法典", n, "", true
	}
	return "", 0, "", false
}
