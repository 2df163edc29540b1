package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestRecordConsultation(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	at := time.Date(2025, 3, 15, 2, 0, 0, 0, time.UTC)
	id, err := db.RecordConsultation(ctx, Consultation{
		At: at, Resident: "abc", ChatType: ChatPrivate, Topic: "consumer", AnswerKind: AnswerArticles,
		Articles: []string{"《中华人民共和国消费者权益保护法》第五十五条", "《中华人民共和国消费者权益保护法》第二十四条"},
		Question: "买到假货怎么办", Latency: 12500 * time.Microsecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.GetConsultation(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := Consultation{ID: id, At: at, Resident: "abc", Channel: "telegram", ChatType: ChatPrivate, Topic: "consumer",
		AnswerKind: AnswerArticles, Articles: []string{"《中华人民共和国消费者权益保护法》第五十五条", "《中华人民共和国消费者权益保护法》第二十四条"},
		Question: "买到假货怎么办", Latency: 12500 * time.Microsecond}
	if !got.At.Equal(want.At) {
		t.Fatalf("at = %v, want %v", got.At, want.At)
	}
	got.At = want.At
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}

	if err := db.SetFeedback(ctx, id, FeedbackHelpful); err != nil {
		t.Fatal(err)
	}
	if err := db.SetFeedback(ctx, id, FeedbackNotHelpful); err != nil {
		t.Fatal(err)
	}
	if err := db.SetFeedback(ctx, id, 5); err == nil {
		t.Fatal("feedback 5 accepted")
	}
	if err := db.SetFeedback(ctx, 999, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetFeedback(unknown) = %v", err)
	}
	if err := db.MarkHandedOver(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkHandedOver(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("MarkHandedOver(unknown) = %v", err)
	}
	got, _ = db.GetConsultation(ctx, id)
	if got.Feedback != FeedbackNotHelpful || !got.HandedOver {
		t.Fatalf("after feedback and hand-over: %+v", got)
	}
}

func TestLastConsultation(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	now := time.Date(2025, 6, 26, 8, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	old, _ := db.RecordConsultation(ctx, Consultation{At: now.Add(-200 * 24 * time.Hour), Resident: "r", Question: "旧问题"})
	recent, _ := db.RecordConsultation(ctx, Consultation{At: now.Add(-5 * time.Minute), Resident: "r", Question: "新问题"})
	if _, err := db.RecordConsultation(ctx, Consultation{At: now, Resident: "x", Question: "别人"}); err != nil {
		t.Fatal(err)
	}
	c, err := db.LastConsultation(ctx, "r", now.Add(-time.Hour))
	if err != nil || c.ID != recent {
		t.Fatalf("LastConsultation = %+v, %v; want id %d", c, err, recent)
	}
	if _, err := db.LastConsultation(ctx, "r", now.Add(-time.Minute)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LastConsultation too recent = %v", err)
	}
	if _, err := db.LastConsultation(ctx, "", now.Add(-time.Hour)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LastConsultation(\"\") = %v", err)
	}
	// After the retention job has deleted its text, the row still counts.
	if _, err := db.PurgeQuestions(ctx, now.Add(-180*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.GetConsultation(ctx, old); c.Question != "" || c.Resident != "r" {
		t.Fatalf("old consultation = %+v", c)
	}
	if c, _ := db.GetConsultation(ctx, recent); c.Question != "新问题" {
		t.Fatalf("recent consultation lost its question: %+v", c)
	}
}
