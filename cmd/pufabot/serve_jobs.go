package main

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/pufabot/pufabot/bot"
	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/report"
	"github.com/pufabot/pufabot/store"
)

// statsFunc renders /stats for staff: the period's report as a chart and
// a caption, with topic names from the FAQ pack in use.
func statsFunc(db *store.DB, engine *knowledge.Live, loc *time.Location) bot.StatsFunc {
	names := topicNames(engine)
	return func(ctx context.Context, p bot.Period) (string, []byte, error) {
		return statsChart(ctx, db, "", names, p, loc)
	}
}

func topicNames(engine *knowledge.Live) map[string]string {
	names := map[string]string{}
	for _, t := range engine.Topics() {
		names[t.ID] = t.Name
	}
	return names
}

// statsChart is the chart and caption of src's figures for the period;
// office names the office of a report of one office.
func statsChart(ctx context.Context, src report.Source, office string, names map[string]string, p bot.Period, loc *time.Location) (string, []byte, error) {
	r, err := report.Build(ctx, src, p.From, p.To, loc)
	if err != nil {
		return "", nil, err
	}
	r.OfficeName = office
	r.SetTopicNames(names)
	var buf bytes.Buffer
	if err := r.WritePNG(&buf); err != nil {
		return "", nil, err
	}
	return r.Caption(), buf.Bytes(), nil
}

// retentionHour is the local hour the daily retention job runs.
const retentionHour = 3

// startRetention deletes question text older than privacy.retain_days at
// start-up and then every day at retentionHour local time; counts stay.
// The returned function stops the job and waits for it.
func startRetention(ctx context.Context, db *store.DB, retainDays int, loc *time.Location, now func() time.Time, log *slog.Logger) func() {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if err := store.RunRetention(ctx, db, retainDays, now, log); err != nil && ctx.Err() == nil {
				log.Error("retention job failed", slog.Any("error", err))
			}
			t := time.NewTimer(nextRetention(now(), loc).Sub(now()))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// nextRetention is the next retentionHour:00 local time strictly after now.
func nextRetention(now time.Time, loc *time.Location) time.Time {
	l := now.In(loc)
	next := time.Date(l.Year(), l.Month(), l.Day(), retentionHour, 0, 0, 0, loc)
	if !next.After(l) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}
