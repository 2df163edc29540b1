package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pufabot/pufabot/store"
)

// countyEnv is a report environment whose config lists two offices, with
// consultations recorded for each.
func countyEnv(t *testing.T) reportEnv {
	t.Helper()
	env := newReportEnv(t)
	cfg := "data_dir: " + filepath.ToSlash(filepath.Join(env.dir, "data")) + `
log:
  level: warn
offices:
  - id: shiqiao
    name: 石桥镇司法所
    staff_chat: -1001
    admins: [11]
  - id: xintian
    name: 新田镇司法所
    staff_chat: -1002
`
	if err := os.WriteFile(env.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(env.dir, "data", "pufabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
	for i, office := range []string{"shiqiao", "shiqiao", "shiqiao", "xintian"} {
		if _, err := db.RecordConsultation(context.Background(), store.Consultation{At: at.Add(time.Duration(i) * time.Hour), Resident: "r" + office, Office: office, AnswerKind: "faq", Topic: "family"}); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

func TestReportByOffice(t *testing.T) {
	env := countyEnv(t)
	var out bytes.Buffer
	if stderr, err := env.run(t, &out, "report", "--month", "2026-03", "--office", "all", "--format", "csv"); err != nil {
		t.Fatalf("report --office all: %v\n%s", err, stderr)
	}
	csv := out.String()
	for _, want := range []string{"shiqiao,石桥镇司法所,3,", "xintian,新田镇司法所,1,", ",合计,4,"} {
		if !strings.Contains(csv, want) {
			t.Errorf("county CSV lacks %q:\n%s", want, csv)
		}
	}

	out.Reset()
	if stderr, err := env.run(t, &out, "report", "--month", "2026-03", "--office", "xintian"); err != nil {
		t.Fatalf("report --office xintian: %v\n%s", err, stderr)
	}
	if text := out.String(); !strings.Contains(text, "（新田镇司法所 · 2026年3月）") || !strings.Contains(text, "通过普法机器人接受群众咨询1人次") {
		t.Errorf("xintian report:\n%s", text)
	}

	for _, format := range []string{"xlsx", "png", "text"} {
		outFile := filepath.Join(env.dir, "county."+format)
		if stderr, err := env.run(t, &out, "report", "--month", "2026-03", "--office", "all", "--format", format, "--out", outFile); err != nil {
			t.Fatalf("report --office all --format %s: %v\n%s", format, err, stderr)
		}
		if st, err := os.Stat(outFile); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", outFile, err)
		}
	}

	stderr, err := env.run(t, &out, "report", "--office", "nowhere")
	if err == nil || !strings.Contains(err.Error()+stderr, "shiqiao, xintian") {
		t.Errorf("unknown office: %v %s", err, stderr)
	}
}

func TestCampaignsListShowsOfficeCampaigns(t *testing.T) {
	env := countyEnv(t)
	cfg, err := os.ReadFile(env.config)
	if err != nil {
		t.Fatal(err)
	}
	cfg = []byte(strings.Replace(string(cfg), "    staff_chat: -1002\n", `    staff_chat: -1002
    campaigns:
      - id: xintian-market
        title: 新田赶集日普法
        cron: "0 9 1 * *"
        message: 赶集日普法
`, 1))
	if err := os.WriteFile(env.config, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if stderr, err := env.run(t, &out, "campaigns", "list"); err != nil {
		t.Fatalf("campaigns list: %v\n%s", err, stderr)
	}
	if !strings.Contains(out.String(), "xintian-market") || !strings.Contains(out.String(), "subscribers of xintian") {
		t.Errorf("campaigns list:\n%s", out.String())
	}
}

// A single township's `report --office all` is one row and its total.
func TestReportByOfficeWithoutOffices(t *testing.T) {
	env := newReportEnv(t)
	var out bytes.Buffer
	if _, err := env.run(t, &out, "consult", "add", "--topic", "family", "--channel", "visit", "--date", "2026-03-02", "--count", "2"); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if stderr, err := env.run(t, &out, "report", "--month", "2026-03", "--office", "all", "--format", "csv"); err != nil {
		t.Fatalf("report --office all: %v\n%s", err, stderr)
	}
	for _, want := range []string{",司法所,2,", ",合计,2,"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("CSV lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := env.run(t, &out, "report", "--office", "shiqiao"); err == nil {
		t.Error("--office ID without offices configured was accepted")
	}
}
