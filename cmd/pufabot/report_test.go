package main

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// reportEnv is a data folder and a config file pointing at it.
type reportEnv struct {
	dir, config string
}

func newReportEnv(t *testing.T) reportEnv {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	data := "data_dir: " + filepath.ToSlash(filepath.Join(dir, "data")) + "\nlog:\n  level: warn\n"
	if err := os.WriteFile(cfg, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return reportEnv{dir: dir, config: cfg}
}

// run runs one pufabot command with the env's config and returns its
// standard output and error.
func (r reportEnv) run(t *testing.T, stdout *bytes.Buffer, args ...string) (string, error) {
	t.Helper()
	var errOut bytes.Buffer
	var full []string
	switch {
	case args[0] == "consult" && len(args) > 1:
		full = append([]string{"consult", args[1], "--config", r.config}, args[2:]...)
	case args[0] == "consult":
		full = args
	default:
		full = append([]string{args[0], "--config", r.config}, args[1:]...)
	}
	err := run(context.Background(), full, strings.NewReader(""), stdout, &errOut, func(string) string { return "" })
	return errOut.String(), err
}

func TestReportShowsOfflineConsultations(t *testing.T) {
	env := newReportEnv(t)
	var out bytes.Buffer
	if stderr, err := env.run(t, &out, "consult", "add", "--topic", "婚姻家庭", "--channel", "phone", "--date", "2026-03-15", "--count", "3"); err != nil {
		t.Fatalf("consult add: %v\n%s", err, stderr)
	}
	if want := "已登记线下咨询3人次：2026-03-15，婚姻家庭，电话咨询。\n"; out.String() != want {
		t.Errorf("consult add printed %q, want %q", out.String(), want)
	}
	out.Reset()
	if stderr, err := env.run(t, &out, "consult", "add", "--topic", "labour", "--channel", "来访", "--date", "2026-04-01", "--note", "讨薪"); err != nil {
		t.Fatalf("consult add: %v\n%s", err, stderr)
	}

	out.Reset()
	if stderr, err := env.run(t, &out, "report", "--month", "2026-03"); err != nil {
		t.Fatalf("report: %v\n%s", err, stderr)
	}
	text := out.String()
	for _, want := range []string{"普法机器人咨询与宣传统计（2026年3月）", "接受群众电话、来访等线下法律咨询3人次", "婚姻家庭", "电话咨询", "工作人员解答"} {
		if !strings.Contains(text, want) {
			t.Errorf("March report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "劳动与欠薪") {
		t.Errorf("March report shows the April consultation:\n%s", text)
	}

	out.Reset()
	if stderr, err := env.run(t, &out, "report", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "csv"); err != nil {
		t.Fatalf("report csv: %v\n%s", err, stderr)
	}
	if !bytes.HasPrefix(out.Bytes(), []byte("\uFEFF")) || !strings.Contains(out.String(), "接受群众咨询,4,人次\r\n") {
		t.Errorf("CSV report:\n%s", out.String())
	}

	xlsx := filepath.Join(env.dir, "年报.xlsx")
	out.Reset()
	if stderr, err := env.run(t, &out, "report", "--year", "2026", "--format", "xlsx", "--out", xlsx); err != nil {
		t.Fatalf("report xlsx: %v\n%s", err, stderr)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("概况", "B3"); v != "4" {
		t.Errorf("概况!B3 = %q, want 4", v)
	}

	out.Reset()
	if stderr, err := env.run(t, &out, "report", "--year", "2026", "--format", "png"); err != nil {
		t.Fatalf("report png: %v\n%s", err, stderr)
	}
	if _, err := png.Decode(&out); err != nil {
		t.Errorf("PNG report: %v", err)
	}
}

func TestReportRefusesBinaryOnTerminal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs a character device")
	}
	dev, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer dev.Close()
	if !isTerminal(dev) {
		t.Skip("the null device is not a character device here")
	}
	env := newReportEnv(t)
	var errOut bytes.Buffer
	err = run(context.Background(), []string{"report", "--config", env.config, "--year", "2026", "--format", "xlsx"}, strings.NewReader(""), dev, &errOut, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "--out") {
		t.Errorf("xlsx to a terminal: err = %v, want a refusal naming --out", err)
	}
}

func TestReportFlagErrors(t *testing.T) {
	env := newReportEnv(t)
	var out bytes.Buffer
	if _, err := env.run(t, &out, "consult", "add", "--topic", "family", "--channel", "visit", "--date", "2026-01-02"); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"two periods":   {"report", "--year", "2026", "--month", "2026-03"},
		"bad format":    {"report", "--format", "pdf"},
		"bad year":      {"report", "--year", "26"},
		"bad month":     {"report", "--month", "2026-13"},
		"to before":     {"report", "--from", "2026-05-01", "--to", "2026-04-01"},
		"to alone":      {"report", "--to", "2026-04-01"},
		"stray arg":     {"report", "2026"},
		"no subcommand": {"consult"},
		"bad topic":     {"consult", "add", "--topic", "天气", "--channel", "phone"},
		"bot channel":   {"consult", "add", "--topic", "family", "--channel", "telegram"},
		"future date":   {"consult", "add", "--topic", "family", "--channel", "phone", "--date", time.Now().AddDate(0, 0, 3).Format(time.DateOnly)},
		"zero count":    {"consult", "add", "--topic", "family", "--channel", "phone", "--count", "0"},
	} {
		if _, err := env.run(t, &out, args...); !errors.Is(err, errUsage) {
			t.Errorf("%s: err = %v, want a usage error", name, err)
		}
	}
}

func TestReportWithoutDatabase(t *testing.T) {
	env := newReportEnv(t)
	var out bytes.Buffer
	_, err := env.run(t, &out, "report", "--year", "2026")
	if err == nil || !strings.Contains(err.Error(), "no database") {
		t.Errorf("err = %v, want a missing-database error", err)
	}
	if _, statErr := os.Stat(filepath.Join(env.dir, "data")); statErr == nil {
		t.Error("report created a data folder")
	}
}

func TestReportPeriod(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 5, 20, 15, 0, 0, 0, loc)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	for _, c := range []struct {
		from, to, year, month string
		start, end            time.Time
	}{
		{year: "2026", start: day(2026, 1, 1), end: day(2027, 1, 1)},
		{month: "2026-03", start: day(2026, 3, 1), end: day(2026, 4, 1)},
		{from: "2026-01-01", to: "2026-12-31", start: day(2026, 1, 1), end: day(2027, 1, 1)},
		{from: "2026-05-01", start: day(2026, 5, 1), end: day(2026, 5, 21)},
		{start: day(2026, 1, 1), end: day(2026, 5, 21)},
	} {
		start, end, err := reportPeriod(c.from, c.to, c.year, c.month, now, loc)
		if err != nil || !start.Equal(c.start) || !end.Equal(c.end) {
			t.Errorf("reportPeriod(%q, %q, %q, %q) = %s, %s, %v; want %s, %s", c.from, c.to, c.year, c.month, start, end, err, c.start, c.end)
		}
	}
}

func TestResolveTopic(t *testing.T) {
	names := map[string]string{"family": "婚姻家庭", "anti-fraud": "防范电信网络诈骗"}
	for in, want := range map[string]string{"family": "family", "Family": "family", "婚姻家庭": "family", " 防范电信网络诈骗 ": "anti-fraud", "其他": "", "其他/未分类": ""} {
		if got, ok := resolveTopic(in, names); !ok || got != want {
			t.Errorf("resolveTopic(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := resolveTopic("天气", names); ok {
		t.Error("resolveTopic accepted an unknown topic")
	}
}
