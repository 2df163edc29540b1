package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/pufabot/pufabot/bot/outbox"
	"github.com/pufabot/pufabot/store"
)

func TestGroupAnswersOnlyWhenAddressed(t *testing.T) {
	h := newHarness(t)
	h.start()
	me := h.srv.Bot()

	// Ordinary group talk, unknown commands, stickers: silence.
	h.send(groupMessage(1, alice, "今天谁家办酒席？"))
	h.send(groupMessage(2, alice, "离婚怎么办"))
	h.send(groupMessage(3, alice, "/frobnicate"))
	h.send(groupMessage(4, alice, "/ask@some_other_bot 离婚"))
	h.send(groupMessage(5, alice, "@someone_else 离婚怎么办", models.MessageEntity{Type: models.MessageEntityTypeMention, Offset: 0, Length: 13}))
	sticker := groupMessage(6, alice, "")
	sticker.Message.Sticker = &models.Sticker{FileID: "s"}
	h.send(sticker)
	if s := h.sent(village); len(s) != 0 {
		t.Fatalf("the bot spoke in the group unasked: %q", s)
	}

	// A mention (even after an emoji, offsets in UTF-16), a reply, /ask.
	text := "😀 @" + me.Username + " 离婚怎么办"
	h.send(groupMessage(10, alice, text, models.MessageEntity{Type: models.MessageEntityTypeMention, Offset: 3, Length: 1 + len(me.Username)}))
	contains(t, h.last(village), "怎么离婚")
	if q := h.fkb.asked(); q[len(q)-1] != "😀  离婚怎么办" {
		t.Fatalf("question with the mention removed = %q", q[len(q)-1])
	}
	call := h.srv.Calls("sendMessage")
	if rp := call[len(call)-1].Form.Get("reply_parameters"); !strings.Contains(rp, `"message_id":10`) {
		t.Fatalf("group answer is not a reply: %q", rp)
	}
	card := h.lastMessage(village)
	if b := h.button(card, btnHandOver); b.URL == "" || !strings.Contains(b.URL, "start=human") {
		t.Fatalf("转人工 in a group should open the private chat: %+v", b)
	}

	reply := groupMessage(11, bob, "那孩子归谁？")
	reply.Message.ReplyToMessage = &models.Message{ID: card.ID, From: &me, Chat: reply.Message.Chat}
	h.send(reply)
	if q := h.fkb.asked(); q[len(q)-1] != "那孩子归谁？" {
		t.Fatalf("reply to the bot not asked: %q", q)
	}

	h.send(groupMessage(12, alice, "/ask@"+me.Username+" 民法典第1079条"))
	contains(t, h.last(village), "第一千零七十九条")
	h.send(groupMessage(13, alice, "/ask"))
	if h.last(village) != msgGroupAskEmpty {
		t.Fatalf("empty /ask: %q", h.last(village))
	}
	h.send(groupMessage(14, alice, "/subscribe"))
	if h.last(village) != msgGroupSubscribe {
		t.Fatalf("/subscribe in a group: %q", h.last(village))
	}
	// Private matters go to the private chat through a deep link.
	h.send(groupMessage(15, alice, "/forget"))
	if b := h.button(h.lastMessage(village), "💬"); !strings.HasSuffix(b.URL, "?start=forget") {
		t.Fatalf("/forget in a group: %+v", b)
	}
	h.say(alice, alice, "/start forget")
	h.button(h.lastMessage(alice), btnForgetYes)
	h.say(alice, alice, "/start human")
	contains(t, h.last(alice), "请用一两句话说说")

	// Feedback in a group counts only from the person who asked.
	h.press(village, bob, card, btnHelpful)
	if a := h.callbackAnswers(); a[len(a)-1] != msgFeedbackOthers {
		t.Fatalf("feedback from another member: %q", a[len(a)-1])
	}
	h.press(village, alice, card, btnHelpful)
	var fb int
	_ = h.db.SQL().QueryRow(`SELECT feedback FROM consultations WHERE chat_type = 'group' ORDER BY id LIMIT 1`).Scan(&fb)
	if fb != store.FeedbackHelpful {
		t.Fatalf("feedback = %d", fb)
	}
}

