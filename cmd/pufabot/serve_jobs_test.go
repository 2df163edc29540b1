package main

import (
	"testing"
	"time"
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
