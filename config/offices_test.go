package config

import (
	"github.com/pufabot/pufabot/schedules"
	"strings"
	"testing"
)

const countyYAML = `
office: 忠县司法局
county_admins: [900]
schedules:
  campaigns:
    - id: constitution-day
      cron: "0 9 4 12 *"
      message: 国家宪法日
offices:
  - id: shiqiao
    name: 石桥镇司法所
    staff_chat: -1001
    admins: [101, 102]
    campaigns:
      - id: shiqiao-market
        cron: "0 9 1 * *"
        message: 赶集日普法
  - id: xintian
    name: 新田镇司法所
    staff_chat: -1002
    admins: [201]
`

func TestOfficesParse(t *testing.T) {
	cfg := Default()
	if err := Parse("county.yaml", []byte(countyYAML), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if !cfg.MultiOffice() || len(cfg.Offices) != 2 || cfg.CountyAdmins[0] != 900 {
		t.Fatalf("offices not read: %+v", cfg.Offices)
	}
	o, ok := cfg.OfficeByID("xintian")
	if !ok || o.Name != "新田镇司法所" || o.StaffChat != -1002 || o.Admins[0] != 201 {
		t.Errorf("OfficeByID(xintian) = %+v, %v", o, ok)
	}
	all := cfg.AllCampaigns()
	if len(all) != 2 || all[0].ID != "constitution-day" || all[0].Office != "" || all[1].ID != "shiqiao-market" || all[1].Office != "shiqiao" {
		t.Errorf("AllCampaigns = %+v", all)
	}
}

func TestNoOfficesIsOneImplicitOffice(t *testing.T) {
	cfg := Default()
	if cfg.MultiOffice() {
		t.Fatal("defaults have offices")
	}
	if _, ok := cfg.OfficeByID(""); ok {
		t.Error("the implicit office is not a configured one")
	}
}

func TestOfficesValidate(t *testing.T) {
	base := func() Config {
		c := Default()
		c.Offices = []Office{
			{ID: "shiqiao", Name: "石桥镇司法所", StaffChat: -1001, Admins: []int64{1}},
			{ID: "xintian", Name: "新田镇司法所", StaffChat: -1002},
		}
		return c
	}
	cases := []struct {
		name   string
		mutate func(*Config)
		want   []string
	}{
		{"duplicate id", func(c *Config) { c.Offices[1].ID = "shiqiao" }, []string{`offices[1].id "shiqiao" is also the id of offices[0]`}},
		{"bad slug", func(c *Config) { c.Offices[0].ID = "石桥" }, []string{"offices[0].id", "lower-case ASCII"}},
		{"upper case slug", func(c *Config) { c.Offices[0].ID = "ShiQiao" }, []string{"offices[0].id"}},
		{"empty id", func(c *Config) { c.Offices[0].ID = "" }, []string{"offices[0].id is empty"}},
		{"no name", func(c *Config) { c.Offices[1].Name = " " }, []string{"offices[1].name"}},
		{"shared staff chat", func(c *Config) { c.Offices[1].StaffChat = -1001 }, []string{"offices[1].staff_chat -1001 is also the staff chat of offices[0] (shiqiao)"}},
		{"no staff chat", func(c *Config) { c.Offices[0].StaffChat = 0 }, []string{"offices[0].staff_chat is required"}},
		{"bad admin", func(c *Config) { c.Offices[0].Admins = []int64{-3} }, []string{"offices[0].admins[0]"}},
		{"bad county admin", func(c *Config) { c.CountyAdmins = []int64{0} }, []string{"county_admins[0]"}},
		{"telegram staff chat with offices", func(c *Config) { c.Telegram.StaffChat = -5 }, []string{"telegram.staff_chat -5"}},
		{"campaign id shared with the calendar", func(c *Config) {
			c.Offices[0].Campaigns = []schedules.Campaign{{ID: "a", Cron: "0 9 1 * *", Message: "x"}, {ID: "a", Cron: "0 9 1 * *", Message: "y"}}
		}, []string{"campaign", "also used"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base()
			if err := cfg.Validate(); err != nil {
				t.Fatalf("base config invalid: %v", err)
			}
			c.mutate(&cfg)
			err := cfg.Validate()
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
