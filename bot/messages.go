package bot

import (
	"fmt"

	"github.com/go-telegram/bot/models"

	"github.com/pufabot/pufabot/knowledge"
)

// What residents and staff read. Plain words for elderly villagers on
// small phones: short lines, no jargon, a clear next step. Every message
// is Telegram HTML; anything that comes from outside is escaped with esc.

var residentCommands = []models.BotCommand{
	{Command: "start", Description: "开始使用，查看菜单"},
	{Command: "help", Description: "怎么用这个机器人"},
	{Command: "topics", Description: "普法专题"},
	{Command: "subscribe", Description: "订阅普法提醒"},
	{Command: "unsubscribe", Description: "退订提醒"},
	{Command: "human", Description: "联系司法所工作人员"},
	{Command: "privacy", Description: "隐私说明"},
	{Command: "forget", Description: "删除我的记录"},
}

var groupCommands = []models.BotCommand{
	{Command: "ask", Description: "提一个法律问题，例如 /ask 借钱不还怎么办"},
	{Command: "topics", Description: "普法专题"},
	{Command: "help", Description: "怎么用这个机器人"},
	{Command: "privacy", Description: "隐私说明"},
}

var staffCommands = []models.BotCommand{
	{Command: "tickets", Description: "待办的转人工工单"},
	{Command: "close", Description: "办结工单，例如 /close 12"},
	{Command: "stats", Description: "咨询统计：today、week、month、year 或 2025-03"},
	{Command: "broadcast", Description: "群发普法消息"},
	{Command: "campaigns", Description: "普法活动发送情况"},
	{Command: "console", Description: "网页工作台登录链接（私聊）"},
}

var staffChatCommands = append(append([]models.BotCommand{}, staffCommands...), models.BotCommand{Command: "help", Description: "工作人员使用说明"})

func (b *Bot) msgWelcome() string {
	return "您好！我是<b>" + esc(b.o.Office) + "普法小助手</b> 👋\n\n" +
		"我可以：\n" +
		"• 回答日常的法律问题，告诉您相关的法律条文\n" +
		"• 介绍防诈骗、婚姻家庭、劳动、土地等普法专题\n" +
		"• 在重要的日子提醒您（需要订阅）\n" +
		"• 帮您联系" + esc(b.o.Office) + "的工作人员\n\n" +
		"有问题直接打字发给我就行，比如：\n" +
		"“借钱不还怎么办？”\n" +
		"“民法典第1079条”\n\n" +
		b.lawSnapshotLine() +
		"⚠️ 我的回答是一般性的法律信息，不是正式的法律意见。遇到紧急情况请拨打 110。"
}

func (b *Bot) msgGroupHelp() string {
	mention := "我"
	if b.username != "" {
		mention = "@" + esc(b.username)
	}
	return "大家好，我是<b>" + esc(b.o.Office) + "普法小助手</b> 👋\n\n" +
		"在群里提问有三种办法：\n" +
		"• 发送 /ask 加问题，比如：/ask 借钱不还怎么办\n" +
		"• 在消息里 " + mention + " 再写问题\n" +
		"• 回复我发的消息\n\n" +
		"想问私事，请私聊我，别人看不到。"
}

const msgStaffHelp = "🧑‍💼 <b>工作人员命令</b>\n\n" +
	"/tickets 查看待办的转人工工单\n" +
	"回复工单消息：把您的回复转达给居民\n" +
	"/close 编号：办结工单（也可以回复工单消息发送 /close）\n" +
	"/console 获取网页工作台登录链接（私聊）\n" +
	"/stats 咨询统计，可加 today、week、month、year 或 2025-03\n" +
	"/broadcast 群发普法消息（先预览，确认后才发送）\n" +
	"/campaigns 普法活动的发送情况\n" +
	"/register_group 在村群里发送，登记这个群接收普法提醒"

const msgAskHowTo = "⚖️ <b>法律咨询</b>\n\n" +
	"请直接打字，把您遇到的事情和想知道的说清楚，比如：\n" +
	"• “邻居家的树倒了砸坏我的车，谁赔？”\n" +
	"• “老板拖欠工资三个月了怎么办？”\n" +
	"• “接到电话说我的银行卡涉嫌洗钱，是真的吗？”\n\n" +
	"知道法条的，也可以直接发，比如“民法典第1079条”。"

const msgNoWords = "我没看懂这条消息 🙂 请用文字把问题写出来，比如：“借钱不还怎么办？”"

const msgNonText = "抱歉，我现在只能看懂文字消息，看不懂图片、语音和表情。\n请用文字把问题写给我；想打电话咨询，可以拨打 12348 公共法律服务热线。"