func TestGroupRegistrationAndMembership(t *testing.T) {
	h := newHarness(t)
	h.start()
	ctx := context.Background()
	h.send(groupMessage(1, alice, "/register_group"))
	if h.last(village) != msgStaffOnly {
		t.Fatalf("non-staff /register_group: %q", h.last(village))
	}
	aliceP, _ := h.db.Pseudonym(context.Background(), alice)
	contains(t, h.logs.String(), "resident="+aliceP+" chat_id=-4242")
	notContains(t, h.logs.String(), "=1001")
	h.send(groupMessage(2, adminID, "/register_group"))
	contains(t, h.last(village), "已登记")
	if g, _ := h.db.RegisteredGroups(ctx); len(g) != 1 || g[0] != village {
		t.Fatalf("registered groups = %v", g)
	}
	h.send(groupMessage(3, adminID, "/unregister_group"))
	if g, _ := h.db.RegisteredGroups(ctx); len(g) != 0 {
		t.Fatalf("after unregister: %v", g)
	}

	// The bot is added to another group: one short introduction.
	other := models.Chat{ID: -777, Type: models.ChatTypeSupergroup, Title: "新村"}
	h.send(models.Update{MyChatMember: &models.ChatMemberUpdated{Chat: other, From: models.User{ID: adminID},
		OldChatMember: models.ChatMember{Type: models.ChatMemberTypeLeft, Left: &models.ChatMemberLeft{}},
		NewChatMember: models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{}}}})
	if s := h.sent(-777); len(s) != 1 || !strings.Contains(s[0], "/ask") {
		t.Fatalf("introduction = %q", s)
	}
	// A resident blocks the bot.
	h.say(alice, alice, "/subscribe all")
	h.send(models.Update{MyChatMember: &models.ChatMemberUpdated{Chat: models.Chat{ID: alice, Type: models.ChatTypePrivate}, From: models.User{ID: alice},
		OldChatMember: models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{}},
		NewChatMember: models.ChatMember{Type: models.ChatMemberTypeBanned, Banned: &models.ChatMemberBanned{}}}})
	if ids, _ := h.db.Subscribers(ctx, store.AllTopics); len(ids) != 0 {
		t.Fatalf("a chat that blocked the bot is still a subscriber: %v", ids)
	}
	// …and comes back.
	h.say(alice, alice, "离婚")
	if ids, _ := h.db.Subscribers(ctx, store.AllTopics); len(ids) != 1 {
		t.Fatalf("returning resident not a subscriber again: %v", ids)
	}
}

// ticketMessage returns the latest staff-chat message standing for ticket.
func (h *harness) ticketMessage(ticket int64) int {
	h.t.Helper()
	var id int
	if err := h.db.SQL().QueryRow(`SELECT MAX(message_id) FROM ticket_messages WHERE ticket_id = ?`, ticket).Scan(&id); err != nil {
		h.t.Fatal(err)
	}
	return id
}

// staffReply sends a staff member's reply to a staff-chat message.
func (h *harness) staffReply(user int64, to int, text string, entities ...models.MessageEntity) {
	h.t.Helper()
	h.send(models.Update{Message: &models.Message{
		ID: 50000 + to, From: &models.User{ID: user}, Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: staffChat, Type: models.ChatTypeSupergroup, Title: "司法所工作群"},
		Text: text, Entities: entities,
		ReplyToMessage: &models.Message{ID: to, Chat: models.Chat{ID: staffChat, Type: models.ChatTypeSupergroup}},
	}})
}

