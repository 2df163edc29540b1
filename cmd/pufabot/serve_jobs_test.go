package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pufabot/pufabot/store"
)

func TestNextRetention(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ now, want string }{
		{"2026-03-01T01:00:00+08:00", "2026-03-01T03:00:00+08:00"},
		{"2026-03-01T03:00:00+08:00", "2026-03-02T03:00:00+08:00"},
		{"2026-12-31T23:59:00+08:00", "2027-01-01T03:00:00+08:00"},
		{"2028-02-28T04:00:00+08:00", "2028-02-29T03:00:00+08:00"},
	}
	for _, c := range cases {
		now, _ := time.Parse(time.RFC3339, c.now)
		want, _ := time.Parse(time.RFC3339, c.want)
		if got := nextRetention(now, loc); !got.Equal(want) {
			t.Errorf("nextRetention(%s) = %s, want %s", c.now, got, want)
		}
	}
}

// TestRetentionLogsThroughServerLogger: the retention job reports through
// the logger serve configured (level, format, secret masking), not the
// process-wide default.
func TestRetentionLogsThroughServerLogger(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "pufabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out syncBuffer
	log := slog.New(slog.NewJSONHandler(&out, nil))
	stop := startRetention(context.Background(), db, 30, time.UTC, time.Now, log)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), `"msg":"question text purged"`) {
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("no retention line in the server's log: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
}
