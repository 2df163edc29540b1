package currency

// known lists revisions adopted after the law texts of the April 2025
// LawRefBook snapshot, and laws enacted since that the snapshot lacks.
//
// Review status (keep this comment true when adding rows):
//   - 治安管理处罚法, 反不正当竞争法, 仲裁法, 网络安全法 and 民营经济促进法:
//     dates as given by the justice office when the gap was reported; the
//     source lines follow the form of the official texts. Checked against
//     the snapshot: it holds only the older texts (治安管理处罚法 2012,
//     反不正当竞争法 2019, 仲裁法 2017, 网络安全法 2016) and no 民营经济促进法.
//   - 传染病防治法 and 食品安全法: dates checked against the published texts'
//     promulgation and effective dates (the processed national-law corpus
//     lttxzmj/chinese-law-corpus, laws/infectious-disease-prevention-law.json
//     and laws/food-safety-law.json, taken from flk.npc.gov.cn). 食品安全法
//     第一百四十八条 reads the same in the 2025 text as in the 2021 one.
//   - 海商法: named as revised in 2025 by the snapshot's SOURCE.md; the dates
//     are recalled, not yet checked against the national law database
//     (flk.npc.gov.cn). Check them there before relying on them.
//
// Add a row only when its dates are certain, after checking that the
// corpus does not already hold the text.
var known = []Revision{
	{
		Law: "治安管理处罚法", Kind: Revised, Adopted: "2025-06-27", InForce: "2026-01-01",
		Source: "2025年6月27日第十四届全国人民代表大会常务委员会第十六次会议修订",
	},
	{
		Law: "反不正当竞争法", Kind: Revised, Adopted: "2025-06-27", InForce: "2025-10-15",
		Source: "2025年6月27日第十四届全国人民代表大会常务委员会第十六次会议修订",
	},
	{
		Law: "仲裁法", Kind: Revised, Adopted: "2025-09-12", InForce: "2026-03-01",
		Source: "2025年9月12日第十四届全国人民代表大会常务委员会第十七次会议修订",
	},
	{
		Law: "网络安全法", Kind: Amended, Adopted: "2025-10-28", InForce: "2026-01-01",
		Source: "2025年10月28日第十四届全国人民代表大会常务委员会第十八次会议《关于修改〈中华人民共和国网络安全法〉的决定》修正",
	},
	{
		Law: "民营经济促进法", Kind: Enacted, Adopted: "2025-04-30", InForce: "2025-05-20",
		Source: "2025年4月30日第十四届全国人民代表大会常务委员会第十五次会议通过",
		Names:  []string{"民营经济促进法", "民营经济法", "民营企业促进法"},
	},
	{
		Law: "传染病防治法", Kind: Revised, Adopted: "2025-04-30", InForce: "2025-09-01",
		Source: "2025年4月30日第十四届全国人民代表大会常务委员会第十五次会议修订",
	},
	{
		Law: "食品安全法", Kind: Amended, Adopted: "2025-09-12", InForce: "2025-12-01",
		Source: "2025年9月12日第十四届全国人民代表大会常务委员会第十七次会议《关于修改〈中华人民共和国食品安全法〉的决定》修正",
	},
	{
		Law: "海商法", Kind: Revised, Adopted: "2025-10-28", InForce: "2026-05-01",
		Source: "2025年10月28日第十四届全国人民代表大会常务委员会第十八次会议修订",
	},
}
