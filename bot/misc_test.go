package bot

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	l := newLimiter(3)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if ok, _ := l.allow(1, now); !ok {
			t.Fatalf("question %d refused", i+1)
		}
	}
	if ok, warn := l.allow(1, now); ok || !warn {
		t.Fatalf("4th = %v, %v; want refused with a warning", ok, warn)
	}
	if ok, warn := l.allow(1, now); ok || warn {
		t.Fatalf("5th = %v, %v; want refused silently", ok, warn)
	}
	if ok, _ := l.allow(2, now); !ok {
		t.Fatal("another user limited")
	}
	// A token comes back every 20 seconds.
	if ok, _ := l.allow(1, now.Add(19*time.Second)); ok {
		t.Fatal("allowed too early")
	}
	if ok, _ := l.allow(1, now.Add(21*time.Second)); !ok {
		t.Fatal("not allowed after refill")
	}
	l.prune(now.Add(2 * time.Minute))
	if len(l.users) != 0 {
		t.Fatalf("prune kept %d users", len(l.users))
	}
}

func TestParsePeriod(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	// Sunday 2025-03-16 01:00 in Shanghai (Saturday 17:00 UTC).
	now := time.Date(2025, 3, 15, 17, 0, 0, 0, time.UTC)
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, loc) }
	for _, tc := range []struct {
		arg      string
		from, to time.Time
		label    string
	}{
		{"", d(2025, 3, 1), d(2025, 4, 1), "2025年3月"},
		{"today", d(2025, 3, 16), d(2025, 3, 17), "今天（3月16日）"},
		{"week", d(2025, 3, 10), d(2025, 3, 17), "本周（3月10日—3月16日）"},
		{"year", d(2025, 1, 1), d(2026, 1, 1), "2025年"},
		{"2024-12", d(2024, 12, 1), d(2025, 1, 1), "2024年12月"},
		{"2024-2", d(2024, 2, 1), d(2024, 3, 1), "2024年2月"},
		{"2023", d(2023, 1, 1), d(2024, 1, 1), "2023年"},
	} {
		p, ok := parsePeriod(tc.arg, now, loc)
		if !ok || !p.From.Equal(tc.from) || !p.To.Equal(tc.to) || p.Label != tc.label {
			t.Errorf("parsePeriod(%q) = %+v, %v; want %v–%v %q", tc.arg, p, ok, tc.from, tc.to, tc.label)
		}
	}
	for _, bad := range []string{"2024-13", "2024-00", "yesterday", "1999", "20245"} {
		if _, ok := parsePeriod(bad, now, loc); ok {
			t.Errorf("parsePeriod(%q) accepted", bad)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second:              "不到1分钟",
		5 * time.Minute:               "5分钟",
		2 * time.Hour:                 "2小时",
		2*time.Hour + 30*time.Minute:  "2小时30分钟",
		48 * time.Hour:                "2天",
		50*time.Hour + 10*time.Minute: "2天2小时",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