func TestHandOverRoundTrip(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.ResponseTime = "两个工作日内" })
	h.start()
	ctx := context.Background()

	h.say(alice, alice, "老板拖欠工资<三个月>")
	card := h.lastMessage(alice)
	h.press(alice, alice, card, btnHandOver)
	contains(t, h.last(alice), "工单号：<b>1</b>")
	contains(t, h.last(alice), "两个工作日内")

	ann := h.last(staffChat)
	contains(t, ann, "工单 #1")
	contains(t, ann, "老板拖欠工资&lt;三个月&gt;")
	contains(t, ann, "《中华人民共和国劳动法》第五十条")
	notContains(t, ann, "1001") // no raw user id for staff either
	c, _ := h.db.GetConsultation(ctx, 1)
	if !c.HandedOver {
		t.Fatal("consultation not marked handed over")
	}

	// Pressing 转人工 again adds to the same ticket.
	h.press(alice, alice, card, btnHandOver)
	contains(t, h.last(staffChat), "工单 #1 居民补充")

	// A staff member replies; formatting is kept, markup typed as text is not.
	reply := "您好，<请>带上劳动合同来司法所。"
	h.staffReply(adminID, h.ticketMessage(1), reply, models.MessageEntity{Type: models.MessageEntityTypeBold, Offset: 0, Length: 3})
	relayed := h.lastMessage(alice)
	contains(t, relayed.Text, "司法所工作人员回复")
	contains(t, relayed.Text, "<b>您好，</b>&lt;请&gt;带上劳动合同来司法所。")
	contains(t, h.last(staffChat), "已转达给居民（工单 #1）")
	tk, _ := h.db.GetTicket(ctx, 1)
	if tk.Status != store.TicketAnswered || tk.FirstReplyAt.IsZero() {
		t.Fatalf("ticket after reply = %+v", tk)
	}

	// The resident answers the relayed message: it reaches staff.
	h.send(models.Update{Message: &models.Message{ID: 60001, From: &models.User{ID: alice}, Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: alice, Type: models.ChatTypePrivate}, Text: "好的，明天上午去。",
		ReplyToMessage: &models.Message{ID: relayed.ID, Chat: models.Chat{ID: alice, Type: models.ChatTypePrivate}}}})
	contains(t, h.last(staffChat), "好的，明天上午去。")
	contains(t, h.last(alice), "已把您补充的内容转给工作人员")

	// A staff-chat member who is not staff cannot reply to residents.
	before := len(h.sent(alice))
	h.staffReply(bob, h.ticketMessage(1), "我也来说两句")
	if len(h.sent(alice)) != before {
		t.Fatal("a non-staff reply was relayed")
	}
	contains(t, h.last(staffChat), msgRelayNotStaff)

	// /tickets and /close.
	h.say(staffChat, adminID, "/tickets")
	contains(t, h.last(staffChat), "#1</b> 已回复")
	h.say(staffChat, adminID, "/close 1")
	contains(t, h.last(staffChat), "工单 #1 已办结，已通知居民")
	contains(t, h.last(alice), "工单 1 号）已经办结")
	h.say(staffChat, adminID, "/close 1")
	contains(t, h.last(staffChat), "早已办结")
	h.say(staffChat, adminID, "/close 99")
	contains(t, h.last(staffChat), "没有找到工单 #99")
	h.say(staffChat, adminID, "/close abc")
	if h.last(staffChat) != msgCloseUsage {
		t.Fatalf("/close abc: %q", h.last(staffChat))
	}
	h.say(staffChat, adminID, "/tickets")
	if h.last(staffChat) != msgNoTickets {
		t.Fatalf("/tickets after closing: %q", h.last(staffChat))
	}
}

func TestHumanCommandAndReminders(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.TicketReminder = 2 * time.Hour })
	h.start()
	ctx := context.Background()

	h.say(alice, alice, "/human")
	contains(t, h.last(alice), "请用一两句话说说")
	h.say(alice, alice, "邻居把墙砌到我家地里了")
	contains(t, h.last(alice), "工单号：<b>1</b>")
	contains(t, h.last(staffChat), "邻居把墙砌到我家地里了")
	h.say(alice, alice, "/human")
	contains(t, h.last(alice), "已经有一个工单（<b>1</b> 号）")

	// Nobody answers: reminded after TicketReminder, not before.
	h.clock.Add(time.Hour)
	if err := h.b.remindTickets(ctx); err != nil {
		t.Fatal(err)
	}
	notContains(t, h.last(staffChat), "还没有人回复")
	h.clock.Add(90 * time.Minute)
	if err := h.b.remindTickets(ctx); err != nil {
		t.Fatal(err)
	}
	contains(t, h.last(staffChat), "⏰ <b>工单 #1 还没有人回复</b>（已等待 2小时30分钟）")
	n := len(h.sent(staffChat))
	if err := h.b.remindTickets(ctx); err != nil {
		t.Fatal(err)
	}
	if len(h.sent(staffChat)) != n {
		t.Fatal("reminded twice in a row")
	}
	// Replying to the reminder reaches the resident too; then no more
	// reminders.
	h.staffReply(adminID, h.ticketMessage(1), "我们下午去现场看看。")
	contains(t, h.last(alice), "我们下午去现场看看。")
	h.clock.Add(24 * time.Hour)
	if err := h.b.remindTickets(ctx); err != nil {
		t.Fatal(err)
	}
	if len(h.sent(staffChat)) != n+1 { // only the 已转达 note
		t.Fatalf("reminded an answered ticket: %q", h.sent(staffChat)[n:])
	}
	// /close in reply to the ticket message.
	h.send(models.Update{Message: &models.Message{ID: 70000, From: &models.User{ID: adminID}, Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: staffChat, Type: models.ChatTypeSupergroup}, Text: "/close",
		ReplyToMessage: &models.Message{ID: h.ticketMessage(1)}}})
	if tk, _ := h.db.GetTicket(ctx, 1); tk.Status != store.TicketClosed {
		t.Fatalf("ticket = %+v", tk)
	}
}

