package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/pufabot/pufabot/store"
)

// A county: two township offices, each with its staff chat and staff, and
// county staff who see everything.
const (
	shiqiaoStaff int64 = -100111
	xintianStaff int64 = -100222
	shiqiaoAdmin int64 = 7001
	xintianAdmin int64 = 7002
	countyAdmin  int64 = 7100
	dora         int64 = 1004 // a resident who never chooses an office
)

func countyOptions(o *Options) {
	o.Admins = nil
	o.StaffChat = 0
	o.Offices = []Office{
		{ID: "shiqiao", Name: "石桥镇司法所", StaffChat: shiqiaoStaff, Admins: []int64{shiqiaoAdmin}},
		{ID: "xintian", Name: "新田镇司法所", StaffChat: xintianStaff, Admins: []int64{xintianAdmin}},
	}
	o.CountyAdmins = []int64{countyAdmin}
}

// officeBroadcaster records which office each broadcast went to.
type officeBroadcaster struct {
	mu      sync.Mutex
	offices []string
}

func (f *officeBroadcaster) Broadcast(ctx context.Context, staff int64, html string) (int64, error) {
	return f.BroadcastOffice(ctx, "", staff, html)
}

func (f *officeBroadcaster) BroadcastOffice(ctx context.Context, office string, staff int64, html string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.offices = append(f.offices, office)
	return int64(len(f.offices)), nil
}

func (f *officeBroadcaster) Status(ctx context.Context) (string, error) { return "", nil }

func (f *officeBroadcaster) all() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.offices...)
}

