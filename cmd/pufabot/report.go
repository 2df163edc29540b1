package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/pufabot/pufabot/config"
	"github.com/pufabot/pufabot/knowledge/faq"
	"github.com/pufabot/pufabot/report"
	"github.com/pufabot/pufabot/store"
)

func init() {
	register(command{name: "report", summary: "consultation and campaign figures for a period (text, csv, xlsx, png)", run: runReport})
}

// reportFormats are the output formats; the binary ones are never written
// to a terminal.
var reportFormats = map[string]bool{"text": false, "csv": false, "xlsx": true, "png": true}

func runReport(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlags(e, "report", "[--year 2026 | --month 2026-03 | --from 2026-01-01 --to 2026-12-31] [--format text|csv|xlsx|png] [--out FILE] [--office ID|all]")
	from := fs.String("from", "", "first day of the period, `YYYY-MM-DD`")
	to := fs.String("to", "", "last day of the period, included, `YYYY-MM-DD` (default today)")
	year := fs.String("year", "", "a calendar year, such as 2026")
	month := fs.String("month", "", "a calendar month, such as 2026-03")
	format := fs.String("format", "text", "output format: text, csv, xlsx or png")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	office := fs.String("office", "", "one office's figures (its `ID`), or all for a table by office with the county's total")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "pufabot report: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	binary, ok := reportFormats[*format]
	if !ok {
		fmt.Fprintf(e.stderr, "pufabot report: unknown format %q: want text, csv, xlsx or png\n", *format)
		return errUsage
	}
	if binary && *out == "" && isTerminal(e.stdout) {
		return fmt.Errorf("report: not writing %s to a terminal: give --out FILE or redirect the output", strings.ToUpper(*format))
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	loc, err := cfg.Location()
	if err != nil {
		return err
	}
	start, end, err := reportPeriod(*from, *to, *year, *month, time.Now(), loc)
	if err != nil {
		fmt.Fprintf(e.stderr, "pufabot report: %v\n", err)
		return errUsage
	}
	log := cliLogger(e, cfg)
	db, err := openExistingDB(e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := buildReport(ctx, cfg, db, *office, start, end, loc)
	if err != nil {
		return err
	}
	r.SetTopicNames(packTopicNames(log))
	write := func(w io.Writer) error {
		switch *format {
		case "csv":
			return r.WriteCSV(w)
		case "xlsx":
			return r.WriteXLSX(w)
		case "png":
			return r.WritePNG(w)
		default:
			return r.WriteText(w)
		}
	}
	if *out == "" {
		return write(e.stdout)
	}
	if err := writeFileAtomic(*out, write); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(e.stderr, "report written to %s\n", *out)
	log.Info("report written", slog.String("path", *out), slog.String("format", *format), slog.String("office", *office))
	return nil
}

// reportPeriod turns the period flags into [start, end) in loc. Without
// any, the period is the current year up to today.
func reportPeriod(from, to, year, month string, now time.Time, loc *time.Location) (start, end time.Time, err error) {
	set := 0
	for _, s := range []string{year, month, from + to} {
		if s != "" {
			set++
		}
	}
	if set > 1 {
		return start, end, errors.New("give one of --year, --month or --from/--to")
	}
	switch {
	case year != "":
		y, err := strconv.Atoi(year)
		if err != nil || y < 2000 || y > 9999 {
			return start, end, fmt.Errorf("--year %q: want a year such as 2026", year)
		}
		start = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return start, start.AddDate(1, 0, 0), nil
	case month != "":
		m, err := time.ParseInLocation("2006-01", month, loc)
		if err != nil {
			return start, end, fmt.Errorf("--month %q: want a month such as 2026-03", month)
		}
		return m, m.AddDate(0, 1, 0), nil
	case from != "":
		start, err = time.ParseInLocation(time.DateOnly, from, loc)
		if err != nil {
			return start, end, fmt.Errorf("--from %q: want a date such as 2026-01-01", from)
		}
		last := now.In(loc)
		if to != "" {
			if last, err = time.ParseInLocation(time.DateOnly, to, loc); err != nil {
				return start, end, fmt.Errorf("--to %q: want a date such as 2026-12-31", to)
			}
		}
		end = time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, loc)
		if !start.Before(end) {
			return start, end, fmt.Errorf("--from %s is after --to %s", from, to)
		}
		return start, end, nil
	case to != "":
		return start, end, errors.New("--to needs --from")
	default:
		return report.ParsePeriod("year", now, loc)
	}
}

// openExistingDB opens the database under data_dir, refusing to create an
// empty one: a report of zeros from a mistyped data_dir would mislead.
func openExistingDB(e *env, cfg config.Config) (*store.DB, error) {
	if cfg.Database.Postgres() {
		return e.openStore(cfg) // a server database exists or fails to connect
	}
	path := dbPath(cfg)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("report: no database at %s: check data_dir (nothing has been recorded there yet)", path)
		}
		return nil, fmt.Errorf("report: %w", err)
	}
	return e.openStore(cfg)
}

// packTopicNames returns the topic names of the embedded FAQ pack, which
// may rename or add topics; the report's defaults cover what it lacks.
func packTopicNames(log *slog.Logger) map[string]string {
	pack, err := faq.Starter()
	if err != nil {
		log.Warn("FAQ starter pack unreadable; using built-in topic names", slog.String("error", err.Error()))
		return nil
	}
	names := make(map[string]string, len(pack.Topics))
	for _, t := range pack.Topics {
		names[t.ID] = t.Name
	}
	return names
}

// isTerminal reports whether stream is a terminal (a
// character device).
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// writeFileAtomic writes path through a temporary file in the same folder,
// so a failed write never leaves half a spreadsheet behind.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	// CreateTemp makes the file private; a report is an ordinary document.
	if err := tmp.Chmod(0o644); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