func TestHandOverWithoutStaffChat(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.StaffChat = 0 })
	h.start()
	h.say(alice, alice, "/human 我要找人")
	if h.last(alice) != msgHumanUnavailable {
		t.Fatalf("got %q", h.last(alice))
	}
	h.say(alice, alice, "离婚")
	if hasButton(h.lastMessage(alice), btnHandOver) {
		t.Fatal("转人工 offered with no staff chat")
	}
}

func TestStaffCommandsRefusedToOthers(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.Broadcaster = &fakeBroadcaster{} })
	h.start()
	for _, cmd := range []string{"/stats", "/tickets", "/close 1", "/broadcast 你好", "/campaigns"} {
		h.say(alice, alice, cmd)
		if h.last(alice) != msgStaffOnly {
			t.Fatalf("%s from a resident: %q", cmd, h.last(alice))
		}
		h.say(staffChat, bob, cmd)
		if h.last(staffChat) != msgStaffOnly {
			t.Fatalf("%s from a non-staff member of the staff chat: %q", cmd, h.last(staffChat))
		}
	}
	logs := h.logs.String()
	aliceP, _ := h.db.Pseudonym(context.Background(), alice)
	bobP, _ := h.db.Pseudonym(context.Background(), bob)
	contains(t, logs, `msg="staff command refused" component=bot resident=`+aliceP+` command=`)
	contains(t, logs, `resident=`+bobP+` chat_id=-100200300`)
	notContains(t, logs, "=1001")
	notContains(t, logs, "=1002")
	if n := h.reg.Counter("pufabot_bot_staff_refusals_total", "").Value(); n != 10 {
		t.Fatalf("refusals = %v", n)
	}
}

func TestStatsText(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.say(alice, alice, "离婚")
	h.say(bob, bob, "工资")
	h.say(bob, bob, "民法典第1079条")
	h.say(bob, bob, "随便问问")
	h.press(alice, alice, h.messages(alice)[0], btnHelpful)
	h.press(bob, bob, h.messages(bob)[0], btnHandOver)

	h.say(adminID, adminID, "/stats")
	s := h.last(adminID)
	for _, want := range []string{"咨询统计 · 2025年3月", "咨询人次：<b>4</b>", "咨询人数：<b>2</b>", "引用法条：1", "常见问题解答：1",
		"检索相关法条：1", "未能解答：1", "转人工</b>：1 次；工单 1 件", "有帮助 1 · 没帮助 0", "婚姻家庭 2"} {
		contains(t, s, want)
	}
	h.say(adminID, adminID, "/stats 2024-01")
	contains(t, h.last(adminID), "咨询人次：<b>0</b>")
	h.say(adminID, adminID, "/stats today")
	contains(t, h.last(adminID), "今天（3月15日）")
	h.say(adminID, adminID, "/stats yesterday")
	if h.last(adminID) != msgStatsUsage {
		t.Fatalf("bad period: %q", h.last(adminID))
	}
}

