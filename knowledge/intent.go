package knowledge

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/pufabot/pufabot/knowledge/cite"
)

// Deciding whether a message is a legal question at all, before anything is
// cited for it. Residents greet the bot, thank it, send an emoji or ask what
// to cook tonight; ranked retrieval finds "related" articles for any text,
// so a message with no legal content must be recognised and answered with
// the menu instead of an unrelated article.
//
// The decision is a small, explainable gate over four signals:
//   - small talk: the whole message is a greeting, thanks, goodbye, a
//     question about the bot or an acknowledgement (TalkKind);
//   - legal cues: words residents use for legal matters (打官司, 工钱, 离婚,
//     被打, 欠钱 …) and the lay phrases of the lay→legal dictionary,
//     weighed strong or weak (cueScore);
//   - statute vocabulary: words frequent in the indexed articles
//     (statuteTerms), which questions phrased in legal words use
//     (居住权可以出租吗) and everyday chatter rarely does;
//   - a direct match with a curated FAQ question, enough on its own.
//
// TestIntentGate measures the gate on labelled messages (testdata/intent)
// and on the training questions; -v prints the trade-off curve.

// TalkKind says what kind of small talk a message is.
type TalkKind string

// The kinds of small talk answered with a short reply and the menu.
const (
	TalkGreeting TalkKind = "greeting" // 你好, 在吗
	TalkThanks   TalkKind = "thanks"   // 谢谢
	TalkBye      TalkKind = "bye"      // 再见
	TalkIdentity TalkKind = "identity" // 你是谁, 你能干什么
	TalkAck      TalkKind = "ack"      // 好的, 嗯, 👍
	TalkOpen     TalkKind = "open"     // 我想咨询一下, 有个事想问问: the question is still to come
)

// talkPhrases are the phrases small talk is made of, by kind. A message is
// small talk when it consists of these phrases and filler particles only.
var talkPhrases = map[TalkKind][]string{
	TalkGreeting: {
		"你好", "您好", "你们好", "大家好", "哈喽", "哈罗", "嗨", "喂", "hello", "hi", "hey", "nihao", "ninhao",
		"早", "早上好", "早安", "上午好", "中午好", "下午好", "晚上好", "在吗", "在么", "在不在", "在嘛", "zaima", "zaibuzai",
		"有人吗", "有人在吗", "有没有人", "小助手", "机器人", "goodmorning", "howareyou",
		"新年快乐", "过年好", "春节快乐", "节日快乐", "中秋快乐", "中秋节快乐", "元旦快乐", "端午安康", "生日快乐", "恭喜发财",
		"吃了吗", "吃了没", "吃饭了吗", "吃饭了没", "你吃饭了吗", "chifanlemei", "最近好吗", "身体好吗", "祝你身体健康", "身体健康",
	},
	TalkThanks: {
		"谢谢", "谢谢你", "谢谢您", "谢啦", "谢了", "多谢", "感谢", "感谢你", "太感谢了", "非常感谢", "十分感谢", "万分感谢",
		"辛苦了", "辛苦", "麻烦你了", "麻烦了", "thanks", "thankyou", "thx", "xiexie", "xiexieni",
	},
	TalkBye: {
		"再见", "拜拜", "拜", "bye", "byebye", "88", "886", "晚安", "下次聊", "下次再聊", "回头见", "回聊", "先这样", "就这样",
	},
	TalkIdentity: {
		"你是谁", "您是谁", "你是哪个", "你叫什么", "你叫什么名字", "你是机器人吗", "你是真人吗", "你是人吗", "你是人还是机器",
		"你是人还是机器人", "你是什么", "你是干什么的", "你是干嘛的", "你能干啥", "你能干什么", "你会干什么", "你会干啥", "你能做什么",
		"你会什么", "你有什么用", "你几岁了", "你多大了", "你是哪里的", "怎么用", "怎么用你", "nishishei", "whoareyou",
	},
	TalkOpen: {
		"咨询", "咨询一下", "想咨询", "想咨询一下", "我想咨询", "我想咨询一下", "咨询个事", "咨询个问题", "咨询点事", "想咨询个事",
		"请问", "请问一下", "问一下", "问问", "想问问", "想问一下", "我想问", "我想问问", "我想问一下", "问个事", "问个问题",
		"想问个事", "想问个问题", "我想问个问题", "有个事", "有个事情", "有件事", "有点事", "有个问题", "我有个问题", "我有个事",
		"有事", "有事想问", "有个事想问问", "有事请教", "请教一下", "请教", "打扰一下", "打扰了", "打扰", "能问个问题吗", "可以问吗",
		"可以问个问题吗", "能帮我吗", "能帮帮我吗", "可以帮我吗", "帮帮我", "帮我一下", "帮个忙", "求助", "求帮忙", "亲", "亲亲",
		"在不", "在没", "在没得", "好吗", "你好吗", "我想问下", "问下", "想问下", "想请教", "麻烦问一下", "麻烦问下",
	},
	TalkAck: {
		"好", "好的", "好嘞", "好滴", "好吧", "好呀", "行", "行吧", "可以", "嗯", "嗯嗯", "嗯呢", "哦", "噢", "喔", "哦哦",
		"知道了", "知道", "明白了", "明白", "懂了", "了解", "收到", "ok", "okay", "okk", "好的ok", "对", "对的", "是的", "是",
		"没事", "没事了", "算了", "不用了", "不用", "没什么", "没问题", "哈", "呵", "嘿", "嘻", "666", "厉害", "牛", "真棒",
		"你真棒", "好聪明", "你好聪明", "赞", "点赞", "不错", "很好", "nice", "good", "great", "haode", "测试", "test", "测试一下",
		"发错了", "不好意思", "打错了", "打错字了",
	},
}

