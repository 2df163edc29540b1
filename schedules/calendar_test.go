package schedules

import (
	"strings"
	"testing"
	"time"
)

func campaign(id, spec string) Campaign {
	return Campaign{ID: id, Title: id, Cron: spec, Message: "<b>" + id + "</b>"}
}

func mustCalendar(t *testing.T, cs ...Campaign) *Calendar {
	t.Helper()
	cal, err := NewCalendar(cs, shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func mustPlan(t *testing.T, c Campaign) *Plan {
	t.Helper()
	p, ok := mustCalendar(t, c).Plan(c.ID)
	if !ok {
		t.Fatal("plan missing")
	}
	return p
}

func formatAll(ts []time.Time) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.In(shanghai).Format("2006-01-02 15:04 Mon"))
	}
	return strings.Join(s, ", ")
}

func TestKeyDatesFireAtShanghaiTimes(t *testing.T) {
	tests := []struct {
		name string
		c    Campaign
		from time.Time
		to   time.Time
		want string
	}{
		{
			name: "3·15 every year at 09:00 Shanghai (01:00 UTC)",
			c:    campaign("consumer-day", "0 9 15 3 *"),
			from: sh(2025, 1, 1, 0, 0), to: sh(2028, 1, 1, 0, 0),
			want: "2025-03-15 09:00 Sat, 2026-03-15 09:00 Sun, 2027-03-15 09:00 Mon",
		},
		{
			name: "12·4 across the year end",
			c:    campaign("constitution-day", "0 9 4 12 *"),
			from: sh(2026, 12, 4, 9, 0), to: sh(2028, 12, 31, 0, 0),
			want: "2027-12-04 09:00 Sat, 2028-12-04 09:00 Mon",
		},
		{
			name: "new year's midnight in Shanghai is still Dec 31 in UTC",
			c:    campaign("new-year", "0 0 1 1 *"),
			from: sh(2026, 12, 31, 23, 59), to: sh(2027, 1, 2, 0, 0),
			want: "2027-01-01 00:00 Fri",
		},
		{
			name: "Feb 29 only in leap years",
			c:    campaign("leap", "30 8 29 2 *"),
			from: sh(2024, 3, 1, 0, 0), to: sh(2033, 1, 1, 0, 0),
			want: "2028-02-29 08:30 Tue, 2032-02-29 08:30 Sun",
		},
		{
			name: "Mondays in March (legal publicity month)",
			c:    Campaign{ID: "march", Cron: "0 10 * * MON", From: "03-01", To: "03-31", Message: "m"},
			from: sh(2026, 1, 1, 0, 0), to: sh(2026, 12, 31, 0, 0),
			want: "2026-03-02 10:00 Mon, 2026-03-09 10:00 Mon, 2026-03-16 10:00 Mon, 2026-03-23 10:00 Mon, 2026-03-30 10:00 Mon",
		},
		{
			name: "constitution week: every day from Dec 1 to Dec 7",
			c:    Campaign{ID: "week", Cron: "0 19 * * *", From: "12-01", To: "12-07", Message: "m"},
			from: sh(2026, 11, 1, 0, 0), to: sh(2027, 12, 2, 0, 0),
			want: "2026-12-01 19:00 Tue, 2026-12-02 19:00 Wed, 2026-12-03 19:00 Thu, 2026-12-04 19:00 Fri, 2026-12-05 19:00 Sat, 2026-12-06 19:00 Sun, 2026-12-07 19:00 Mon, 2027-12-01 19:00 Wed",
		},
		{
			name: "a window that wraps over the new year",
			c:    Campaign{ID: "spring", Cron: "0 9 * * *", From: "12-30", To: "01-02", Message: "m"},
			from: sh(2026, 6, 1, 0, 0), to: sh(2027, 6, 1, 0, 0),
			want: "2026-12-30 09:00 Wed, 2026-12-31 09:00 Thu, 2027-01-01 09:00 Fri, 2027-01-02 09:00 Sat",
		},
		{
			name: "a window of Feb 29 alone",
			c:    Campaign{ID: "leap-window", Cron: "0 9 * * *", From: "02-29", To: "02-29", Message: "m"},
			from: sh(2025, 1, 1, 0, 0), to: sh(2029, 1, 1, 0, 0),
			want: "2028-02-29 09:00 Tue",
		},
		{
			name: "May civil code month, Mondays and the 28th (anniversary of adoption)",
			c:    Campaign{ID: "may", Cron: "0 10 28 5 *", From: "05-01", To: "05-31", Message: "m"},
			from: sh(2026, 1, 1, 0, 0), to: sh(2027, 1, 1, 0, 0),
			want: "2026-05-28 10:00 Thu",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustPlan(t, tt.c)
			got := p.Occurrences(tt.from, tt.to, 100)
			if s := formatAll(got); s != tt.want {
				t.Errorf("occurrences\n got %s\nwant %s", s, tt.want)
			}
			for _, at := range got {
				if at.Location() != shanghai {
					t.Errorf("%s is not in Asia/Shanghai", at)
				}
			}
		})
	}
}