func TestStatsChart(t *testing.T) {
	var got Period
	h := newHarness(t, func(o *Options) {
		o.Stats = func(ctx context.Context, p Period) (string, []byte, error) {
			got = p
			return "2025年 咨询 <4> 人次", []byte("\x89PNG fake"), nil
		}
	})
	h.start()
	h.say(staffChat, adminID, "/stats year")
	calls := h.srv.Calls("sendPhoto")
	if len(calls) != 1 {
		t.Fatalf("sendPhoto calls = %d", len(calls))
	}
	if c := calls[0].Form.Get("caption"); c != "2025年 咨询 &lt;4&gt; 人次" {
		t.Fatalf("caption = %q", c)
	}
	if string(calls[0].Files["photo"].Data) != "\x89PNG fake" {
		t.Fatal("photo not uploaded")
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if !got.From.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, loc)) || !got.To.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, loc)) || got.Label != "2025年" {
		t.Fatalf("period = %+v", got)
	}
}

// TestStatsChartFailureFallsBackAtOnce: when Telegram fails the chart's
// upload, staff get the figures as text at once, campaigns included, not
// after a dozen seconds of retries.
func TestStatsChartFailureFallsBackAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q := outbox.New(outbox.Options{PrivateInterval: time.Millisecond})
	go func() { _ = q.Run(ctx) }()
	defer q.Close()
	h := newHarness(t, func(o *Options) {
		o.Sender = q
		o.Stats = func(ctx context.Context, p Period) (string, []byte, error) {
			return "2025年3月 咨询 1 人次，宣传推送 1 次", []byte("\x89PNG fake"), nil
		}
	})
	h.start()
	h.say(alice, alice, "/subscribe all")
	o, _, err := h.db.CreateOccurrence(ctx, store.Occurrence{CampaignID: "consumer-day", Title: "3·15 国际消费者权益日", ScheduledAt: h.clock.Now(), Message: "3·15"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.StartOccurrence(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := h.db.RecordDelivery(ctx, o.ID, alice, store.DeliveryResult{Status: store.DeliverySent}); err != nil {
		t.Fatal(err)
	}

	h.srv.FailNext("sendPhoto", 1, http.StatusBadGateway)
	h.say(staffChat, adminID, "/stats")
	if n := len(h.srv.Calls("sendPhoto")); n != 1 {
		t.Errorf("sendPhoto tried %d times, want once", n)
	}
	text := h.last(staffChat)
	for _, want := range []string{"咨询统计 · 2025年3月", "宣传推送</b>：1 次，送达 1 条（3·15 国际消费者权益日）"} {
		contains(t, text, want)
	}
	// The chart works again for the next command.
	h.say(staffChat, adminID, "/stats 2024-01")
	if n := len(h.srv.Calls("sendPhoto")); n != 2 {
		t.Errorf("sendPhoto calls = %d after the next /stats, want 2", n)
	}
}

// fakeBroadcaster records broadcasts.
type fakeBroadcaster struct {
	mu   sync.Mutex
	sent []string
	fail bool
}

func (f *fakeBroadcaster) Broadcast(ctx context.Context, staff int64, html string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return 0, errors.New("scheduler down")
	}
	f.sent = append(f.sent, html)
	return int64(40 + len(f.sent)), nil
}

func (f *fakeBroadcaster) Status(ctx context.Context) (string, error) {
	return "3·15 消费者权益日：已发送 120 / 125，停用 5", nil
}

func (f *fakeBroadcaster) all() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent...)
}

