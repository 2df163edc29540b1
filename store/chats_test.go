package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSubscriptions(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	mustUpsert(t, db, Chat{ID: 1, Kind: ChatPrivate})
	mustUpsert(t, db, Chat{ID: 2, Kind: ChatPrivate})

	for _, topic := range []string{"family", "", "labor"} {
		added, err := db.Subscribe(ctx, 1, topic)
		if err != nil || !added {
			t.Fatalf("Subscribe(1, %q) = %v, %v", topic, added, err)
		}
	}
	if added, err := db.Subscribe(ctx, 1, "family"); err != nil || added {
		t.Fatalf("second Subscribe = %v, %v; want false, nil", added, err)
	}
	if _, err := db.Subscribe(ctx, 2, "labor"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Subscribe(ctx, -99, "labor"); err == nil {
		t.Fatal("Subscribe of an unknown group succeeded")
	}
	got, err := db.Subscriptions(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"*", "family", "labor"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Subscriptions = %v, want %v", got, want)
	}
	for _, tc := range []struct {
		topic string
		want  []int64
	}{
		{"labor", []int64{1, 2}},
		{"family", []int64{1}},
		{"anti-fraud", []int64{1}}, // chat 1 has '*'
		{"*", []int64{1, 2}},
	} {
		got, err := db.Subscribers(ctx, tc.topic)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Subscribers(%q) = %v, want %v", tc.topic, got, tc.want)
		}
	}

	if ok, err := db.Unsubscribe(ctx, 1, "family"); err != nil || !ok {
		t.Fatalf("Unsubscribe = %v, %v", ok, err)
	}
	if ok, _ := db.Unsubscribe(ctx, 1, "family"); ok {
		t.Fatal("second Unsubscribe reported a subscription")
	}
	if n, err := db.UnsubscribeAll(ctx, 1); err != nil || n != 2 {
		t.Fatalf("UnsubscribeAll = %d, %v; want 2", n, err)
	}
	if got, _ := db.Subscriptions(ctx, 1); len(got) != 0 {
		t.Fatalf("after UnsubscribeAll: %v", got)
	}
	if _, err := db.GetChat(ctx, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a private chat with no subscription is kept: %v", err)
	}
	// Events: 4 subscribes, 1 + 2 unsubscribes.
	counts := eventCounts(t, db)
	if counts[EventSubscribe] != 4 || counts[EventUnsubscribe] != 3 {
		t.Fatalf("events = %v", counts)
	}
}

func TestBlockedChatsAreNotSubscribers(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	mustUpsert(t, db, Chat{ID: 1, Kind: ChatPrivate})
	if _, err := db.Subscribe(ctx, 1, AllTopics); err != nil {
		t.Fatal(err)
	}
	if changed, err := db.MarkBlocked(ctx, 1); err != nil || !changed {
		t.Fatalf("MarkBlocked = %v, %v", changed, err)
	}
	if changed, _ := db.MarkBlocked(ctx, 1); changed {
		t.Fatal("second MarkBlocked changed the chat")
	}
	if changed, err := db.MarkBlocked(ctx, 404); err != nil || changed {
		t.Fatalf("MarkBlocked(unknown) = %v, %v", changed, err)
	}
	if got, _ := db.Subscribers(ctx, "x"); len(got) != 0 {
		t.Fatalf("blocked chat still a subscriber: %v", got)
	}
	c, err := db.GetChat(ctx, 1)
	if err != nil || c.BlockedAt.IsZero() {
		t.Fatalf("GetChat = %+v, %v", c, err)
	}
	// Writing to the bot again unblocks.
	mustUpsert(t, db, Chat{ID: 1, Kind: ChatPrivate})
	if got, _ := db.Subscribers(ctx, "x"); len(got) != 1 {
		t.Fatalf("unblocked chat not a subscriber: %v", got)
	}
	if n := eventCounts(t, db)[EventBlocked]; n != 1 {
		t.Fatalf("blocked events = %d", n)
	}
	cc, err := db.CountChats(ctx)
	if err != nil || cc.Private != 1 || cc.Subscribers != 1 || cc.Blocked != 0 {
		t.Fatalf("CountChats = %+v, %v", cc, err)
	}
}