func TestNextIsInUTCOffsetOfShanghai(t *testing.T) {
	p := mustPlan(t, campaign("drugs-day", "0 9 26 6 *"))
	// Asked from a UTC time, the answer is still 09:00 in Shanghai.
	got := p.Next(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 6, 26, 1, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Next = %s, want %s", got, want)
	}
	// Strictly after: at the moment itself, the next is a year later.
	if got2 := p.Next(got); !got2.Equal(sh(2027, 6, 26, 9, 0)) {
		t.Errorf("Next(at) = %s", got2)
	}
}

func TestDueCatchUpWindow(t *testing.T) {
	cal := mustCalendar(t,
		campaign("consumer-day", "0 9 15 3 *"),
		campaign("hourly", "0 * * * *"),
		Campaign{ID: "off", Cron: "0 9 15 3 *", Message: "m", Disabled: true},
	)
	tests := []struct {
		name       string
		since, now time.Time
		want       []string // campaign@time:send|skip
	}{
		{
			name:  "on time",
			since: sh(2026, 3, 15, 8, 59), now: sh(2026, 3, 15, 9, 0),
			want: []string{"consumer-day@03-15 09:00:send", "hourly@03-15 09:00:send"},
		},
		{
			name:  "missed two hours ago, within the 6h catch-up: sent once",
			since: sh(2026, 3, 15, 8, 30), now: sh(2026, 3, 15, 11, 0),
			want: []string{
				"consumer-day@03-15 09:00:send",
				"hourly@03-15 09:00:skip superseded by a later occurrence",
				"hourly@03-15 10:00:skip superseded by a later occurrence",
				"hourly@03-15 11:00:send",
			},
		},
		{
			name:  "missed two days ago: skipped",
			since: sh(2026, 3, 14, 0, 0), now: sh(2026, 3, 17, 9, 30),
			want: []string{"consumer-day@03-15 09:00:skip missed by more than the catch-up window"},
		},
		{
			name:  "nothing new",
			since: sh(2026, 3, 15, 9, 0), now: sh(2026, 3, 15, 9, 0),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range cal.Due(tt.since, tt.now, 6*time.Hour) {
				if f.Campaign.ID == "hourly" && tt.name == "missed two days ago: skipped" {
					continue // 57 hourly occurrences, checked below
				}
				s := f.Campaign.ID + "@" + f.At.In(shanghai).Format("01-02 15:04") + ":send"
				if f.Skip {
					s = f.Campaign.ID + "@" + f.At.In(shanghai).Format("01-02 15:04") + ":skip " + f.Reason
				}
				got = append(got, s)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Due\n got %q\nwant %q", got, tt.want)
			}
		})
	}
	// A long outage skips everything but the latest hourly occurrence.
	var send, skip int
	for _, f := range cal.Due(sh(2026, 3, 14, 0, 0), sh(2026, 3, 17, 9, 30), 6*time.Hour) {
		if f.Campaign.ID != "hourly" {
			continue
		}
		if f.Skip {
			skip++
		} else {
			send++
			if f.At != sh(2026, 3, 17, 9, 0) {
				t.Errorf("sent hourly at %s, want the latest", f.At)
			}
		}
	}
	if send != 1 || skip != 80 {
		t.Errorf("hourly after a long outage: %d sent, %d skipped; want 1 and 80", send, skip)
	}
}

func TestCatchUpNeverBelowAMinute(t *testing.T) {
	cal := mustCalendar(t, campaign("c", "0 9 15 3 *"))
	got := cal.Due(sh(2026, 3, 15, 8, 0), sh(2026, 3, 15, 9, 0).Add(3*time.Second), 0)
	if len(got) != 1 || got[0].Skip {
		t.Fatalf("a zero catch-up skipped an occurrence 3s late: %+v", got)
	}
}

func TestUpcoming(t *testing.T) {
	cal := mustCalendar(t, campaign("b", "0 9 4 12 *"), campaign("a", "0 9 15 3 *"),
		Campaign{ID: "off", Cron: "0 9 1 1 *", Message: "m", Disabled: true})
	up := cal.Upcoming(sh(2026, 6, 1, 0, 0))
	if len(up) != 2 || up[0].Campaign.ID != "b" || up[1].Campaign.ID != "a" || !up[1].At.Equal(sh(2027, 3, 15, 9, 0)) {
		t.Errorf("upcoming = %+v", up)
	}
}
