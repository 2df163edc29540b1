package store

import (
	"context"
	"testing"
	"time"
)

func TestAddOfflineConsultation(t *testing.T) {
	db := openReportDB(t)
	ctx := context.Background()
	when := time.Date(2026, 3, 15, 4, 0, 0, 0, time.UTC)
	id, err := db.AddOfflineConsultation(ctx, when, "family", "phone", "来电咨询彩礼返还")
	if err != nil {
		t.Fatal(err)
	}
	var at int64
	var resident, channel, topic, kind, question string
	err = db.SQL().QueryRow(`SELECT at, resident, channel, topic, answer_kind, question FROM consultations WHERE id = ?`, id).
		Scan(&at, &resident, &channel, &topic, &kind, &question)
	if err != nil {
		t.Fatal(err)
	}
	if at != when.Unix() || resident != "" || channel != "phone" || topic != "family" || kind != AnswerStaff || question != "来电咨询彩礼返还" {
		t.Errorf("row = %d %q %q %q %q %q", at, resident, channel, topic, kind, question)
	}

	ids, err := db.AddOfflineConsultations(ctx, when, "", "visit", "", 4)
	if err != nil || len(ids) != 4 {
		t.Fatalf("AddOfflineConsultations: %v, %v", ids, err)
	}
	var nulls int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM consultations WHERE channel = 'visit' AND question IS NULL`).Scan(&nulls); err != nil || nulls != 4 {
		t.Errorf("%d visit rows without a note, want 4 (%v)", nulls, err)
	}

	for name, call := range map[string]func() error{
		"bot channel":  func() error { _, err := db.AddOfflineConsultation(ctx, when, "family", "telegram", ""); return err },
		"no channel":   func() error { _, err := db.AddOfflineConsultation(ctx, when, "family", "", ""); return err },
		"zero time":    func() error { _, err := db.AddOfflineConsultation(ctx, time.Time{}, "family", "phone", ""); return err },
		"zero records": func() error { _, err := db.AddOfflineConsultations(ctx, when, "family", "phone", "", 0); return err },
	} {
		if call() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