func TestRegisteredGroups(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	g := Chat{ID: -100, Kind: ChatSupergroup, Title: "幸福村村民群"}
	if added, err := db.RegisterGroup(ctx, g); err != nil || !added {
		t.Fatalf("RegisterGroup = %v, %v", added, err)
	}
	if added, err := db.RegisterGroup(ctx, g); err != nil || added {
		t.Fatalf("second RegisterGroup = %v, %v", added, err)
	}
	mustUpsert(t, db, Chat{ID: -200, Kind: ChatGroup, Title: "other"})
	got, err := db.RegisteredGroups(ctx)
	if err != nil || !reflect.DeepEqual(got, []int64{-100}) {
		t.Fatalf("RegisteredGroups = %v, %v", got, err)
	}
	c, _ := db.GetChat(ctx, -100)
	if !c.Registered || c.Title != "幸福村村民群" {
		t.Fatalf("chat = %+v", c)
	}
	// Upserting on a new message keeps the registration.
	mustUpsert(t, db, Chat{ID: -100, Kind: ChatSupergroup, Title: "新名字"})
	if got, _ := db.RegisteredGroups(ctx); len(got) != 1 {
		t.Fatal("upsert dropped the registration")
	}
	if ok, err := db.UnregisterGroup(ctx, -100); err != nil || !ok {
		t.Fatalf("UnregisterGroup = %v, %v", ok, err)
	}
	if got, _ := db.RegisteredGroups(ctx); len(got) != 0 {
		t.Fatalf("after unregister: %v", got)
	}
}

func TestForgetKeepsAnonymousCounts(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	for _, id := range []int64{7, 8} {
		if _, err := db.Subscribe(ctx, id, "family"); err != nil {
			t.Fatal(err)
		}
	}
	me, _ := db.Pseudonym(ctx, 7)
	other, _ := db.Pseudonym(ctx, 8)
	c1, _ := db.RecordConsultation(ctx, Consultation{Resident: me, ChatType: ChatPrivate, AnswerKind: AnswerFAQ, Topic: "family", Question: "离婚孩子归谁"})
	c2, _ := db.RecordConsultation(ctx, Consultation{Resident: other, ChatType: ChatPrivate, AnswerKind: AnswerNone, Question: "别人的问题"})
	tid, err := db.OpenTicket(ctx, Ticket{ConsultationID: c1, ChatID: 7, Resident: me, Question: "离婚孩子归谁", Answer: "《民法典》第一千零八十四条"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddTicketRelay(ctx, tid, 7, 55); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReceiveUpdates(ctx, []InboundUpdate{{ID: 1, ChatID: 7, Payload: []byte(`{"update_id":1}`)}}); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishUpdate(ctx, 1); err != nil {
		t.Fatal(err)
	}

	if err := db.Forget(ctx, 7, me); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetChat(ctx, 7); !errors.Is(err, ErrNotFound) {
		t.Fatalf("chat still there: %v", err)
	}
	if subs, _ := db.Subscriptions(ctx, 7); len(subs) != 0 {
		t.Fatalf("subscriptions still there: %v", subs)
	}
	got, err := db.GetConsultation(ctx, c1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Question != "" || got.Resident == me || !strings.HasPrefix(got.Resident, "forgotten-") || got.AnswerKind != AnswerFAQ || got.Topic != "family" || !got.HandedOver {
		t.Fatalf("consultation after forget = %+v", got)
	}
	if o, _ := db.GetConsultation(ctx, c2); o.Question != "别人的问题" || o.Resident != other {
		t.Fatalf("another resident's consultation changed: %+v", o)
	}
	tk, err := db.GetTicket(ctx, tid)
	if err != nil {
		t.Fatal(err)
	}
	if tk.ChatID != 0 || tk.Question != "" || tk.Answer != "" || tk.Resident != "" {
		t.Fatalf("ticket after forget = %+v", tk)
	}
	if _, err := db.TicketForRelay(ctx, 7, 55); !errors.Is(err, ErrNotFound) {
		t.Fatalf("relay still there: %v", err)
	}
	if _, err := db.GetChat(ctx, 8); err != nil {
		t.Fatalf("other chat gone: %v", err)
	}
	s, err := db.ConsultationTotals(ctx, time.Unix(0, 0), db.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Both residents still count as served; the forgotten one under a
	// random token that leads back to no one.
	if s.Total() != 2 || s.Residents != 2 {
		t.Fatalf("totals after forget = %+v", s)
	}
	if eventCounts(t, db)[EventForget] != 1 {
		t.Fatal("no forget event")
	}
}

func mustUpsert(t *testing.T, db *DB, c Chat) {
	t.Helper()
	if err := db.UpsertChat(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

func eventCounts(t *testing.T, db *DB) map[string]int {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT kind, COUNT(*) FROM subscription_events GROUP BY kind`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		out[k] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