const msgFlood = "您发得太快了，我有点跟不上 😅 请休息一分钟再问。"

const msgSearchFailed = "抱歉，查询时出了点问题，请过一会儿再试。着急的话可以点「转人工」，或拨打 12348。"

const msgInternalError = "抱歉，处理您的消息时出了点问题。请过一会儿再试，或拨打 12348 公共法律服务热线。"

const msgUnknownCommand = "没有这个命令。发送 /help 看看我能做什么，或者直接打字提问。"

const msgPrivateOnly = "这个功能请私聊我使用。"

const msgGroupAskEmpty = "请在 /ask 后面写上问题，比如：/ask 借钱不还怎么办"

const msgNothingFound = "抱歉，没有找到和您的问题直接相关的法律规定。\n" +
	"我能回答的是法律方面的问题，比如借钱不还、离婚、工资、土地、交通事故、被骗等。可以换个说法再问：说清楚发生了什么事、想知道什么。\n" +
	"需要找人帮忙，可以点「转人工」请工作人员帮您，或拨打 12348 公共法律服务热线。"

// msgSmallTalk answers small talk: a short reply, then the menu (as
// buttons).
func (b *Bot) msgSmallTalk(k knowledge.TalkKind) string {
	office := esc(b.o.Office)
	switch k {
	case knowledge.TalkThanks:
		return "不客气 😊 以后遇到法律方面的问题，随时来问我。"
	case knowledge.TalkBye:
		return "再见！有需要随时来找我 👋"
	case knowledge.TalkIdentity:
		return "我是<b>" + office + "普法小助手</b>，一个自动回复的机器人，不是真人 🤖\n\n" +
			"我可以回答日常的法律问题、告诉您相关的法律条文、介绍普法专题，也可以帮您联系" + office + "的工作人员。下面的按钮可以直接点。"
	case knowledge.TalkAck:
		return "好的 🙂 有法律方面的问题，直接打字问我就行，比如：“借钱不还怎么办？”"
	case knowledge.TalkOpen:
		return esc(knowledge.OpenReply)
	default:
		return "您好！我是<b>" + office + "普法小助手</b> 👋\n\n" +
			"遇到借钱欠款、婚姻家庭、劳动工资、土地房屋、交通事故、被骗等法律问题，直接打字问我就行，比如：“借钱不还怎么办？”\n也可以点下面的按钮。"
	}
}

const msgExpired = "这个按钮已过期，请重新提问或发送 /help。"

const msgRecordGone = "这条记录已经删除了，请重新提问。"

// msgMaybeYouMean introduces the nearest curated question when the
// question only resembles it.
const msgMaybeYouMean = "没有找到完全对应的解答，您可能想问："

// msgAlsoSee heads curated questions close to the resident's.
const msgAlsoSee = "您可能还想了解："

const msgArticleGone = "这条法条暂时找不到了（法律库可能更新过），请重新提问。"

const msgArticleNotImported = "本机还没有导入这部法律的全文。"

const msgNoMore = "没有更多结果了。"

const msgThanks = "谢谢您的反馈！"

const msgThanksNotHelpful = "谢谢反馈！可以换个说法再问，或者点「转人工」找工作人员。"

const msgFeedbackOthers = "只有提问的人可以评价这条回答，谢谢！"

const msgStaffOnly = "抱歉，这个功能只有司法所工作人员可以使用。"

const msgGroupSubscribe = "群里的普法提醒由工作人员登记开通。想自己收到提醒，请私聊我发送 /subscribe。"

func (b *Bot) msgPrivacy() string {
	return "🔒 <b>隐私说明</b>\n\n" +
		"<b>我们记录什么，为什么</b>\n" +
		"• 您的 Telegram 会话编号：只在您订阅提醒、或转人工等待工作人员回复时保存，用来给您发消息；退订、工单办结（30 天没有新消息的工单会自动办结）后即删除。只提问不会保存。\n" +
		"• 您提的问题和回答方式：用来改进回答，统计" + esc(b.o.Office) + "的咨询数量。问题原文保存 " +
		fmt.Sprint(b.o.RetainDays) + " 天后自动删除，只留下不含个人信息的次数统计。\n" +
		"• 您订阅的专题；转人工时您的问题和工作人员的回复。\n\n" +
		"<b>我们不记录什么</b>\n" +
		"• 不记录您的姓名、电话和用户名。统计用的是加密编号，看不出是谁。\n\n" +
		"<b>怎么删除</b>\n" +
		"发送 /forget 可以删除您的全部记录（订阅、问题原文、转人工记录），只保留匿名的次数统计。删除后再来提问，会重新开始记录。"
}

