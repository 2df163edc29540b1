package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/store"
)

func TestStartRegistersCommandsAndShowsMenu(t *testing.T) {
	h := newHarness(t)
	h.start()

	scopes := map[string]bool{}
	for _, c := range h.srv.Calls("setMyCommands") {
		var scope struct {
			Type   string `json:"type"`
			ChatID int64  `json:"chat_id"`
		}
		_ = json.Unmarshal([]byte(c.Form.Get("scope")), &scope)
		scopes[scope.Type] = true
		if !json.Valid([]byte(c.Form.Get("commands"))) {
			t.Fatalf("commands not JSON: %s", c.Form.Get("commands"))
		}
	}
	for _, s := range []string{"all_private_chats", "all_group_chats", "chat"} {
		if !scopes[s] {
			t.Errorf("no setMyCommands for scope %s (got %v)", s, scopes)
		}
	}
	if len(h.srv.Calls("deleteWebhook")) == 0 {
		t.Error("long polling did not remove a webhook first")
	}

	h.say(alice, alice, "/start")
	m := h.lastMessage(alice)
	contains(t, m.Text, "普法小助手")
	contains(t, m.Text, "不是正式的法律意见")
	for _, b := range []string{btnAsk, btnTopics, btnSubscribe, btnHuman, btnPrivacy} {
		h.button(m, b)
	}

	// Every menu button leads somewhere useful.
	for _, tc := range []struct{ button, want string }{
		{btnAsk, "请直接打字"},
		{btnTopics, "普法专题"},
		{btnSubscribe, "订阅普法提醒"},
		{btnHuman, "联系工作人员"},
		{btnPrivacy, "隐私说明"},
	} {
		h.press(alice, alice, m, tc.button)
		contains(t, h.last(alice), tc.want)
	}

	h.say(alice, alice, "/help")
	contains(t, h.last(alice), "普法小助手")
	notContains(t, h.last(alice), "工作人员命令")
	h.say(adminID, adminID, "/help")
	contains(t, h.last(adminID), "工作人员命令")
}

func TestFAQAnswerCardAndConsultation(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.say(alice, alice, "我想离婚怎么办")

	m := h.lastMessage(alice)
	contains(t, m.Text, "<b>怎么离婚？</b>")
	contains(t, m.Text, "可以协议离婚")
	contains(t, m.Text, "法律依据")
	contains(t, m.Text, "《中华人民共和国民法典》第一千零七十九条")
	contains(t, m.Text, knowledge.Disclaimer)
	h.button(m, btnFullText(1))
	if hasButton(m, btnFullText(2)) {
		t.Error("a hit without an id got a full-text button")
	}
	h.button(m, btnHandOver)
	h.button(m, btnHelpful)
	h.button(m, btnNotHelpful)
	if hasButton(m, btnMore) {
		t.Error("更多结果 without more results")
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if len(b.CallbackData) > 64 {
				t.Errorf("callback data %q longer than 64 bytes", b.CallbackData)
			}
		}
	}

	var c store.Consultation
	var err error
	c, err = h.db.GetConsultation(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	pseud, _ := h.db.Pseudonym(context.Background(), alice)
	if c.Resident != pseud || strings.Contains(c.Resident, "1001") {
		t.Errorf("resident = %q, want the pseudonym %q", c.Resident, pseud)
	}
	if c.AnswerKind != "faq" || c.FAQID != "divorce-how" || c.Topic != "family" || c.ChatType != "private" ||
		c.Question != "我想离婚怎么办" || len(c.Articles) != 2 || c.Latency <= 0 {
		t.Errorf("consultation = %+v", c)
	}
	if n := h.reg.Counter("pufabot_bot_answers_total", "", "kind").Value("faq"); n != 1 {
		t.Errorf("answers_total{faq} = %v", n)
	}
}

