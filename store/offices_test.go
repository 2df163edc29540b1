package store

import (
	"context"
	"testing"
	"time"
)

// A county's records carry their office: consultations, tickets, chats,
// occurrences and deliveries; office views count one office, AllOffices
// the county, and an office's own campaign reaches only its chats.
func TestOfficesScopeRecords(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return at }

	// Residents 11 and 12 belong to shiqiao, 21 to xintian; 31 chose none.
	for uid, office := range map[int64]string{11: "shiqiao", 12: "shiqiao", 21: "xintian"} {
		if err := db.SetResidentOffice(ctx, uid, office); err != nil {
			t.Fatal(err)
		}
	}
	if o, ok, err := db.ResidentOffice(ctx, 21); err != nil || !ok || o != "xintian" {
		t.Fatalf("ResidentOffice(21) = %q, %v, %v", o, ok, err)
	}
	if _, ok, err := db.ResidentOffice(ctx, 31); err != nil || ok {
		t.Fatalf("ResidentOffice(31) = %v, %v; want none", ok, err)
	}
	for _, uid := range []int64{11, 12, 21, 31} {
		if _, err := db.Subscribe(ctx, uid, AllTopics); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := db.GetChat(ctx, 11); err != nil || c.Office != "shiqiao" {
		t.Fatalf("subscribed chat 11: %+v, %v", c, err)
	}
	// A village group registered by xintian's staff.
	if _, err := db.RegisterGroup(ctx, Chat{ID: -500, Kind: ChatGroup, Title: "新田村", Office: "xintian"}); err != nil {
		t.Fatal(err)
	}
	// Changing office moves the subscription with the resident.
	if err := db.SetResidentOffice(ctx, 12, "xintian"); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.GetChat(ctx, 12); c.Office != "xintian" {
		t.Fatalf("chat 12 office %q after the move, want xintian", c.Office)
	}

	rec := func(resident, office string) {
		t.Helper()
		if _, err := db.RecordConsultation(ctx, Consultation{Resident: resident, Topic: "marriage", AnswerKind: AnswerFAQ, Office: office}); err != nil {
			t.Fatal(err)
		}
	}
	rec("r11", "shiqiao")
	rec("r11", "shiqiao")
	rec("r21", "xintian")
	rec("r0", "")
	id, err := db.OpenTicket(ctx, Ticket{ChatID: 21, Resident: "r21", Question: "q", Office: "xintian"})
	if err != nil {
		t.Fatal(err)
	}
	if tk, err := db.GetTicket(ctx, id); err != nil || tk.Office != "xintian" {
		t.Fatalf("ticket office: %+v, %v", tk, err)
	}
	if _, err := db.OpenTicket(ctx, Ticket{ChatID: 11, Resident: "r11", Question: "q2", Office: "shiqiao"}); err != nil {
		t.Fatal(err)
	}

	from, to := at.Add(-time.Hour), at.Add(time.Hour)
	for _, c := range []struct {
		office              string
		consultations, res  int64
		tickets, active     int
		subscribers, groups int
	}{
		{"shiqiao", 2, 1, 1, 1, 1, 0},
		{"xintian", 1, 1, 1, 1, 2, 1},
		{"", 1, 1, 0, 0, 1, 0},
		{AllOffices, 4, 3, 2, 2, 4, 1},
	} {
		v := db.Office(c.office)
		ct, err := v.ConsultationTotals(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		tt, err := v.TicketTotals(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		active, err := v.ActiveTickets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		chats, err := v.CountChats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		counts, err := v.CountConsultations(ctx, []time.Time{from, at, to})
		if err != nil {
			t.Fatal(err)
		}
		if ct.Total() != c.consultations || ct.Residents != c.res || tt.Created != int64(c.tickets) || len(active) != c.active ||
			chats.Subscribers != c.subscribers || chats.Groups != c.groups || counts[0]+counts[1] != c.consultations {
			t.Errorf("office %q: consultations %d residents %d tickets %d active %d subscribers %d groups %d series %v; want %+v",
				c.office, ct.Total(), ct.Residents, tt.Created, len(active), chats.Subscribers, chats.Groups, counts, c)
		}
	}

	// xintian's own campaign reaches its subscribers and its group; a
	// shared one reaches everybody; deliveries keep each recipient's office.
	own, err := db.AddOccurrence(ctx, Occurrence{CampaignID: "xintian-market", ScheduledAt: at, Audience: AudienceAll, Message: "赶集", Office: "xintian"})
	if err != nil {
		t.Fatal(err)
	}
	if own.Office != "xintian" {
		t.Fatalf("stored occurrence office %q", own.Office)
	}
	shared, err := db.AddOccurrence(ctx, Occurrence{CampaignID: "constitution-day", ScheduledAt: at, Audience: AudienceSubscribers, Message: "宪法"})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.OfficeAudienceSize(ctx, AudienceAll, "xintian"); err != nil || n != 3 {
		t.Fatalf("xintian audience = %d, %v; want 3", n, err)
	}
	recipients := func(o Occurrence) map[int64]bool {
		t.Helper()
		if _, err := db.StartOccurrence(ctx, o.ID); err != nil {
			t.Fatal(err)
		}
		ds, err := db.PendingDeliveries(ctx, o.ID, 0, at, 100)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]bool{}
		for _, d := range ds {
			got[d.ChatID] = true
			if err := db.RecordDelivery(ctx, o.ID, d.ChatID, DeliveryResult{Status: DeliverySent}); err != nil {
				t.Fatal(err)
			}
		}
		return got
	}
	if got := recipients(own); len(got) != 3 || !got[12] || !got[21] || !got[-500] {
		t.Errorf("xintian campaign reached %v; want 12, 21 and the group -500", got)
	}
	if got := recipients(shared); len(got) != 4 {
		t.Errorf("shared campaign reached %v; want all 4 subscribers", got)
	}
	camps, err := db.Office("shiqiao").CampaignTotals(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(camps) != 1 || camps[0].CampaignID != "constitution-day" || camps[0].Sent != 1 {
		t.Errorf("shiqiao campaigns = %+v; want the shared one, 1 message to its subscriber", camps)
	}
	camps, err = db.Office("xintian").CampaignTotals(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var sent int64
	for _, c := range camps {
		sent += c.Sent
	}
	if len(camps) != 2 || sent != 5 {
		t.Errorf("xintian campaigns = %+v; want both, 5 messages", camps)
	}
	reach, err := db.Office("xintian").Reach(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if reach.Groups != 1 || reach.PrivateChats != 2 {
		t.Errorf("xintian reach = %+v; want 1 group, 2 private chats", reach)
	}
	events, err := db.Office("xintian").SubscriptionEventCounts(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if events[EventSubscribe] != 1 { // 21 subscribed in xintian; 12 moved there later
		t.Errorf("xintian subscription events = %v", events)
	}

	// /forget drops the resident's office choice.
	p21, err := db.Pseudonym(ctx, 21)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Forget(ctx, 21, p21); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.ResidentOffice(ctx, 21); ok {
		t.Error("the office choice survived /forget")
	}
}

// A township moving into its county's database brings its history under
// its office id: records and residents belong to it.
func TestCopyToOffice(t *testing.T) {
	ctx := context.Background()
	open := func() *DB {
		db, err := OpenWith(testLocation(t), Options{Key: testKey, KeySource: "the test key"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	src := open()
	alice, err := src.Pseudonym(ctx, 1001)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.RecordConsultation(ctx, Consultation{Resident: alice, Topic: "family"}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Subscribe(ctx, 1001, AllTopics); err != nil {
		t.Fatal(err)
	}
	if _, err := src.OpenTicket(ctx, Ticket{ChatID: 1001, Resident: alice, Question: "q"}); err != nil {
		t.Fatal(err)
	}
	dst := open()
	if err := CopyToOffice(ctx, src, dst, "shiqiao", nil); err != nil {
		t.Fatal(err)
	}
	v := dst.Office("shiqiao")
	ct, err := v.ConsultationTotals(ctx, time.Unix(0, 0), time.Now().Add(time.Hour))
	if err != nil || ct.Total() != 1 {
		t.Fatalf("shiqiao consultations %d, %v", ct.Total(), err)
	}
	if n, err := v.ActiveSubscribers(ctx); err != nil || n != 1 {
		t.Fatalf("shiqiao subscribers %d, %v", n, err)
	}
	if ts, err := v.ActiveTickets(ctx); err != nil || len(ts) != 1 {
		t.Fatalf("shiqiao tickets %v, %v", ts, err)
	}
	if o, ok, err := dst.ResidentOffice(ctx, 1001); err != nil || !ok || o != "shiqiao" {
		t.Fatalf("alice's office in the county: %q %v %v", o, ok, err)
	}
}
