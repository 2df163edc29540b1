package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pufabot/pufabot/bot"
	"github.com/pufabot/pufabot/config"
	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/report"
	"github.com/pufabot/pufabot/store"
)

// botOffices turns the configured offices into the bot's; none for a
// single township.
func botOffices(cfg config.Config) []bot.Office {
	var out []bot.Office
	for _, o := range cfg.Offices {
		out = append(out, bot.Office{ID: o.ID, Name: o.Name, StaffChat: o.StaffChat, Admins: o.Admins})
	}
	return out
}

// reportOutput is a report of one office or of the deployment, or a
// county's report by office.
type reportOutput interface {
	SetTopicNames(map[string]string)
	WriteText(io.Writer) error
	WriteCSV(io.Writer) error
	WriteXLSX(io.Writer) error
	WritePNG(io.Writer) error
}

// buildReport builds the report `report --office` asks for: "" the whole
// deployment as one report, "all" the table by office with the county's
// total, an office id that office's figures.
func buildReport(ctx context.Context, cfg config.Config, db *store.DB, office string, from, to time.Time, loc *time.Location) (reportOutput, error) {
	switch office {
	case "":
		return report.Build(ctx, db, from, to, loc)
	case "all":
		var offices []report.Office
		for _, o := range cfg.Offices {
			offices = append(offices, report.Office{ID: o.ID, Name: o.Name})
		}
		if !cfg.MultiOffice() {
			offices = []report.Office{{ID: "", Name: cfg.Office}}
		}
		return report.BuildCounty(ctx, db, offices, from, to, loc)
	}
	o, ok := cfg.OfficeByID(office)
	if !ok {
		if !cfg.MultiOffice() {
			return nil, fmt.Errorf("report: --office %q: the configuration lists no offices (add offices: to it, or leave --office out)", office)
		}
		var ids []string
		for _, o := range cfg.Offices {
			ids = append(ids, o.ID)
		}
		return nil, fmt.Errorf("report: --office %q: no such office (configured: %s, or all)", office, strings.Join(ids, ", "))
	}
	r, err := report.Build(ctx, db.Office(o.ID), from, to, loc)
	if err != nil {
		return nil, err
	}
	r.OfficeName = o.Name
	return r, nil
}

// consoleAdmins may open the web console. It shows every office's tickets
// and figures, so with offices only county staff may.
func consoleAdmins(cfg config.Config) []int64 {
	if !cfg.MultiOffice() {
		return cfg.Telegram.Admins
	}
	return append(append([]int64(nil), cfg.Telegram.Admins...), cfg.CountyAdmins...)
}

// officeStatsFunc renders /stats for one office's staff: the office's
// report as a chart and a caption headed with its name.
func officeStatsFunc(cfg config.Config, db *store.DB, engine *knowledge.Live, loc *time.Location) func(context.Context, string, bot.Period) (string, []byte, error) {
	names := topicNames(engine)
	return func(ctx context.Context, office string, p bot.Period) (string, []byte, error) {
		o, ok := cfg.OfficeByID(office)
		if !ok {
			return "", nil, fmt.Errorf("no office %q in the configuration", office)
		}
		return statsChart(ctx, db.Office(office), o.Name, names, p, loc)
	}
}