const msgForgetConfirm = "🗑 <b>删除我的记录</b>\n\n" +
	"将删除：您的订阅、您提过的问题原文、转人工的对话记录。\n" +
	"删除后不能恢复，也不会再收到提醒。确定删除吗？"

const msgForgotten = "✅ 已删除您的全部记录，只保留了匿名的次数统计。\n以后有问题，欢迎随时再来问我。"

const msgForgetCancelled = "已取消，您的记录没有变化。"

const msgCancelled = "好的，已取消。"

const msgNothingToCancel = "现在没有要取消的操作。"

const msgSubscribeIntro = "🔔 <b>订阅普法提醒</b>\n\n" +
	"订阅后，在重要的日子（比如3·15消费者权益日、4·15全民国家安全教育日、6·26国际禁毒日、12·4国家宪法日），我会给您发提醒。\n" +
	"「全部提醒」包括所有普法活动；也可以只订阅感兴趣的专题。点一下按钮就能订阅或退订。"

const msgNotSubscribed = "您还没有订阅任何提醒。发送 /subscribe 可以订阅。"

const msgUnsubscribedAll = "✅ 已退订全部提醒。想再订阅，发送 /subscribe。"

// Hand-over.

const msgHumanPrompt = "🙋 <b>联系工作人员</b>\n\n请用一两句话说说您遇到的事情，我马上转给工作人员。\n（不想转了，发送 /cancel）"

const msgHumanUnavailable = "抱歉，现在暂时无法在线转接工作人员。\n您可以拨打 12348 公共法律服务热线，或到镇司法所、村（居）人民调解委员会当面咨询。"

const msgHumanInGroup = "为了保护您的隐私，转人工请私聊我。"

const msgFollowUpNonText = "目前只能转达文字、图片和文件。请用文字说明您的情况。"

func (b *Bot) msgTicketOpened(id int64) string {
	return fmt.Sprintf("✅ 已经帮您转给%s工作人员。\n\n工单号：<b>%d</b>\n预计回复：<b>%s</b>\n\n"+
		"工作人员的回复会直接发到这里，请留意消息。想补充情况，直接回复工作人员的消息就行。\n"+
		"情况紧急请拨打 110；法律咨询热线 12348。", esc(b.o.Office), id, esc(b.o.ResponseTime))
}

func msgTicketActive(id int64) string {
	return fmt.Sprintf("您已经有一个工单（<b>%d</b> 号）正在处理，工作人员会尽快回复您。\n想补充情况，发送 /human 加上补充的内容，或者直接回复工作人员的消息。", id)
}

func msgTicketFollowedUp(id int64) string {
	return fmt.Sprintf("✅ 已把您补充的内容转给工作人员（工单 %d 号）。", id)
}

func msgTicketClosedResident(id int64) string {
	return fmt.Sprintf("📁 您的咨询（工单 %d 号）已经办结。谢谢您的信任！\n以后还有问题，随时可以再问我。", id)
}

func msgStaffReplyHeader(id int64) string {
	return fmt.Sprintf("💬 <b>司法所工作人员回复</b>（工单 %d 号）：", id)
}

const msgStaffReplyFooter = "<i>直接回复这条消息，可以继续和工作人员说。</i>"

// Staff side.

func msgRelayed(id int64) string { return fmt.Sprintf("✅ 已转达给居民（工单 #%d）。", id) }

func msgRelayBlocked(id int64) string {
	return fmt.Sprintf("⚠️ 居民已停用机器人，无法转达（工单 #%d）。", id)
}

func msgRelayClosed(id int64) string {
	return fmt.Sprintf("⚠️ 工单 #%d 已办结，为保护隐私已不再保存居民的会话，无法转达。居民回复工作人员的消息时，工单会重新打开。", id)
}

func msgRelayForgotten(id int64) string {
	return fmt.Sprintf("⚠️ 居民已删除个人记录，无法再联系（工单 #%d）。可以 /close %d 办结。", id, id)
}

func msgRelayFailed(id int64) string {
	return fmt.Sprintf("⚠️ 转达失败，请稍后再回复一次（工单 #%d）。", id)
}

const msgRelayNotStaff = "抱歉，只有登记的工作人员可以回复居民。"

const msgCloseUsage = "请写上工单编号，比如：/close 12。也可以回复工单消息发送 /close。"

func msgTicketClosedStaff(id int64, notified bool) string {
	if notified {
		return fmt.Sprintf("📁 工单 #%d 已办结，已通知居民。", id)
	}
	return fmt.Sprintf("📁 工单 #%d 已办结。", id)
}