func TestBroadcastComposePreviewConfirm(t *testing.T) {
	fb := &fakeBroadcaster{}
	h := newHarness(t, func(o *Options) { o.Broadcaster = fb })
	h.start()

	h.say(adminID, adminID, "/broadcast")
	contains(t, h.last(adminID), "请把要群发的内容发给我")
	text := "3·15 消费者权益日 🛒 买到假货可以拨打12315 <投诉>"
	h.send(models.Update{Message: &models.Message{ID: 80000, From: &models.User{ID: adminID}, Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: adminID, Type: models.ChatTypePrivate}, Text: text,
		Entities: []models.MessageEntity{{Type: models.MessageEntityTypeBold, Offset: 0, Length: 11}, {Type: models.MessageEntityTypeItalic, Offset: 15, Length: 5}}}})
	preview := h.lastMessage(adminID)
	want := "<b>3·15 消费者权益日</b> 🛒 <i>买到假货可</i>以拨打12315 &lt;投诉&gt;"
	if preview.Text != want {
		t.Fatalf("preview = %q\nwant      %q", preview.Text, want)
	}
	contains(t, h.sent(adminID)[len(h.sent(adminID))-2], "群发预览")

	// Someone else cannot confirm it.
	h.press(adminID, alice, preview, btnConfirmSend)
	if len(fb.all()) != 0 {
		t.Fatal("a non-staff user confirmed a broadcast")
	}
	h.press(adminID, adminID, preview, btnConfirmSend)
	if got := fb.all(); len(got) != 1 || got[0] != want {
		t.Fatalf("broadcast = %q", got)
	}
	contains(t, h.last(adminID), "已开始群发（编号 41）")
	// A second tap on the same preview sends nothing more.
	h.press(adminID, adminID, preview, btnConfirmSend)
	if len(fb.all()) != 1 {
		t.Fatal("double tap sent twice")
	}
	if a := h.callbackAnswers(); a[len(a)-1] != msgExpired {
		t.Fatalf("second tap: %q", a[len(a)-1])
	}

	// Inline text, then cancel.
	h.say(staffChat, adminID, "/broadcast 禁毒宣传：珍爱生命，远离毒品")
	preview = h.lastMessage(staffChat)
	if preview.Text != "禁毒宣传：珍爱生命，远离毒品" {
		t.Fatalf("inline preview = %q", preview.Text)
	}
	h.press(staffChat, adminID, preview, btnCancelSend)
	contains(t, h.last(staffChat), msgBroadcastCancelled)
	if len(fb.all()) != 1 {
		t.Fatal("cancel sent")
	}

	// /cancel while composing.
	h.say(adminID, adminID, "/broadcast")
	h.say(adminID, adminID, "/cancel")
	if h.last(adminID) != msgCancelled {
		t.Fatalf("/cancel: %q", h.last(adminID))
	}
	h.say(adminID, adminID, "离婚")
	contains(t, h.last(adminID), "怎么离婚") // a question again, not a broadcast

	h.say(adminID, adminID, "/campaigns")
	contains(t, h.last(adminID), "已发送 120 / 125")

	fb.fail = true
	h.say(adminID, adminID, "/broadcast 再发一条")
	h.press(adminID, adminID, h.lastMessage(adminID), btnConfirmSend)
	if h.last(adminID) != msgBroadcastFailed {
		t.Fatalf("failed broadcast: %q", h.last(adminID))
	}
}

func TestBroadcastNotConfigured(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.say(adminID, adminID, "/broadcast 你好")
	if h.last(adminID) != msgBroadcastUnavailable {
		t.Fatalf("got %q", h.last(adminID))
	}
	h.say(adminID, adminID, "/campaigns")
	if h.last(adminID) != msgBroadcastUnavailable {
		t.Fatalf("got %q", h.last(adminID))
	}
}

func TestStaffHelpInStaffChat(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.say(staffChat, adminID, "/help")
	if h.last(staffChat) != msgStaffHelp {
		t.Fatalf("got %q", h.last(staffChat))
	}
	// Resident commands and chatter in the staff chat get no answer.
	n := len(h.sent(staffChat))
	h.say(staffChat, adminID, "/subscribe")
	h.say(staffChat, adminID, "今天谁值班？")
	if len(h.sent(staffChat)) != n {
		t.Fatalf("staff chat got %q", h.sent(staffChat)[n:])
	}
}