// TestSmallTalkAndNotFound: a greeting gets a short reply with the menu,
// a message with no legal content the not-found card with the menu's ways
// on and a person to turn to; both are recorded as what they were.
func TestSmallTalkAndNotFound(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.say(alice, alice, "你好")
	m := h.lastMessage(alice)
	contains(t, m.Text, "普法小助手")
	notContains(t, m.Text, "没有找到")
	for _, b := range []string{btnAsk, btnTopics, btnSubscribe, btnHuman} {
		h.button(m, b)
	}
	if hasButton(m, btnHelpful) {
		t.Error("small talk asks for feedback")
	}
	h.say(alice, alice, "谢谢")
	contains(t, h.last(alice), "不客气")

	h.say(alice, alice, "今天晚饭吃什么好呢")
	m = h.lastMessage(alice)
	contains(t, m.Text, "没有找到")
	contains(t, m.Text, "12348")
	for _, b := range []string{btnAsk, btnTopics, btnHandOver} {
		h.button(m, b)
	}
	// Nothing was said about the law: nothing to disclaim or rate.
	notContains(t, m.Text, knowledge.Disclaimer)
	if hasButton(m, btnHelpful) || hasButton(m, btnNotHelpful) {
		t.Error("not-found card asks for feedback")
	}

	// Opening a conversation invites the story, not a not-found card.
	h.say(alice, alice, "你好呀，我想咨询一下")
	m = h.lastMessage(alice)
	contains(t, m.Text, "您请说")
	notContains(t, m.Text, "没有找到")

	want := []string{store.AnswerSmallTalk, store.AnswerSmallTalk, store.AnswerNone, store.AnswerSmallTalk}
	for i, kind := range want {
		c, err := h.db.GetConsultation(context.Background(), int64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		if c.AnswerKind != kind {
			t.Errorf("consultation %d recorded as %q, want %q", i+1, c.AnswerKind, kind)
		}
	}
	if n := h.reg.Counter("pufabot_bot_answers_total", "", "kind").Value("smalltalk"); n != 3 {
		t.Errorf("answers_total{smalltalk} = %v", n)
	}
}

func TestCitationAndRepealedLaw(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.say(alice, alice, "民法典第1079条")
	m := h.lastMessage(alice)
	contains(t, m.Text, "📜 <b>《中华人民共和国民法典》第一千零七十九条</b>")
	contains(t, m.Text, "直接向人民法院提起离婚诉讼")
	if hasButton(m, "📄") {
		t.Error("a citation answer offers its own full text again")
	}

	h.say(alice, alice, "婚姻法第32条 废止了吗")
	m = h.lastMessage(alice)
	contains(t, m.Text, "⚠️ 《中华人民共和国婚姻法》已经废止")
	contains(t, m.Text, "现在规定在《中华人民共和国民法典》第一千零七十九条")
}

func TestFullTextMoreAndFeedback(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.say(alice, alice, "老板拖欠工资")
	card := h.lastMessage(alice)
	contains(t, card.Text, "为您找到这些相关规定")
	contains(t, card.Text, "1. <b>《中华人民共和国劳动法》第五十条</b>")

	h.press(alice, alice, card, btnFullText(2))
	contains(t, h.last(alice), "📜 <b>《中华人民共和国劳动法》第五十一条</b>")
	contains(t, h.last(alice), "第51条的内容")

	h.press(alice, alice, card, btnMore)
	more := h.lastMessage(alice)
	contains(t, more.Text, "更多相关规定（第4—6条）")
	contains(t, more.Text, "4. <b>《中华人民共和国劳动法》第五十三条</b>")
	h.press(alice, alice, more, btnFullText(4))
	contains(t, h.last(alice), "第五十三条")
	h.press(alice, alice, more, btnMore)
	contains(t, h.last(alice), "第7—9条")
	last := h.lastMessage(alice)
	h.press(alice, alice, last, btnMore)
	contains(t, h.last(alice), "第10—10条")
	if hasButton(h.lastMessage(alice), btnMore) {
		t.Error("更多结果 offered past the last result")
	}

	// Feedback from the asker is stored and the buttons go away.
	h.press(alice, alice, card, btnNotHelpful)
	c, _ := h.db.GetConsultation(context.Background(), 1)
	if c.Feedback != store.FeedbackNotHelpful {
		t.Fatalf("feedback = %d", c.Feedback)
	}
	edited, _ := h.srv.Message(alice, card.ID)
	if hasButton(edited, btnHelpful) || hasButton(edited, btnNotHelpful) {
		t.Error("feedback buttons still on the card")
	}
	h.button(edited, btnMore)
	h.button(edited, btnHandOver)
	answers := h.callbackAnswers()
	if answers[len(answers)-1] != msgThanksNotHelpful {
		t.Errorf("callback answer = %q", answers[len(answers)-1])
	}
}

// TestFeedbackKeepsTheOtherButtons: the card keeps its other buttons after
// feedback even when the press arrives without the message's buttons, and
// after the question text was deleted.
func TestFeedbackKeepsTheOtherButtons(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.srv.OmitButtonsInCallbacks(true)
	h.say(alice, alice, "老板拖欠工资")
	card := h.lastMessage(alice)
	h.press(alice, alice, card, btnHelpful)
	edited, _ := h.srv.Message(alice, card.ID)
	if hasButton(edited, btnHelpful) || hasButton(edited, btnNotHelpful) {
		t.Error("feedback buttons still on the card")
	}
	for _, b := range []string{btnFullText(1), btnMore, btnHandOver, "看①"} {
		if !hasButton(edited, b) {
			t.Errorf("button %q lost after feedback", b)
		}
	}

	// The question text deleted (retention, /forget): the articles shown
	// and 转人工 stay.
	h.say(alice, alice, "工资")
	card = h.lastMessage(alice)
	if _, err := h.db.SQL().Exec(`UPDATE consultations SET question = NULL`); err != nil {
		t.Fatal(err)
	}
	h.press(alice, alice, card, btnNotHelpful)
	edited, _ = h.srv.Message(alice, card.ID)
	for _, b := range []string{btnFullText(1), btnFullText(3), btnHandOver} {
		if !hasButton(edited, b) {
			t.Errorf("button %q lost after feedback on a deleted question", b)
		}
	}
	if hasButton(edited, btnNotHelpful) {
		t.Error("feedback buttons still on the card")
	}
}

func TestLongArticleSplitOnParagraphs(t *testing.T) {
	h := newHarness(t)
	h.start()
	hit, _ := h.fkb.Article("a0002-3")
	h.fkb.mu.Lock()
	h.fkb.ranked[0] = hit
	h.fkb.mu.Unlock()
	h.say(alice, alice, "工资")
	card := h.lastMessage(alice)
	before := len(h.sent(alice))
	h.press(alice, alice, card, btnFullText(1))
	parts := h.sent(alice)[before:]
	if len(parts) < 2 {
		t.Fatalf("a %d-character article went out in %d message(s)", len([]rune(hit.Text)), len(parts))
	}
	paragraphs := strings.Split(hit.Text, "\n")
	var got []string
	for i, p := range parts {
		if utf16Len(p) > maxMessageLen {
			t.Errorf("part %d has %d units", i, utf16Len(p))
		}
		if i == 0 {
			p = p[strings.Index(p, "（1）"):]
		}
		got = append(got, strings.Split(p, "\n")...)
	}
	if strings.Join(got, "\n") != strings.Join(paragraphs, "\n") {
		t.Errorf("split lost or broke paragraphs:\n%q", got)
	}
}

func TestTopicsAndSubscriptions(t *testing.T) {
	h := newHarness(t)
	h.start()
	ctx := context.Background()
	h.say(alice, alice, "/topics")
	list := h.lastMessage(alice)
	h.press(alice, alice, list, "婚姻家庭")
	page := h.lastMessage(alice)
	contains(t, page.Text, "📚 <b>婚姻家庭</b>")
	contains(t, page.Text, "• 离婚可以协议也可以诉讼")
	h.press(alice, alice, page, "📄 《民法典》第一千零八十四条")
	contains(t, h.last(alice), "不因父母离婚而消除")
	h.press(alice, alice, page, "📄 《不存在法》")
	if a := h.callbackAnswers(); a[len(a)-1] != msgArticleNotImported {
		t.Errorf("missing law: callback answer %q", a[len(a)-1])
	}

	h.press(alice, alice, page, "🔔 订阅这个专题")
	if subs, _ := h.db.Subscriptions(ctx, alice); len(subs) != 1 || subs[0] != "family" {
		t.Fatalf("subscriptions = %v", subs)
	}
	h.say(alice, alice, "/subscribe")
	sub := h.lastMessage(alice)
	contains(t, sub.Text, "您现在订阅了：婚姻家庭")
	h.press(alice, alice, sub, btnSubAll)
	sub, _ = h.srv.Message(alice, sub.ID)
	contains(t, sub.Text, "全部提醒、婚姻家庭")
	h.press(alice, alice, sub, "✅ 婚姻家庭")
	if subs, _ := h.db.Subscriptions(ctx, alice); len(subs) != 1 || subs[0] != store.AllTopics {
		t.Fatalf("after toggling off: %v", subs)
	}
	h.say(alice, alice, "/unsubscribe all")
	contains(t, h.last(alice), "已退订全部提醒")
	if subs, _ := h.db.Subscriptions(ctx, alice); len(subs) != 0 {
		t.Fatalf("after /unsubscribe all: %v", subs)
	}
	h.say(alice, alice, "/unsubscribe")
	contains(t, h.last(alice), "还没有订阅")
	if ids, _ := h.db.Subscribers(ctx, "family"); len(ids) != 0 {
		t.Fatalf("subscribers = %v", ids)
	}
}

func TestPrivacyAndForget(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.RetainDays = 90 })
	h.start()
	ctx := context.Background()
	h.say(alice, alice, "/privacy")
	contains(t, h.last(alice), "保存 90 天后自动删除")
	contains(t, h.last(alice), "/forget")

	h.say(alice, alice, "/subscribe all")
	h.say(alice, alice, "我想离婚怎么办")
	h.say(alice, alice, "/forget")
	confirm := h.lastMessage(alice)
	h.press(alice, alice, confirm, btnForgetNo)
	if _, err := h.db.GetChat(ctx, alice); err != nil {
		t.Fatal("cancel deleted the chat")
	}
	h.say(alice, alice, "/forget")
	confirm = h.lastMessage(alice)
	h.press(alice, alice, confirm, btnForgetYes)
	edited, _ := h.srv.Message(alice, confirm.ID)
	contains(t, edited.Text, "已删除您的全部记录")
	if _, err := h.db.GetChat(ctx, alice); err == nil {
		t.Error("chat still stored")
	}
	c, _ := h.db.GetConsultation(ctx, 1)
	if c.Question != "" || !strings.HasPrefix(c.Resident, "forgotten-") || c.AnswerKind != "faq" {
		t.Errorf("consultation after forget = %+v", c)
	}
	// Coming back starts afresh.
	h.say(alice, alice, "/subscribe all")
	if subs, _ := h.db.Subscriptions(ctx, alice); len(subs) != 1 {
		t.Fatalf("subscribing again after forget: %v", subs)
	}
}