// talkFiller are characters small talk may be padded with.
const talkFiller = "啊呀呢吧啦嘛哦噢哇呗咯喽哟了的哈呵嘿嘻～~么"

// talkPriority decides a mixed message's kind (您好，谢谢 is thanks).
var talkPriority = []TalkKind{TalkIdentity, TalkThanks, TalkBye, TalkOpen, TalkGreeting, TalkAck}

var (
	talkKind   = map[string]TalkKind{}
	talkMaxLen int
	// wechatEmoji are WeChat's bracketed emoticons, [微笑], pasted as text.
	wechatEmoji = regexp.MustCompile(`\[[\p{Han}a-zA-Z]{1,4}\]`)
)

func init() {
	for k, ps := range talkPhrases {
		for _, p := range ps {
			talkKind[p] = k
			if n := len([]rune(p)); n > talkMaxLen {
				talkMaxLen = n
			}
		}
	}
}

// SmallTalk reports whether message is small talk, and of what kind. A
// message made only of emoji (👍, 🙏) is an acknowledgement; one made only
// of punctuation is not small talk.
func SmallTalk(message string) (TalkKind, bool) {
	s := wechatEmoji.ReplaceAllString(message, "😀")
	var b strings.Builder
	pictures := false
	for _, r0 := range s {
		r := fold(r0)
		switch {
		case isHan(r) || (r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))):
			b.WriteRune(r)
		case unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r):
			pictures = true
		}
	}
	text := []rune(b.String())
	if len(text) == 0 {
		return TalkAck, pictures
	}
	// found[i] is the kinds seen on the best way to cover text[:i].
	type cover struct {
		ok    bool
		kinds map[TalkKind]bool
	}
	found := make([]cover, len(text)+1)
	found[0] = cover{ok: true, kinds: map[TalkKind]bool{}}
	for i := 0; i < len(text); i++ {
		if !found[i].ok {
			continue
		}
		if strings.ContainsRune(talkFiller, text[i]) && !found[i+1].ok {
			found[i+1] = found[i]
		}
		for n := 1; n <= talkMaxLen && i+n <= len(text); n++ {
			k, ok := talkKind[string(text[i:i+n])]
			if !ok {
				continue
			}
			kinds := map[TalkKind]bool{k: true}
			for x := range found[i].kinds {
				kinds[x] = true
			}
			found[i+n] = cover{ok: true, kinds: kinds}
		}
	}
	end := found[len(text)]
	if !end.ok || len(end.kinds) == 0 {
		return "", false
	}
	for _, k := range talkPriority {
		if end.kinds[k] {
			return k, true
		}
	}
	return "", false
}

