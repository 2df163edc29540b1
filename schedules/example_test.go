package schedules_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pufabot/pufabot/config"
	"github.com/pufabot/pufabot/schedules"
)

// TestExampleCampaigns loads the campaigns shipped in config.example.yaml,
// validates them, and checks that each key date fires when the township's
// publicity calendar says, in Shanghai time.
func TestExampleCampaigns(t *testing.T) {
	path := filepath.Join("..", "config.example.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	if err := config.Parse(path, data, &cfg); err != nil {
		t.Fatal(err)
	}
	loc, err := schedules.LoadLocation(cfg.Schedules.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	if loc.String() != "Asia/Shanghai" || cfg.Schedules.CatchUp != 6*time.Hour {
		t.Errorf("timezone %s, catch_up %s", loc, cfg.Schedules.CatchUp)
	}
	cal, err := schedules.NewCalendar(cfg.Schedules.Campaigns, loc)
	if err != nil {
		t.Fatalf("config.example.yaml campaigns: %v", err)
	}

	at := func(m time.Month, d, hh int) string {
		return time.Date(2027, m, d, hh, 0, 0, 0, loc).Format("01-02 15:04")
	}
	want := map[string][]string{
		"legal-month":           {at(3, 1, 10), at(3, 8, 10), at(3, 15, 10), at(3, 22, 10), at(3, 29, 10)},
		"consumer-day":          {at(3, 15, 9)},
		"national-security-day": {at(4, 15, 9)},
		"civil-code-month":      {at(5, 28, 10)},
		"anti-drug-day":         {at(6, 26, 9)},
		"constitution-week":     {at(12, 1, 10)},
		"constitution-day":      {at(12, 4, 9)},
	}
	from := time.Date(2027, 1, 1, 0, 0, 0, 0, loc)
	to := time.Date(2028, 1, 1, 0, 0, 0, 0, loc)
	articleRe := regexp.MustCompile(`第[一二三四五六七八九十百千零]+条`)
	for _, p := range cal.Plans() {
		c := p.Campaign
		w, ok := want[c.ID]
		if !ok {
			t.Errorf("unexpected campaign %q", c.ID)
			continue
		}
		delete(want, c.ID)
		var got []string
		for _, o := range p.Occurrences(from, to, 100) {
			got = append(got, o.In(loc).Format("01-02 15:04"))
		}
		if strings.Join(got, ",") != strings.Join(w, ",") {
			t.Errorf("%s fires in 2027 at %v, want %v", c.ID, got, w)
		}
		if c.Title == "" || c.Disabled {
			t.Errorf("%s: title %q, disabled %v", c.ID, c.Title, c.Disabled)
		}
		if !articleRe.MatchString(c.Message) {
			t.Errorf("%s: the message cites no article", c.ID)
		}
		if !strings.Contains(c.Message, "12348") {
			t.Errorf("%s: the message does not say where to get help (12348)", c.ID)
		}
	}
	for id := range want {
		t.Errorf("campaign %q missing from config.example.yaml", id)
	}
}
