package schedules

import (
	"strings"
	"testing"
)

func TestValidateNamesTheCampaign(t *testing.T) {
	ok := func(id string) Campaign { return campaign(id, "0 9 15 3 *") }
	with := func(id string, f func(*Campaign)) Campaign {
		c := ok(id)
		f(&c)
		return c
	}
	tests := []struct {
		name string
		c    []Campaign
		want []string // substrings of the error
	}{
		{"TZ=0 makes cron panic", []Campaign{with("tz", func(c *Campaign) { c.Cron = "TZ=0" })},
			[]string{`campaign "tz": cron "TZ=0"`, "time zone prefix"}},
		{"CRON_TZ junk", []Campaign{with("mars", func(c *Campaign) { c.Cron = "CRON_TZ=Mars/X * * * * *" })},
			[]string{`campaign "mars": cron "CRON_TZ=Mars/X * * * * *"`}},
		{"six fields", []Campaign{with("six", func(c *Campaign) { c.Cron = "0 0 9 15 3 *" })},
			[]string{`campaign "six": cron "0 0 9 15 3 *": expected exactly 5 fields, found 6`}},
		{"empty spec", []Campaign{with("empty", func(c *Campaign) { c.Cron = "" })},
			[]string{`campaign "empty": cron "": empty`}},
		{"junk", []Campaign{with("consumer-day", func(c *Campaign) { c.Cron = "x" })},
			[]string{`campaign "consumer-day": cron "x": expected exactly 5 fields, found 1: [x]`}},
		{"out of range", []Campaign{with("range", func(c *Campaign) { c.Cron = "0 25 * * *" })},
			[]string{`campaign "range": cron "0 25 * * *"`}},
		{"@every", []Campaign{with("every", func(c *Campaign) { c.Cron = "@every 1h" })},
			[]string{`campaign "every"`, "@every"}},
		{"Feb 30 never comes", []Campaign{with("feb30", func(c *Campaign) { c.Cron = "0 9 30 2 *" })},
			[]string{`campaign "feb30": cron "0 9 30 2 *" never fires`}},
		{"window misses the date", []Campaign{with("window", func(c *Campaign) { c.From, c.To = "04-01", "04-30" })},
			[]string{`campaign "window"`, "never fires between 04-01 and 04-30"}},
		{"bad from", []Campaign{with("from", func(c *Campaign) { c.From = "13-01" })},
			[]string{`campaign "from": from "13-01": want a date as MM-DD`}},
		{"bad to", []Campaign{with("to", func(c *Campaign) { c.To = "2-30" })},
			[]string{`campaign "to": to "2-30"`}},
		{"duplicate ids", []Campaign{ok("a"), ok("a")},
			[]string{`campaign "a": id also used by campaign #1`}},
		{"empty id", []Campaign{ok("a"), ok("")},
			[]string{`campaign #2: id is empty`}},
		{"reserved id", []Campaign{ok("broadcast")},
			[]string{`campaign "broadcast": id "broadcast" is reserved`}},
		{"upper-case id", []Campaign{ok("Consumer Day")},
			[]string{`campaign "Consumer Day": id "Consumer Day": use lower-case`}},
		{"audience", []Campaign{with("aud", func(c *Campaign) { c.Audience = "everyone" })},
			[]string{`campaign "aud": audience "everyone"`}},
		{"unclosed tag", []Campaign{with("html", func(c *Campaign) { c.Message = "<b>3·15" })},
			[]string{`campaign "html": message: <b> is not closed`}},
		{"unsupported tag", []Campaign{with("html", func(c *Campaign) { c.Message = "<h1>x</h1>" })},
			[]string{`campaign "html": message: tag <h1> is not supported`}},
		{"bare ampersand", []Campaign{with("html", func(c *Campaign) { c.Message = "A & B" })},
			[]string{`campaign "html": message: bare '&'`}},
		{"empty message", []Campaign{with("html", func(c *Campaign) { c.Message = " " })},
			[]string{`campaign "html": message: empty`}},
		{"too long", []Campaign{with("long", func(c *Campaign) { c.Message = strings.Repeat("法", 4097) })},
			[]string{`campaign "long": message: 4097 characters, Telegram allows 4096`}},
		{"link without href", []Campaign{with("a", func(c *Campaign) { c.Message = `<a>12348</a>` })},
			[]string{`campaign "a": message: <a> needs an href`}},
		{"button url", []Campaign{with("btn", func(c *Campaign) { c.Buttons = []Button{{Text: "12348", URL: "12348"}} })},
			[]string{`campaign "btn": buttons[0] "12348": url "12348"`}},
		{"several problems at once", []Campaign{with("x", func(c *Campaign) { c.Cron = "TZ=0"; c.Audience = "nobody" }), with("y", func(c *Campaign) { c.Cron = "" })},
			[]string{`campaign "x": cron "TZ=0"`, `audience "nobody"`, `campaign "y": cron ""`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.c, shanghai)
			if err == nil {
				t.Fatalf("Validate = nil, want an error containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestValidateAcceptsGoodCampaigns(t *testing.T) {
	cs := []Campaign{
		campaign("consumer-day", "0 9 15 3 *"),
		{ID: "march", Cron: "0 10 * * MON", From: "03-01", To: "03-31", Audience: "all", Message: `<b>三月</b> &amp; <i>法治</i> <a href="https://12348.moj.gov.cn">12348</a> &lt;3 &#21152;`},
		{ID: "daily", Cron: "@daily", Audience: "topic:family", Message: "m", Buttons: []Button{{Text: "中国法律服务网", URL: "https://12348.moj.gov.cn/"}}},
		{ID: "groups", Cron: "0 9 4 12 *", Audience: "groups", Message: "<blockquote>宪法</blockquote>", Disabled: true},
	}
	if err := Validate(cs, shanghai); err != nil {
		t.Fatal(err)
	}
	if err := Validate(nil, shanghai); err != nil {
		t.Fatalf("no campaigns: %v", err)
	}
}

// FuzzParseSpec checks that no spec makes parsing or the calendar panic.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"TZ=0", "CRON_TZ=", "CRON_TZ=Mars/X * * * * *", "TZ= ", "0 9 15 3 *", "@yearly", "@every 1h", "*/0 * * * *", "0-99999999999999999999 * * * *", "@", "", " ", "0 9 29 2 *", "5-1 * * * *", "TZ=Asia/Shanghai", "1/-1 * * * *"} {
		f.Add(s, "", "")
		f.Add(s, "03-01", "03-31")
	}
	f.Fuzz(func(t *testing.T, spec, from, to string) {
		_ = Validate([]Campaign{{ID: "f", Cron: spec, From: from, To: to, Message: "m"}}, shanghai)
	})
}