// Cue weights: a strong cue alone makes a message a legal question; weak
// cues need company (another cue or statute vocabulary).
const (
	cueStrong = 2
	cueWeak   = 1
)

// legalCues are the words residents use when something legal is at stake.
// Lay phrases of the lay→legal dictionary (layTerms) count as weak cues
// unless listed here (with their own weight, 0 for words too common in
// everyday talk to say anything).
var legalCues = map[string]float64{
	// Law and the justice system.
	"法律": cueStrong, "法条": cueStrong, "法规": cueStrong, "犯法": cueStrong, "违法": cueStrong, "合法": cueStrong,
	"非法": cueStrong, "守法": cueStrong, "法院": cueStrong, "律师": cueStrong, "起诉": cueStrong, "诉讼": cueStrong,
	"官司": cueStrong, "上诉": cueStrong, "判决": cueStrong, "判刑": cueStrong, "判几年": cueStrong, "判多久": cueStrong,
	"坐牢": cueStrong, "拘留": cueStrong, "罚款": cueStrong, "处罚": cueStrong, "派出所": cueStrong, "报警": cueStrong,
	"报案": cueStrong, "立案": cueStrong, "公安": cueStrong, "警察": cueStrong, "检察": cueStrong, "仲裁": cueStrong,
	"传票": cueStrong, "被抓": cueStrong, "抓了": cueStrong, "冤枉": cueStrong, "犯罪": cueStrong, "什么罪": cueStrong,
	"罪吗": cueStrong, "判了": cueStrong, "法律责任": cueStrong, "负责任": cueStrong, "谁负责": cueStrong, "担责": cueStrong,
	"赔偿": cueStrong, "赔钱": cueStrong, "索赔": cueStrong, "谁赔": cueStrong, "要赔": cueStrong, "赔多少": cueStrong,
	"不赔": cueStrong, "赔不赔": cueStrong, "维权": cueStrong, "侵权": cueStrong, "违约": cueStrong, "合同": cueStrong,
	"协议": cueStrong, "权利": cueStrong, "权益": cueStrong, "义务": cueStrong, "能告": cueStrong, "告他": cueStrong,
	"告她": cueStrong, "告状": cueStrong, "投诉": cueWeak, "举报": cueWeak, "纠纷": cueStrong, "调解": cueStrong,
	// Money owed.
	"欠钱": cueStrong, "欠款": cueStrong, "欠债": cueStrong, "欠我": cueStrong, "借钱": cueStrong, "借款": cueStrong,
	"借条": cueStrong, "欠条": cueStrong, "还钱": cueStrong, "不还": cueStrong, "讨债": cueStrong, "要账": cueStrong,
	"债务": cueStrong, "担保": cueStrong, "网贷": cueStrong, "高利贷": cueStrong, "老赖": cueStrong,
	// Work.
	"工资": cueStrong, "工钱": cueStrong, "薪水": cueStrong, "拖欠": cueStrong, "讨薪": cueStrong, "辞退": cueStrong,
	"开除": cueStrong, "补偿": cueStrong, "工伤": cueStrong, "社保": cueStrong, "劳动": cueStrong, "加班费": cueStrong,
	"包工头": cueStrong, "没签合同": cueStrong, "试用期": cueStrong,
	// Family.
	"离婚": cueStrong, "结婚证": cueStrong, "彩礼": cueStrong, "抚养": cueStrong, "赡养": cueStrong, "遗产": cueStrong,
	"继承": cueStrong, "遗嘱": cueStrong, "家产": cueStrong, "家暴": cueStrong, "出轨": cueStrong, "不养老": cueStrong,
	"归谁": cueStrong, "怎么分": cueStrong, "分家": cueStrong, "退婚": cueStrong, "领证": cueStrong,
	// Land and housing.
	"宅基地": cueStrong, "承包地": cueStrong, "征地": cueStrong, "征收": cueStrong, "拆迁": cueStrong, "被占": cueStrong,
	"占了": cueWeak, "占我": cueStrong, "房产证": cueStrong, "过户": cueStrong, "押金": cueStrong, "房东": cueWeak,
	// Harm, crime, fraud.
	"被打": cueStrong, "打人": cueStrong, "打我": cueStrong, "打架": cueStrong, "殴打": cueStrong, "动手": cueWeak,
	"威胁": cueStrong, "敲诈": cueStrong, "勒索": cueStrong, "诈骗": cueStrong, "被骗": cueStrong, "骗了": cueStrong,
	"骗子": cueStrong, "盗窃": cueStrong, "偷东西": cueStrong, "被偷": cueStrong, "偷了": cueStrong, "抢劫": cueStrong,
	"车祸": cueStrong, "交通事故": cueStrong, "撞车": cueStrong, "被撞": cueStrong, "撞了": cueStrong, "撞伤": cueStrong,
	"逃逸": cueStrong, "酒驾": cueStrong, "醉驾": cueStrong, "无证": cueStrong, "咬了": cueWeak, "咬人": cueStrong,
	"狗咬": cueStrong, "造谣": cueStrong, "诽谤": cueStrong, "侮辱": cueStrong, "冒用": cueStrong, "盗用": cueStrong,
	"假货": cueStrong, "退货": cueStrong, "不退": cueStrong, "商家": cueWeak, "欺诈": cueStrong, "骚扰": cueWeak,
	"闹事": cueStrong, "摔伤": cueWeak, "受伤": cueWeak, "砸到": cueWeak, "被抢": cueStrong, "吸毒": cueStrong,
	"毒品": cueStrong, "赌博": cueStrong, "传销": cueStrong, "非法集资": cueStrong, "租银行卡": cueStrong,
	"身份证被": cueStrong, "个人信息": cueStrong, "隐私": cueStrong, "肖像": cueStrong, "被人骂": cueStrong,
	// Everyday words of the dictionary too common to be cues.
	"树": 0, "走路": 0, "老人": 0, "孩子": 0, "小孩": 0, "学生": 0, "上班": 0, "公司": 0, "老板": 0,
	"单位": 0, "员工": 0, "职工": 0, "医院": 0, "看病": 0, "医生": 0, "手术": 0, "商场": 0, "超市": 0, "景区": 0,
	"宠物": 0, "狗": 0, "照片": 0, "名字": 0, "改名": 0, "过期": 0, "买到": 0, "快递": 0, "外卖": 0, "转账": 0, "银行卡": 0,
	"电话卡": 0, "充值卡": cueWeak, "会员卡": cueWeak, "老公": 0, "老婆": 0, "媳妇": 0, "爹妈": 0, "爸妈": 0, "带孩子": 0,
	"养老": 0, "打工": 0, "利息": 0, "选举": 0, "信仰": 0, "政府": 0, "户口": 0, "驾照": 0, "骑手": 0, "导游": 0,
	"中介": 0, "装修": 0, "车位": 0, "物业": 0, "租房": 0, "买房": 0, "卖房": 0, "二手房": 0, "开车": 0, "摩托": 0,
	"电动车": 0, "上学": 0, "村里": 0, "村委会": 0, "邻居": cueWeak, "噪音": cueWeak, "公证": cueWeak, "鉴定": cueWeak,
	"证据": cueWeak, "执行": cueWeak, "人脸": 0, "时效": cueWeak, "分红": cueWeak, "遗体": 0, "尸体": cueWeak,
	"火化": 0, "溺水": 0, "自杀": 0, "农民工": cueWeak, "老人去世": cueWeak, "死后": cueWeak, "后妈": cueWeak,
	"后爸": cueWeak, "孩子归谁": cueStrong, "退款": cueWeak, "网购": 0, "买到假": cueStrong,
	"司法所": 0, // 司法所在哪里 asks the way, not the law (its 司法 is no 法 word)
	// Colloquial ways of saying the above.
	"被人打": cueStrong, "挨打": cueStrong, "打伤": cueStrong, "不给钱": cueStrong, "不给": cueWeak, "拖着": cueWeak,
	"扣了": cueWeak, "乱用": cueWeak, "不让": cueWeak, "分地": cueStrong, "能分": cueWeak, "退钱": cueStrong,
	"不修": cueWeak, "滑倒": cueWeak, "倒闭": cueWeak, "跑路": cueStrong, "霸凌": cueStrong, "欺负": cueWeak,
	"不管": cueWeak, "被人": cueWeak, "被别人": cueWeak, "欠的钱": cueStrong, "要我还": cueWeak, "排到": cueWeak,
	"婆婆": cueWeak, "公公": cueWeak, "前夫": cueWeak, "前妻": cueWeak, "带走孩子": cueWeak,
	// Disputes between neighbours, over homes, deals and the old, as
	// residents put them (楼上装修天天吵, 交了定金房主反悔了, 儿子不给养老钱).
	"养老钱": cueStrong, "生活费": cueWeak, "不给我": cueWeak, "定金": cueStrong, "订金": cueStrong, "反悔": cueWeak,
	"物业费": cueStrong, "工期": cueWeak, "拖延": cueWeak, "楼上": cueWeak, "楼下": cueWeak, "隔壁": cueWeak,
	"吵得": cueWeak, "睡不着": cueWeak, "太臭": cueWeak, "臭味": cueWeak, "漏水": cueWeak, "渗水": cueWeak,
	"空调外机": cueWeak, "挡光": cueWeak, "采光": cueWeak, "关门了": cueWeak, "健身卡": cueWeak, "预付卡": cueWeak,
	"留下的": cueWeak, "也要分": cueStrong, "要分": cueWeak, "能卖给": cueWeak, "卖给城里人": cueStrong, "农村的房子": cueWeak,
	"房主": cueWeak, "租客": cueWeak, "不退押金": cueStrong, "霸占": cueStrong, "占用": cueWeak, "乱停": cueWeak,
	// Legal notions residents name.
	// Shares of what the dead left, care of the old, wages, police.
	"咋分": cueStrong, "咋个分": cueStrong, "怎么个分法": cueStrong, "归哪个": cueStrong, "哪个得": cueWeak,
	"谁得": cueWeak, "没人养": cueStrong, "不养": cueWeak, "欠薪": cueStrong, "交警": cueStrong, "吵": cueWeak,
	"摔断": cueWeak, "骨折": cueWeak, "不认账": cueStrong, "赖账": cueStrong, "杂物": cueWeak,
	// Harm at home, to children, to property; who pays; social benefits.
	"打老婆": cueStrong, "打媳妇": cueStrong, "打孩子": cueStrong, "打娃": cueStrong, "打女人": cueStrong, "打骂": cueStrong, "老公打": cueStrong, "老婆打": cueStrong,
	"虐待": cueStrong, "赶出家门": cueStrong, "赶出去": cueWeak, "赶人": cueWeak, "拐走": cueStrong, "拐卖": cueStrong,
	"被拐": cueStrong, "撞死": cueStrong, "轧死": cueStrong, "被车": cueWeak, "跑了": cueWeak, "拿了钱": cueWeak,
	"谁出": cueWeak, "哪个出": cueWeak, "找哪个": cueWeak, "找谁": cueWeak, "哪个赔": cueStrong, "合理不": cueWeak,
	"合理吗": cueWeak, "赔": cueWeak, "算数": cueWeak, "口头": cueWeak, "借的钱": cueStrong, "村干部": cueWeak,
	"租给": cueWeak, "震裂": cueWeak, "庄稼": cueWeak, "别人的": cueWeak, "别人家的": cueWeak,
	"出问题": cueWeak, "嫁出去": cueWeak, "出嫁": cueWeak, "外嫁女": cueStrong, "低保": cueStrong, "养老保险": cueWeak,
	"新农合": cueWeak, "报销": cueWeak, "补贴": cueWeak, "取消了": cueWeak, "医疗事故": cueStrong,
	// Phrases holding a cue but meaning something else (垃圾怎么分类, 受罪吗).
	"怎么分类": 0, "怎么分辨": 0, "怎么分享": 0, "怎么分清": 0, "咋分辨": 0, "咋分清": 0, "受罪吗": 0, "遭罪吗": 0,
	"得罪吗": 0, "罪过": 0, "权重": 0, "权威": 0, "赔本": 0, "赔钱货": 0,
	"合伙": cueStrong, "著作": cueStrong, "作品": cueWeak, "工商户": cueStrong, "扒窃": cueStrong, "有效": cueWeak,
	"无效": cueWeak, "监护": cueStrong, "抵押": cueStrong, "质押": cueStrong, "赠与": cueStrong, "租赁": cueStrong,
}