func TestOfficesJoinAndRouting(t *testing.T) {
	fb := &officeBroadcaster{}
	h := newHarness(t, countyOptions, func(o *Options) { o.Broadcaster = fb })
	h.start()
	ctx := context.Background()
	officeOf := func(user int64) string {
		t.Helper()
		o, _, err := h.db.ResidentOffice(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}

	// /start with no office: the welcome, then the chooser.
	h.say(alice, alice, "/start")
	chooser := h.lastMessage(alice)
	contains(t, chooser.Text, "请选择您所在乡镇的<b>司法所</b>")
	h.press(alice, alice, chooser, "新田镇司法所")
	contains(t, h.last(alice), "您已加入<b>新田镇司法所</b>")
	if got := officeOf(alice); got != "xintian" {
		t.Fatalf("alice's office = %q", got)
	}
	// A second /start does not ask again.
	h.say(alice, alice, "/start")
	notContains(t, h.last(alice), "请选择")

	// The deep link joins at once; a wrong one offers the list.
	h.say(bob, bob, "/start office-shiqiao")
	contains(t, h.last(bob), "您已加入<b>石桥镇司法所</b>")
	if got := officeOf(bob); got != "shiqiao" {
		t.Fatalf("bob's office = %q", got)
	}
	h.say(dora, dora, "/start office-nowhere")
	contains(t, h.last(dora), msgUnknownOffice)
	if hasButton(h.lastMessage(dora), "石桥镇司法所") == false {
		t.Fatal("no office buttons after a wrong deep link")
	}

	// /office shows it and changes it.
	h.say(alice, alice, "/office")
	contains(t, h.last(alice), "您现在属于<b>新田镇司法所</b>")

	// Consultations count for the resident's office.
	h.say(alice, alice, "离婚")
	h.say(bob, bob, "工资")
	h.say(bob, bob, "民法典第1079条")
	for id, want := range map[int64]string{1: "xintian", 2: "shiqiao", 3: "shiqiao"} {
		c, err := h.db.GetConsultation(ctx, id)
		if err != nil || c.Office != want {
			t.Fatalf("consultation %d office %q (%v), want %s", id, c.Office, err, want)
		}
	}

	// Hand-overs reach the resident's own office's staff chat only.
	h.say(bob, bob, "/human 老板拖欠工资三个月")
	contains(t, h.last(shiqiaoStaff), "工单 #1")
	h.say(alice, alice, "/human 离婚后孩子抚养费")
	contains(t, h.last(xintianStaff), "工单 #2")
	for _, s := range h.sent(shiqiaoStaff) {
		notContains(t, s, "抚养费")
	}
	for _, s := range h.sent(xintianStaff) {
		notContains(t, s, "拖欠工资")
	}
	// A resident with no office is asked to choose one first.
	h.say(dora, dora, "/human 邻居占了我家的地")
	contains(t, h.last(dora), msgChooseOfficeFirst)

	// Staff see their own office's tickets; county staff see all.
	h.say(shiqiaoStaff, shiqiaoAdmin, "/tickets")
	tickets := h.last(shiqiaoStaff)
	contains(t, tickets, "#1")
	notContains(t, tickets, "#2")
	h.say(countyAdmin, countyAdmin, "/tickets")
	contains(t, h.last(countyAdmin), "#1")
	contains(t, h.last(countyAdmin), "#2")
	// Another office's staff may not act in this staff chat.
	h.say(shiqiaoStaff, xintianAdmin, "/tickets")
	if h.last(shiqiaoStaff) != msgStaffOnly {
		t.Fatalf("xintian staff in shiqiao's chat got %q", h.last(shiqiaoStaff))
	}
	// Nor close its tickets, nor answer them.
	h.say(xintianAdmin, xintianAdmin, "/close 1")
	contains(t, h.last(xintianAdmin), "没有找到")
	if tk, _ := h.db.GetTicket(ctx, 1); tk.Status == store.TicketClosed {
		t.Fatal("xintian staff closed shiqiao's ticket")
	}
	h.say(shiqiaoAdmin, shiqiaoAdmin, "/close 1")
	if tk, _ := h.db.GetTicket(ctx, 1); tk.Status != store.TicketClosed {
		t.Fatal("shiqiao staff could not close their ticket")
	}

	// /stats counts the staff member's office; the county sees the sum.
	h.say(shiqiaoAdmin, shiqiaoAdmin, "/stats")
	s := h.last(shiqiaoAdmin)
	contains(t, s, "石桥镇司法所")
	contains(t, s, "咨询人次：<b>2</b>")
	h.say(xintianAdmin, xintianAdmin, "/stats")
	contains(t, h.last(xintianAdmin), "咨询人次：<b>1</b>")
	h.say(countyAdmin, countyAdmin, "/stats")
	contains(t, h.last(countyAdmin), "全县")
	contains(t, h.last(countyAdmin), "咨询人次：<b>3</b>")

	// Broadcasts: an office's staff reach their office, county staff all.
	h.say(xintianAdmin, xintianAdmin, "/broadcast 新田镇赶集日普法")
	h.press(xintianAdmin, xintianAdmin, h.lastMessage(xintianAdmin), btnConfirmSend)
	contains(t, h.last(xintianAdmin), "发送对象：新田镇司法所")
	h.say(countyAdmin, countyAdmin, "/broadcast 全县宪法宣传周")
	h.press(countyAdmin, countyAdmin, h.lastMessage(countyAdmin), btnConfirmSend)
	if got := fb.all(); len(got) != 2 || got[0] != "xintian" || got[1] != store.AllOffices && got[1] != "" {
		t.Fatalf("broadcast offices = %q", got)
	}

	// A village group registered by an office's staff belongs to it, and
	// questions asked there count for it.
	h.send(groupMessage(90001, xintianAdmin, "/register_group"))
	contains(t, h.last(village), "新田镇司法所")
	if c, err := h.db.GetChat(ctx, village); err != nil || c.Office != "xintian" {
		t.Fatalf("group %+v, %v", c, err)
	}
	// Another office's staff may not take the group over.
	h.send(groupMessage(90004, shiqiaoAdmin, "/register_group"))
	if h.last(village) != msgStaffOnly {
		t.Fatalf("shiqiao staff re-registering xintian's group got %q", h.last(village))
	}
	h.send(groupMessage(90005, shiqiaoAdmin, "/unregister_group"))
	if c, _ := h.db.GetChat(ctx, village); !c.Registered || c.Office != "xintian" {
		t.Fatalf("shiqiao staff changed xintian's group: %+v", c)
	}
	// County staff name the office; a wrong name registers nothing.
	h.send(groupMessage(90003, countyAdmin, "/register_group nowhere"))
	contains(t, h.last(village), msgUnknownOffice)
	if c, _ := h.db.GetChat(ctx, village); c.Office != "xintian" {
		t.Fatalf("a wrong office id changed the group's office to %q", c.Office)
	}
	h.send(groupMessage(90002, dora, "/ask 离婚"))
	var office string
	if err := h.db.SQL().QueryRow(`SELECT office FROM consultations ORDER BY id DESC LIMIT 1`).Scan(&office); err != nil || office != "xintian" {
		t.Fatalf("group consultation office %q, %v", office, err)
	}

	// /subscribe keeps the resident's office on the chat, so the office's
	// own campaigns reach it.
	h.say(bob, bob, "/subscribe all")
	if c, err := h.db.GetChat(ctx, bob); err != nil || c.Office != "shiqiao" {
		t.Fatalf("bob's chat %+v, %v", c, err)
	}
	if n, err := h.db.OfficeAudienceSize(ctx, store.AudienceSubscribers, "shiqiao"); err != nil || n != 1 {
		t.Fatalf("shiqiao subscribers = %d, %v", n, err)
	}
	// Moving office moves the subscription.
	h.say(bob, bob, "/office xintian")
	contains(t, h.last(bob), "新田镇司法所")
	if n, _ := h.db.OfficeAudienceSize(ctx, store.AudienceSubscribers, "xintian"); n != 1 {
		t.Fatalf("xintian subscribers after bob moved = %d", n)
	}
	for _, s := range append(h.sent(shiqiaoStaff), h.sent(xintianStaff)...) {
		for _, id := range []int64{alice, bob} {
			notContains(t, s, fmt.Sprint(id))
		}
	}
}

// Without offices the bot works as a single township always did: /office
// names the office, hand-overs go to telegram.staff_chat, nothing asks
// residents to choose.
func TestNoOfficesIsOneTownship(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.Office = "石桥镇司法所" })
	h.start()
	h.say(alice, alice, "/start")
	notContains(t, strings.Join(h.sent(alice), "\n"), "请选择您所在乡镇")
	h.say(alice, alice, "/office")
	contains(t, h.last(alice), "石桥镇司法所")
	h.say(alice, alice, "/start office-xintian") // a link of no use here: the welcome
	contains(t, h.last(alice), "普法小助手")
	h.say(alice, alice, "/human 邻居占地")
	contains(t, h.last(staffChat), "工单 #1")
	c, err := h.db.GetTicket(context.Background(), 1)
	if err != nil || c.Office != "" {
		t.Fatalf("ticket %+v, %v", c, err)
	}
}

