package cite

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// statePrefix is the formal prefix of national law titles.
const statePrefix = "中华人民共和国"

// aliases maps short forms and nicknames, as residents and lawyers write
// them, to the canonical short name used by the corpus (the title without
// 中华人民共和国). Keys are already cleaned (no brackets, spaces or prefix).
var aliases = map[string]string{
	// 民法典 and the laws it replaced.
	"民法典总则":  "民法典",
	"中国民法典":  "民法典",
	"民通":     "民法通则",
	"侵权法":    "侵权责任法",
	"刑法典":    "刑法",
	"治安处罚条例": "治安管理处罚条例",

	// Consumers, minors, families, the elderly.
	"消法":       "消费者权益保护法",
	"消保法":      "消费者权益保护法",
	"消权法":      "消费者权益保护法",
	"消费者权益法":   "消费者权益保护法",
	"消费者保护法":   "消费者权益保护法",
	"消费者权益保障法": "消费者权益保护法",
	"未保法":      "未成年人保护法",
	"未成年人法":    "未成年人保护法",
	"预防未成年犯罪法": "预防未成年人犯罪法",
	"家暴法":      "反家庭暴力法",
	"反家暴法":     "反家庭暴力法",
	"家庭暴力法":    "反家庭暴力法",
	"妇女法":      "妇女权益保障法",
	"妇女权益法":    "妇女权益保障法",
	"妇保法":      "妇女权益保障法",
	"老年法":      "老年人权益保障法",
	"老年人法":     "老年人权益保障法",
	"老人法":      "老年人权益保障法",
	"老年人权益法":   "老年人权益保障法",
	"残疾人法":     "残疾人保障法",
	"残保法":      "残疾人保障法",
	"家教法":      "家庭教育促进法",
	"家庭教育法":    "家庭教育促进法",
	"义教法":      "义务教育法",
	"计生法":      "人口与计划生育法",
	"计划生育法":    "人口与计划生育法",
	"英烈法":      "英雄烈士保护法",
	"英烈保护法":    "英雄烈士保护法",

	// Work and social security.
	"劳合法":     "劳动合同法",
	"劳动仲裁法":   "劳动争议调解仲裁法",
	"劳动争议仲裁法": "劳动争议调解仲裁法",
	"劳动争议法":   "劳动争议调解仲裁法",
	"社保法":     "社会保险法",
	"就业法":     "就业促进法",
	"职业病法":    "职业病防治法",
	"职防法":     "职业病防治法",
	"退役军人法":   "退役军人保障法",
	"工伤条例":    "工伤保险条例",
	"物业条例":    "物业管理条例",

	// Public order, fraud, personal data, security.
	"反诈法":    "反电信网络诈骗法",
	"反电诈法":   "反电信网络诈骗法",
	"反电信诈骗法": "反电信网络诈骗法",
	"反网络诈骗法": "反电信网络诈骗法",
	"个保法":    "个人信息保护法",
	"个人信息法":  "个人信息保护法",
	"个信法":    "个人信息保护法",
	"治安法":    "治安管理处罚法",
	"治安处罚法":  "治安管理处罚法",
	"治安管理法":  "治安管理处罚法",
	"国安法":    "国家安全法",
	"香港国安法":  "香港特别行政区维护国家安全法",
	"反恐法":    "反恐怖主义法",
	"保密法":    "保守国家秘密法",
	"网安法":    "网络安全法",
	"数安法":    "数据安全法",
	"警察法":    "人民警察法",
	"身份证法":   "居民身份证法",
	"出入境法":   "出境入境管理法",
	"出入境管理法": "出境入境管理法",
	"道交法":    "道路交通安全法",
	"交通法":    "道路交通安全法",
	"交通安全法":  "道路交通安全法",
	"道路交通法":  "道路交通安全法",

	// Procedure and administration.
	"刑诉法":     "刑事诉讼法",
	"民诉法":     "民事诉讼法",
	"行诉法":     "行政诉讼法",
	"调解法":     "人民调解法",
	"援助法":     "法律援助法",
	"法援法":     "法律援助法",
	"行复法":     "行政复议法",
	"复议法":     "行政复议法",
	"行处法":     "行政处罚法",
	"行许法":     "行政许可法",
	"许可法":     "行政许可法",
	"行强法":     "行政强制法",
	"强制法":     "行政强制法",
	"国赔法":     "国家赔偿法",
	"政务处分法":   "公职人员政务处分法",
	"村组法":     "村民委员会组织法",
	"村委会组织法":  "村民委员会组织法",
	"居委会组织法":  "城市居民委员会组织法",
	"法律适用法":   "涉外民事关系法律适用法",
	"涉外法律适用法": "涉外民事关系法律适用法",

	// Land, housing, environment.
	"土地承包法":  "农村土地承包法",
	"土地法":    "土地管理法",
	"土管法":    "土地管理法",
	"房地产法":   "城市房地产管理法",
	"房地产管理法": "城市房地产管理法",
	"环保法":    "环境保护法",
	"大气法":    "大气污染防治法",
	"噪声法":    "噪声污染防治法",
	"固废法":    "固体废物污染环境防治法",
	"野保法":    "野生动物保护法",

	// Business, tax, health.
	"食安法":     "食品安全法",
	"食品法":     "食品安全法",
	"药品法":     "药品管理法",
	"药管法":     "药品管理法",
	"疫苗法":     "疫苗管理法",
	"传染病法":    "传染病防治法",
	"基本医疗卫生法": "基本医疗卫生与健康促进法",
	"电商法":     "电子商务法",
	"产品法":     "产品质量法",
	"产质法":     "产品质量法",
	"不正当竞争法":  "反不正当竞争法",
	"版权法":     "著作权法",
	"合伙法":     "合伙企业法",
	"破产法":     "企业破产法",
	"外资法":     "外商投资法",
	"基金法":     "证券投资基金法",
	"合作社法":    "农民专业合作社法",
	"个税法":     "个人所得税法",
	"征管法":     "税收征收管理法",
	"税收征管法":   "税收征收管理法",
	"中小企业法":   "中小企业促进法",
	"乡村振兴法":   "乡村振兴促进法",
	"民办教育法":   "民办教育促进法",
	"反浪费法":    "反食品浪费法",
	"无障碍法":    "无障碍环境建设法",
}