// cueKeys holds every cue phrase, longest first, so the longest phrase wins
// where phrases overlap (离婚 inside 离婚孩子归谁 counts once, 孩子 not at
// all).
var cueKeys, cueWeight = func() ([]string, map[string]float64) {
	w := map[string]float64{}
	for k, v := range legalCues {
		w[k] = v
	}
	for k := range layTerms {
		if _, ok := legalCues[k]; ok {
			continue
		}
		// A lay phrase weighs at least as much as a cue inside it
		// (借钱不还 holds 借钱).
		w[k] = cueWeak
		for c, v := range legalCues {
			if v > w[k] && strings.Contains(k, c) {
				w[k] = v
			}
		}
	}
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	return keys, w
}()

// lawWord matches words that name a legal notion by their last character:
// 居住权, 诈骗罪 (everyday words ending the same way are listed in
// notLawWords). Words ending in 法 are far more often everyday words (减肥法,
// 做法, 算番法) and count only as law names (lawNames).
var lawWord = regexp.MustCompile(`\p{Han}(权|罪)`)

// lawNotions are words ending in 法 that name law without naming one law
// (民法, 交通法); law names themselves are what cite knows.
var lawNotions = map[string]bool{"民法": true, "交通法": true, "土地法": true, "环保法": true, "消费法": true}