func msgTicketAlreadyClosed(id int64) string { return fmt.Sprintf("工单 #%d 早已办结。", id) }

func msgTicketNotFound(id int64) string { return fmt.Sprintf("没有找到工单 #%d。", id) }

const msgNoTickets = "👍 现在没有待办的工单。"

const msgGroupRegisterPrivate = "请在要登记的村群里发送 /register_group。"

func msgGroupRegistered(title string, added bool) string {
	if !added {
		return "本群「" + esc(title) + "」早已登记，会收到普法宣传提醒。"
	}
	return "✅ 本群「" + esc(title) + "」已登记，以后会收到普法宣传提醒。\n取消登记请发送 /unregister_group。"
}

func msgGroupUnregistered(removed bool) string {
	if !removed {
		return "本群没有登记过。"
	}
	return "✅ 已取消登记，本群不再收到普法宣传提醒。"
}

const msgBroadcastUnavailable = "群发功能还没有配置（需要在 serve 中启用普法活动）。"

const msgBroadcastPrompt = "📣 <b>群发普法消息</b>\n\n请把要群发的内容发给我（可以用粗体、链接等格式）。发送前会先给您预览。\n不发了，发送 /cancel。"

const msgBroadcastTextOnly = "目前只能群发文字消息。请重新发送 /broadcast。"

const msgBroadcastPreviewHeader = "📣 <b>群发预览</b>\n下面就是居民会收到的样子。确认后发送给订阅提醒的居民和登记的村群。"

func msgBroadcastStarted(id int64) string {
	return fmt.Sprintf("✅ 已开始群发（编号 %d）。发送 /campaigns 查看发送情况。", id)
}

const msgBroadcastCancelled = "已取消群发。"

const msgBroadcastFailed = "⚠️ 群发没有成功，请稍后再试。"

const msgBroadcastTooLong = "内容太长了，一条消息最多 4096 个字。请删减后重新发送 /broadcast。"

const msgStatsUsage = "用法：/stats 加时间，比如 /stats today、/stats week、/stats month、/stats year、/stats 2025-03 或 /stats 2025。"

const msgStatsFailed = "⚠️ 统计出错了，请稍后再试。"

const msgCampaignsFailed = "⚠️ 暂时查不到活动情况，请稍后再试。"

// Buttons.

const (
	btnAsk         = "⚖️ 法律咨询"
	btnTopics      = "📚 普法专题"
	btnSubscribe   = "🔔 订阅提醒"
	btnHuman       = "🙋 联系工作人员"
	btnPrivacy     = "🔒 隐私说明"
	btnMore        = "🔍 更多结果"
	btnHandOver    = "🙋 转人工"
	btnHelpful     = "👍 有帮助"
	btnNotHelpful  = "👎 没帮助"
	btnAllTopics   = "⬅️ 全部专题"
	btnForgetYes   = "🗑 确认删除"
	btnForgetNo    = "取消"
	btnConfirmSend = "✅ 确认发送"
	btnCancelSend  = "✖️ 取消"
	btnSubAll      = "🔔 订阅全部提醒"
	btnSubAllOn    = "✅ 全部提醒"
	btnUnsubAll    = "🔕 全部退订"
)

func btnFullText(n int) string { return fmt.Sprintf("📄 全文%d", n) }

// Offices of a county deployment.
const (
	msgChooseOffice      = "🏛️ 请选择您所在乡镇的<b>司法所</b>，转人工的问题会交给那里的工作人员，提醒也由他们发送："
	msgChooseOfficeFirst = "转人工之前，请先选择您所在乡镇的司法所，然后再发送一次您的问题："
	msgUnknownOffice     = "没有找到这个司法所。请从下面选择："
)

func msgOfficeJoined(name string) string {
	return "✅ 您已加入<b>" + esc(name) + "</b>。转人工的问题会交给" + esc(name) + "的工作人员。发送 /office 可以更换。"
}

func msgYourOffice(name string) string {
	return "🏛️ 您现在属于<b>" + esc(name) + "</b>。要更换，请选择："
}

func msgOneOffice(name string) string {
	return "🏛️ 本机器人由<b>" + esc(name) + "</b>提供服务。"
}

func msgGroupRegisteredOffice(name string) string {
	return "本群的普法提醒由<b>" + esc(name) + "</b>发送，群里的咨询计入" + esc(name) + "。"
}

// msgConsoleCountyOnly: the web console shows every office's tickets and
// figures, so with offices only county staff open it.
const msgConsoleCountyOnly = "网页工作台显示全县的工单和数据，只对县级工作人员开放。本所的工单和统计请在工作群里用 /tickets 和 /stats 查看。"