func TestFloodLimit(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.QuestionsPerMinute = 3 })
	h.start()
	for range 6 {
		h.say(alice, alice, "离婚")
	}
	sent := h.sent(alice)
	if len(sent) != 4 || sent[3] != msgFlood {
		t.Fatalf("sent %d messages: %q", len(sent), sent)
	}
	if len(h.fkb.asked()) != 3 {
		t.Fatalf("the knowledge base was asked %d times", len(h.fkb.asked()))
	}
	// Another resident is not affected.
	h.say(bob, bob, "离婚")
	contains(t, h.last(bob), "怎么离婚")
	// A minute later questions are answered again.
	h.clock.Add(time.Minute)
	h.say(alice, alice, "离婚")
	contains(t, h.last(alice), "怎么离婚")
}

func TestBadInput(t *testing.T) {
	h := newHarness(t)
	h.start()
	for _, tc := range []struct {
		name, text string
		want       string // in the answer
		asked      string // what the knowledge base got ("" = not asked)
	}{
		{"emoji only", "😀😀🙏", "好的 🙂", "😀😀🙏"}, // an acknowledgement, like 👍
		{"punctuation only", "？？？！！", msgNoWords, ""},
		{"control characters", "离\x00婚\x07怎么\x1b办", "怎么离婚", "离婚怎么办"},
		{"rtl marks", "\u202e离婚\u200f\u2066怎么办\u2069", "怎么离婚", "离婚怎么办"},
		{"html markup", "<b>法条</b> & <script>", "&lt;b&gt;法条&lt;/b&gt; &amp; &lt;script&gt;", "<b>法条</b> & <script>"},
		{"markdown", "*法条* _斜体_ `代码`", "*法条* _斜体_ `代码`", "*法条* _斜体_ `代码`"},
		{"bleve syntax", `+法条 -x:y* "~^()`, "法条 -x:y* &#34;~^()", `+法条 -x:y* "~^()`},
		{"crlf and tabs", "离婚\r\n\t怎么办", "怎么离婚", "离婚\n怎么办"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.fkb.asked())
			h.say(alice, alice, tc.text)
			contains(t, h.last(alice), tc.want)
			asked := h.fkb.asked()[before:]
			if tc.asked == "" {
				if len(asked) != 0 {
					t.Fatalf("knowledge base asked %q", asked)
				}
				return
			}
			if len(asked) != 1 || asked[0] != tc.asked {
				t.Fatalf("knowledge base asked %q, want %q", asked, tc.asked)
			}
		})
	}

	t.Run("4096-character question", func(t *testing.T) {
		q := "法条" + strings.Repeat("我家的地被邻居占了怎么办？", 340)
		q = string([]rune(q)[:4096])
		before := len(h.sent(alice))
		h.say(alice, alice, q)
		parts := h.sent(alice)[before:]
		contains(t, parts[0], "知识库里没有找到")
		contains(t, parts[len(parts)-1], knowledge.Disclaimer)
		for _, p := range parts {
			if utf16Len(p) > maxMessageLen {
				t.Fatalf("message of %d units", utf16Len(p))
			}
		}
		var stored string
		_ = h.db.SQL().QueryRow(`SELECT question FROM consultations ORDER BY id DESC LIMIT 1`).Scan(&stored)
		if n := len([]rune(stored)); n != maxQuestionLen {
			t.Fatalf("stored question of %d runes", n)
		}
	})

	t.Run("unknown command", func(t *testing.T) {
		h.say(alice, alice, "/frobnicate now")
		if h.last(alice) != msgUnknownCommand {
			t.Fatalf("got %q", h.last(alice))
		}
	})

	t.Run("command for another bot", func(t *testing.T) {
		before := len(h.sent(alice))
		h.say(alice, alice, "/start@some_other_bot")
		if len(h.sent(alice)) != before {
			t.Fatal("answered a command meant for another bot")
		}
	})

	t.Run("sticker, photo and voice", func(t *testing.T) {
		for _, m := range []*models.Message{
			{Sticker: &models.Sticker{FileID: "x"}},
			{Photo: []models.PhotoSize{{FileID: "p"}}, Caption: "看看这个合同"},
			{Voice: &models.Voice{FileID: "v"}},
		} {
			m.ID, m.From, m.Chat, m.Date = 7000, &models.User{ID: alice}, models.Chat{ID: alice, Type: models.ChatTypePrivate}, int(time.Now().Unix())
			h.send(models.Update{Message: m})
			if h.last(alice) != msgNonText {
				t.Fatalf("got %q", h.last(alice))
			}
		}
	})

	t.Run("edited question", func(t *testing.T) {
		now := int(time.Now().Unix())
		h.send(models.Update{EditedMessage: &models.Message{ID: 7001, From: &models.User{ID: alice}, Chat: models.Chat{ID: alice, Type: models.ChatTypePrivate},
			Date: now - 60, EditDate: now, Text: "民法典第1079条"}})
		contains(t, h.last(alice), "第一千零七十九条")
		before := len(h.sent(alice))
		h.send(models.Update{EditedMessage: &models.Message{ID: 7002, From: &models.User{ID: alice}, Chat: models.Chat{ID: alice, Type: models.ChatTypePrivate},
			Date: now - 86400, EditDate: now, Text: "民法典第1079条"}})
		if len(h.sent(alice)) != before {
			t.Fatal("answered an edit of a day-old message")
		}
	})

	t.Run("forged and stale callbacks", func(t *testing.T) {
		h.say(alice, alice, "离婚")
		card := h.lastMessage(alice)
		good := h.button(card, btnHelpful).CallbackData
		// The same data pressed in another chat, altered, from an old
		// format, or garbage.
		forged := []struct {
			chat int64
			data string
		}{
			{bob, good},
			{alice, strings.Replace(good, "+", "-", 1)},
			{alice, "0" + good[1:]},
			{alice, "1f:999999:+.AAAAAAAA"},
			{alice, ""},
			{alice, "\x00\xff"},
			{alice, strings.Repeat("x", 64)},
		}
		for _, f := range forged {
			before := len(h.callbackAnswers())
			h.handled(h.srv.PushCallback(f.chat, alice, card.ID, f.data))
			a := h.callbackAnswers()
			if len(a) != before+1 || a[len(a)-1] != msgExpired {
				t.Fatalf("data %q in chat %d: answers %q", f.data, f.chat, a[before:])
			}
		}
		// Properly signed data for a consultation that does not exist.
		data, _ := h.b.cb.encode(alice, actFeedback, "424242", "+")
		h.handled(h.srv.PushCallback(alice, alice, card.ID, data))
		if a := h.callbackAnswers(); a[len(a)-1] != msgExpired {
			t.Fatalf("unknown consultation: %q", a[len(a)-1])
		}
		c, _ := h.db.GetConsultation(context.Background(), 1)
		if c.Feedback != 0 {
			t.Fatalf("a forged callback changed feedback: %d", c.Feedback)
		}
	})
}

func TestSuggestionOpensCuratedAnswer(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.say(alice, alice, "老板拖欠工资")
	card := h.lastMessage(alice)
	contains(t, card.Text, "🔎 <b>您可能还想了解：</b>")
	contains(t, card.Text, "① 老板拖欠工资不给，怎么讨？")
	h.press(alice, alice, card, "看①")
	got := h.last(alice)
	contains(t, got, "💡 <b>老板拖欠工资不给，怎么讨？</b>")
	contains(t, got, "劳动仲裁")
}