// lawNames counts the law names in s, 劳动法, 婚姻法 and 民法典: words ending
// in 法 or 法典 that cite knows or that are lawNotions. Each counts once.
func lawNames(s string) int {
	r := []rune(s)
	n := 0
	for end := len(r); end > 0; end-- {
		if r[end-1] != '法' && !(r[end-1] == '典' && end > 1 && r[end-2] == '法') {
			continue
		}
		for size := min(end, cite.MaxKnownRunes()); size >= 2; size-- {
			w := string(r[end-size : end])
			if cite.Known(w) || lawNotions[w] {
				n++
				end -= size - 1
				break
			}
		}
	}
	return n
}

// cuePairs are pairs of word sets that make a legal question together though
// neither does alone: a death and a share of what was left (老人走了房子哪个得),
// drink and driving (喝了酒开三轮车被查了), an injury at work (在工地上摔断了腿),
// a neighbour and a nuisance (邻居家的树挡了我家的光), the old and their care
// (老汉儿病了兄弟几个都推).
var cuePairs = [][2][]string{
	{
		{"去世", "过世", "死了", "走了", "不在了", "病故", "身故", "死后", "离世", "老了"},
		{"咋分", "怎么分", "分房", "分家", "能分", "分到", "分得", "哪个得", "谁得", "归哪个", "归谁", "给谁", "留下", "房子",
			"存款", "存折", "宅基地", "财产", "遗", "有份"},
	},
	{
		{"喝酒", "喝了酒", "喝醉", "喝多了", "酒后", "喝了点酒", "啤酒", "白酒"},
		{"开车", "开三轮", "骑车", "骑摩托", "骑电", "开摩托", "驾驶", "被查", "交警", "查酒", "驾照", "开了车", "骑了", "开的车"},
	},
	{
		{"摔断", "骨折", "受伤", "摔伤", "轧了", "轧断", "砸伤", "砸断", "伤了", "压伤", "烫伤", "弄伤", "截肢", "残疾"},
		{"工地", "厂里", "上班", "干活", "老板", "打工", "单位", "公司", "工厂", "车间", "做工", "干活", "工作"},
	},
	{
		{"邻居", "楼上", "楼下", "隔壁", "对门", "邻里"},
		{"吵", "挡", "堆", "占", "漏水", "渗水", "臭", "树枝", "树根", "砍树", "噪音", "装修", "排水", "污水", "狗叫", "杂物",
			"楼道", "楼梯", "采光", "光线", "围墙", "地界", "修路", "堵路", "堵了", "我家门口", "猪圈", "粪"},
	},
	{
		{"老人", "爸妈", "父母", "老娘", "老爹", "老汉", "老妈", "我妈", "我爸", "老母亲", "老父亲", "爹妈", "公婆", "老爷子", "老太太"},
		{"不管", "不养", "没人管", "不给钱", "生活费", "都推", "不照顾", "赶出", "赡养", "不孝"},
	},
}