// A long staff reply formatted across paragraphs is split for Telegram
// with every part well-formed, and reaches the resident whole.
func TestLongFormattedStaffReplyIsRelayedWhole(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.say(alice, alice, "/human 邻居占了我家的宅基地")
	contains(t, h.last(alice), "工单号")

	paras := []string{strings.Repeat("甲", 1350), strings.Repeat("乙", 1350), strings.Repeat("丙", 1350)}
	text := strings.Join(paras, "\n\n")
	h.staffReply(adminID, h.ticketMessage(1), text,
		models.MessageEntity{Type: models.MessageEntityTypeBold, Offset: 0, Length: utf16Len(text)},
		models.MessageEntity{Type: models.MessageEntityTypeTextLink, Offset: 1000, Length: 2000, URL: "https://example.org/a b"})
	contains(t, h.last(staffChat), "已转达给居民（工单 #1）")
	got := h.sent(alice)
	joined := strings.Join(got, "")
	for _, p := range paras {
		if !strings.Contains(strings.ReplaceAll(stripTags(joined), "\n", ""), strings.ReplaceAll(p, "\n", "")) {
			t.Fatalf("a paragraph of the reply is missing")
		}
	}
	var relays int
	if err := h.db.SQL().QueryRow(`SELECT COUNT(*) FROM ticket_relays WHERE ticket_id = 1`).Scan(&relays); err != nil {
		t.Fatal(err)
	}
	if relays < 2 {
		t.Fatalf("%d relayed parts recorded, want every part", relays)
	}
}

// What a resident adds to a ticket goes to the staff chat, so it is under
// the same flood limit as questions.
func TestFloodLimitCoversHandOver(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.QuestionsPerMinute = 3 })
	h.start()
	h.say(alice, alice, "/human 邻居占了我家的宅基地")
	contains(t, h.last(alice), "工单号")
	before := len(h.sent(staffChat))
	for i := range 8 {
		h.say(alice, alice, fmt.Sprintf("/human 补充情况第%d条", i))
	}
	if n := len(h.sent(staffChat)) - before; n != 2 {
		t.Fatalf("%d follow-ups reached the staff chat, want 2 (the limit of 3 less the hand-over)", n)
	}
	flood := 0
	for _, s := range h.sent(alice) {
		if s == msgFlood {
			flood++
		}
	}
	if flood != 1 {
		t.Fatalf("resident told about the limit %d times, want once", flood)
	}
	h.clock.Add(time.Minute)
	h.say(alice, alice, "/human 还有一件事")
	contains(t, h.last(staffChat), "还有一件事")
}

// Message ids are only unique within a chat: after the staff chat moves
// to another group, a reply there to a message whose id happens to match
// an old ticket announcement is staff talk, not an answer to a resident.
func TestStaffReplyInANewStaffChatDoesNotReachOldTicket(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.say(alice, alice, "/human 邻居占了我家的宅基地")
	old := h.ticketMessage(1)
	h.stop()

	const newStaff int64 = -100777888
	h.opts.StaffChat = newStaff
	h.start()
	before := len(h.sent(alice))
	h.send(models.Update{Message: &models.Message{
		ID: 70001, From: &models.User{ID: adminID}, Date: int(time.Now().Unix()),
		Chat:           models.Chat{ID: newStaff, Type: models.ChatTypeSupergroup, Title: "新工作群"},
		Text:           "这个周末谁值班？",
		ReplyToMessage: &models.Message{ID: old, Chat: models.Chat{ID: newStaff, Type: models.ChatTypeSupergroup}},
	}})
	if len(h.sent(alice)) != before {
		t.Fatalf("staff talk in the new staff chat was relayed to a resident: %q", h.last(alice))
	}
	// /close in reply to it does not close the old ticket either.
	h.send(models.Update{Message: &models.Message{
		ID: 70002, From: &models.User{ID: adminID}, Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: newStaff, Type: models.ChatTypeSupergroup, Title: "新工作群"},
		Text: "/close", Entities: []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Length: 6}},
		ReplyToMessage: &models.Message{ID: old, Chat: models.Chat{ID: newStaff, Type: models.ChatTypeSupergroup}},
	}})
	if tk, _ := h.db.GetTicket(context.Background(), 1); tk.Status == store.TicketClosed {
		t.Fatal("a reply in another chat closed the ticket")
	}
}

func TestGroupUpgradeKeepsRegistration(t *testing.T) {
	h := newHarness(t)
	h.start()
	ctx := context.Background()
	h.send(groupMessage(1, adminID, "/register_group"))
	contains(t, h.last(village), "已登记")
	const super = int64(-1009990001)
	up := groupMessage(2, adminID, "")
	up.Message.MigrateToChatID = super
	h.send(up)
	h.eventually("registration moved to the supergroup", func() bool {
		g, _ := h.db.RegisteredGroups(ctx)
		return len(g) == 1 && g[0] == super
	})
}