// civilCodeParts are the 编 of the 民法典; "民法典婚姻家庭编" and the bare
// part names canonicalise to 民法典. The bare 总则 and 附则 are left out
// because other laws have them too.
var civilCodeParts = []string{"总则编", "物权编", "合同编", "人格权编", "婚姻家庭编", "继承编", "侵权责任编"}

// lawParts are headings that may stand between a law name and 第…条:
// 《民法典》婚姻家庭编第一千零七十九条, 刑法总则第二十条. The parts that only
// the 民法典 has come last; partBefore relies on that order.
var lawParts = append([]string{"总则", "分则", "附则"}, civilCodeParts...)

// isIgnorable reports whether r is an invisible formatting character that
// should be skipped wherever it appears (zero-width spaces and joiners,
// direction marks and isolates, word joiner, BOM, soft hyphen, variation
// selectors).
func isIgnorable(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, // ZWSP, ZWNJ, ZWJ, LRM, RLM
		r >= 0x202A && r <= 0x202E, // LRE, RLE, PDF, LRO, RLO
		r >= 0x2060 && r <= 0x2064, // word joiner, invisible operators
		r >= 0x2066 && r <= 0x206F, // isolates and deprecated format chars
		r >= 0xFE00 && r <= 0xFE0F, // variation selectors
		r == 0xFEFF, r == 0x00AD, r == 0x061C, r == 0x180E:
		return true
	}
	return false
}

// isNameBracket reports whether r is one of the title marks stripped from
// law names.
func isNameBracket(r rune) bool {
	switch r {
	case '《', '》', '〈', '〉', '<', '>', '＜', '＞', '«', '»', '“', '”', '"', '「', '」', '『', '』':
		return true
	}
	return false
}

// foldDigit maps a full-width digit to its ASCII form.
func foldDigit(r rune) rune {
	if r >= '０' && r <= '９' {
		return r - '０' + '0'
	}
	return r
}

// Canonical maps a law name as people write it to its canonical short name.
// It strips title marks (《》〈〉<> and quotes), spaces, invisible characters
// and a leading 中华人民共和国, unifies brackets to the full-width （）, drops a
// trailing version note that holds digits such as （2023修订） or (2018-10-26),
// maps 民法典 parts (民法典婚姻家庭编) to 民法典 and then applies the alias
// table (消法 → 消费者权益保护法, 未保法 → 未成年人保护法, …). It returns the
// cleaned name unchanged when no alias applies, and ok=false when the
// cleaned name is empty.
func Canonical(name string) (short string, ok bool) {
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); {
		r, w := utf8.DecodeRuneInString(name[i:])
		i += w
		switch {
		case r == utf8.RuneError && w <= 1:
			// Drop invalid bytes.
		case isIgnorable(r), unicode.IsSpace(r), isNameBracket(r):
		case r == '(':
			b.WriteRune('（')
		case r == ')':
			b.WriteRune('）')
		default:
			b.WriteRune(foldDigit(r))
		}
	}
	s := b.String()
	for strings.HasPrefix(s, statePrefix) {
		s = s[len(statePrefix):]
	}
	s = stripVersionNote(s)
	if s == "" {
		return "", false
	}
	if strings.HasPrefix(s, "民法典") {
		rest := s[len("民法典"):]
		for _, p := range civilCodeParts {
			if rest == p {
				return "民法典", true
			}
		}
	}
	for _, p := range civilCodeParts {
		if s == p {
			return "民法典", true
		}
	}
	if a, ok := aliases[s]; ok {
		return a, true
	}
	return s, true
}

// stripVersionNote removes trailing parenthesised notes that contain a digit,
// such as （2023修订） or （2018-10-26）, but keeps ordinals such as
// 刑法修正案（十一） and 企业破产法（试行）.
func stripVersionNote(s string) string {
	for strings.HasSuffix(s, "）") {
		open := strings.LastIndex(s, "（")
		if open <= 0 {
			return s
		}
		note := s[open+len("（") : len(s)-len("）")]
		if !strings.ContainsAny(note, "0123456789") {
			return s
		}
		s = s[:open]
	}
	return s
}