// typoFixes are misspellings residents make of cue words, typing by sound
// (离混 for 离婚).
var typoFixes = strings.NewReplacer(
	"离混", "离婚", "离昏", "离婚", "工姿", "工资", "赔尝", "赔偿", "陪偿", "赔偿", "遗厂", "遗产", "继成", "继承",
	"起述", "起诉", "官私", "官司", "宅机地", "宅基地", "抚养废", "抚养费", "借调", "借条", "欠调", "欠条",
)

var notLawWords = map[string]bool{
	"办法": true, "方法": true, "想法": true, "做法": true, "说法": true, "看法": true, "没法": true, "设法": true,
	"无法": true, "语法": true, "书法": true, "算法": true, "魔法": true, "打法": true, "玩法": true, "用法": true,
	"写法": true, "吃法": true, "叫法": true, "手法": true, "疗法": true, "佛法": true, "戏法": true, "加法": true,
	"减法": true, "乘法": true, "除法": true, "技法": true, "画法": true, "读法": true, "种法": true, "养法": true,
	"受罪": true, "得罪": true, "遭罪": true, "怪罪": true, "谢罪": true, "赔罪": true, "特权": true, "大权": true,
}

// cueScore sums the weights of the legal cues in s (each phrase once),
// cuePairs found together and law names. s is the message as written:
// question words such as 怎么 and 吗 are part of cues (怎么分, 罪吗).
func cueScore(s string) float64 {
	s = typoFixes.Replace(strings.Map(func(r rune) rune { return fold(r) }, s))
	var score float64
	for _, p := range cuePairs {
		if containsAny(s, p[0]) && containsAny(s, p[1]) {
			score += cueStrong
		}
	}
	rest := s
	for _, k := range cueKeys {
		if !strings.Contains(rest, k) {
			continue
		}
		rest = strings.ReplaceAll(rest, k, "\x00")
		score += cueWeight[k]
	}
	for _, m := range lawWord.FindAllString(rest, -1) {
		if !notLawWords[m] {
			score += cueStrong
		}
	}
	return score + float64(cueStrong*lawNames(rest))
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// Statute vocabulary: a bigram found in at least statuteShare of the
// indexed articles (应当, 责任, 承担, 许可, 合同 …) is a word of the law's
// own language. Residents who phrase a question in it (居住权可以出租吗,
// 产品质量应当符合什么要求) ask a legal question even when no cue word is
// there; everyday chatter rarely uses two such words. A share, not a count,
// so it means the same in a corpus of 15,000 articles and of 60,000; below
// minLargeDocs articles the shares say nothing and the signal is off.
const statuteShare = 0.003

// notStatuteWords are frequent in statutes and in everyday talk alike.
var notStatuteWords = map[string]bool{
	"一个": true, "个人": true, "人在": true, "个月": true, "可以": true, "时候": true, "这个": true, "什么": true,
	"没有": true, "我们": true, "他们": true, "不是": true, "就是": true, "现在": true, "今天": true, "明天": true,
}

// statuteTerms counts the statute-vocabulary words of a cleaned question:
// its bigrams of at least statuteShare document frequency in the article
// texts, overlapping bigrams of one word (身份 份证) counted once, and
// numbers (一年, 三个) left out.
func (e *Engine) statuteTerms(cleaned string) int {
	st, ok := e.scorer.fields[fieldText]
	if !ok || !e.scorer.large(fieldText) {
		return 0
	}
	minDF := uint64(math.Ceil(statuteShare * float64(st.Docs)))
	n, lastEnd := 0, -1
	for _, t := range tokenize(cleaned, nil) {
		r := []rune(t.term)
		if len(r) != 2 || !isHan(r[0]) || strings.ContainsRune("一二三四五六七八九十百千万两几", r[0]) || notStatuteWords[t.term] {
			continue
		}
		if t.start < lastEnd {
			continue // shares a character with the word just counted
		}
		if e.scorer.docFreq(fieldText, t.term) >= minDF {
			n++
			lastEnd = t.end
		}
	}
	return n
}

// legalThreshold is the evidence a message needs to be treated as a legal
// question: one strong cue, two weak ones, or statute vocabulary with or
// without cues (see TestIntentGate for the trade-off).
const legalThreshold = 2.0

// faqEvidence is what a direct match with a curated question adds: one and
// a half points, so a resident asking one of the FAQ's own questions in
// their words passes with any other sign of a legal matter, while short
// chatter that happens to resemble a short FAQ phrasing (微信怎么转账) does
// not pass on that alone.
const faqEvidence = 1.5

// legalEvidence scores how much a message looks like a legal question:
// its cue words, its statute vocabulary and a close FAQ match.
func (e *Engine) legalEvidence(q string) float64 {
	cleaned := CleanQuestion(q)
	if r := []rune(q); len(r) > maxQuestionRunes {
		q = string(r[:maxQuestionRunes])
	}
	score := cueScore(q) + float64(e.statuteTerms(cleaned))
	if top := e.faqm().top(q, 1, nil); len(top) > 0 && top[0].score >= faqDirect {
		score += faqEvidence
	}
	return score
}

// offTopic handles messages that are not legal questions: small talk gets
// its kind, anything else without enough legal evidence stays KindNone,
// and so does a question about a law none of whose texts is loaded (with a
// notice saying so), rather than getting articles of other laws. It
// reports whether the message was handled. A question with a notice about
// a law it names is a legal question.
func (e *Engine) offTopic(a *Answer, q string) bool {
	if k, ok := SmallTalk(q); ok {
		a.Kind, a.Talk = KindSmallTalk, k
		return true
	}
	if e.lawNotLoaded(a, q) {
		return true
	}
	return a.Notice == "" && e.legalEvidence(q) < legalThreshold
}

// bracketedLaw matches a law's name in title marks: 《重庆市物业管理条例》.
var bracketedLaw = regexp.MustCompile(`《([^《》]{1,40}(?:法|法典|条例|规定|办法|解释|决定))》`)

// lawNotLoaded reports whether q cites articles of laws of which no text
// is loaded, and names no law that is: articles of other laws with those
// numbers would be unrelated. A law named in title marks but not loaded
// only gets a notice, since the question may well be answered by the laws
// that are (违反《个人贷款管理暂行办法》，借款合同有效吗). Repealed laws have
// successors and do not count; without any law texts (the FAQ pack alone)
// nothing counts.
func (e *Engine) lawNotLoaded(a *Answer, q string) bool {
	if !e.HasCorpus() {
		return false
	}
	type name struct {
		law   string
		cited bool // with an article number
	}
	var named []name
	for _, r := range cite.Parse(q) {
		if r.Law != "" {
			named = append(named, name{r.Law, true})
		}
	}
	for _, m := range bracketedLaw.FindAllStringSubmatch(q, -1) {
		if s, ok := cite.Canonical(m[1]); ok {
			named = append(named, name{s, false})
		}
	}
	var missing *name
	for i, n := range named {
		if _, ok := e.res.law(n.law); ok {
			return false
		}
		if _, ok := cite.Repealed(n.law); ok {
			return false
		}
		if missing == nil || (n.cited && !missing.cited) {
			missing = &named[i]
		}
	}
	if missing == nil {
		return false
	}
	if a.Notice == "" {
		a.Notice = fmt.Sprintf("知识库里没有《%s》的全文。", missing.law)
		if missing.cited {
			a.Notice = fmt.Sprintf("知识库里没有《%s》的全文，暂时无法显示它的条文。", missing.law)
		}
	}
	return missing.cited
}

// docFreq is the number of documents whose field holds term.
func (s *scorer) docFreq(field, term string) uint64 {
	tfr, err := s.r.TermFieldReader(context.Background(), []byte(term), field, false, false, false)
	if err != nil {
		return 0
	}
	defer tfr.Close()
	return tfr.Count()
}