// /stats draws the chart of the staff member's own office; county staff
// get the county's.
func TestOfficeStatsChart(t *testing.T) {
	var mu sync.Mutex
	var charts []string
	h := newHarness(t, countyOptions, func(o *Options) {
		o.Stats = func(ctx context.Context, p Period) (string, []byte, error) {
			mu.Lock()
			defer mu.Unlock()
			charts = append(charts, "county")
			return "全县", []byte("\x89PNG county"), nil
		}
		o.OfficeStats = func(ctx context.Context, office string, p Period) (string, []byte, error) {
			mu.Lock()
			defer mu.Unlock()
			charts = append(charts, office)
			return office, []byte("\x89PNG " + office), nil
		}
	})
	h.start()
	h.say(xintianStaff, xintianAdmin, "/stats")
	h.say(countyAdmin, countyAdmin, "/stats")
	h.say(shiqiaoStaff, countyAdmin, "/stats") // county staff in an office's chat: that office
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(charts, ",") != "xintian,county,shiqiao" {
		t.Fatalf("charts drawn: %q", charts)
	}
	if calls := h.srv.Calls("sendPhoto"); len(calls) != 3 || calls[0].Form.Get("caption") != "xintian" {
		t.Fatalf("photos: %d", len(calls))
	}
}

// A ticket of no office (opened on the web page, which has no office
// choice) goes to the first office listed, whose staff handle it.
func TestTicketOfNoOfficeGoesToTheFirstOffice(t *testing.T) {
	h := newHarness(t, countyOptions)
	b := h.start()
	ctx := context.Background()
	id, err := h.db.OpenTicket(ctx, store.Ticket{Question: "网页上的问题"})
	if err != nil {
		t.Fatal(err)
	}
	tk, _ := h.db.GetTicket(ctx, id)
	if err := b.AnnounceTicket(ctx, tk); err != nil {
		t.Fatal(err)
	}
	contains(t, h.last(shiqiaoStaff), "网页上的问题")
	h.say(shiqiaoStaff, shiqiaoAdmin, "/tickets")
	contains(t, h.last(shiqiaoStaff), fmt.Sprintf("#%d", id))
	h.say(xintianAdmin, xintianAdmin, fmt.Sprintf("/close %d", id))
	contains(t, h.last(xintianAdmin), "没有找到")
	h.say(shiqiaoAdmin, shiqiaoAdmin, fmt.Sprintf("/close %d", id))
	if tk, _ := h.db.GetTicket(ctx, id); tk.Status != store.TicketClosed {
		t.Fatal("the first office's staff could not close a ticket of no office")
	}
}
