package report

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pufabot/pufabot/store"
)

var countyOffices = []Office{{ID: "shiqiao", Name: "石桥镇司法所"}, {ID: "xintian", Name: "新田镇司法所"}}

// seedCounty records March 2026 for two offices and a resident with none:
// shiqiao 3 consultations by 2 residents (one handed over, one ticket),
// xintian 2 by 1 resident (rated helpful), no office 1.
func seedCounty(t *testing.T) *store.DB {
	t.Helper()
	db := mustOpen(t)
	ctx := context.Background()
	for i, c := range []store.Consultation{
		{Resident: "r1", Office: "shiqiao", Topic: "family", AnswerKind: KindFAQ, HandedOver: true},
		{Resident: "r1", Office: "shiqiao", Topic: "labour", AnswerKind: KindArticles},
		{Resident: "r2", Office: "shiqiao", Topic: "family", AnswerKind: KindCitation},
		{Resident: "r3", Office: "xintian", Topic: "anti-fraud", AnswerKind: KindFAQ, Feedback: store.FeedbackHelpful},
		{Resident: "r3", Office: "xintian", Topic: "anti-fraud", AnswerKind: KindNone},
		{Resident: "r4", Topic: "debt", AnswerKind: KindArticles},
	} {
		c.At = at(2026, 3, 2+i, 10, 0)
		if _, err := db.RecordConsultation(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	db.Now = func() time.Time { return at(2026, 3, 3, 11, 0) }
	if _, err := db.OpenTicket(ctx, store.Ticket{Resident: "r1", Question: "q", Office: "shiqiao"}); err != nil {
		t.Fatal(err)
	}
	return db
}

func mustCounty(t *testing.T) *County {
	t.Helper()
	c, err := BuildCounty(context.Background(), seedCounty(t), countyOffices, at(2026, 3, 1, 0, 0), at(2026, 4, 1, 0, 0), shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCountyByOffice(t *testing.T) {
	c := mustCounty(t)
	if len(c.Offices) != 3 || c.IDs[2] != "" || c.Offices[2].OfficeName != NoOffice {
		t.Fatalf("offices %q", c.IDs)
	}
	for i, want := range []struct{ consultations, residents, tickets int64 }{{3, 2, 1}, {2, 1, 0}, {1, 1, 0}} {
		r := c.Offices[i]
		if r.Consultations != want.consultations || r.Residents != want.residents || r.HandOvers.Tickets != want.tickets {
			t.Errorf("%s: %d consultations, %d residents, %d tickets; want %+v", r.OfficeName, r.Consultations, r.Residents, r.HandOvers.Tickets, want)
		}
	}
	if c.Total.Consultations != 6 || c.Total.Residents != 4 {
		t.Errorf("total %d consultations, %d residents; want 6 and 4", c.Total.Consultations, c.Total.Residents)
	}
}

func TestCountyCSVGolden(t *testing.T) {
	var b bytes.Buffer
	if err := mustCounty(t).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// The contract: a table by office (id or name, consultations) and a total.
	for _, want := range []string{"各司法所咨询与宣传情况\r\n", "编号,司法所,咨询人次,", "shiqiao,石桥镇司法所,3,", "xintian,新田镇司法所,2,", ",未选择司法所,1,", ",合计,6,"} {
		if !strings.Contains(out, want) {
			t.Errorf("CSV lacks %q", want)
		}
	}
	golden(t, "county.csv.golden", b.Bytes())
}

func TestCountyTextGolden(t *testing.T) {
	var b bytes.Buffer
	if err := mustCounty(t).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "county.txt.golden", b.Bytes())
}

func TestCountyXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := mustCounty(t).WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := strings.Join(f.GetSheetList(), ",")
	if !strings.HasPrefix(sheets, "摘要,各司法所,石桥镇司法所,新田镇司法所,未选择司法所,全县概况,") {
		t.Fatalf("sheets %s", sheets)
	}
	for _, c := range []struct{ sheet, cell, want string }{
		{"摘要", "A1", "普法机器人咨询与宣传统计（全县 · 2026年3月）"},
		{"各司法所", "B3", "石桥镇司法所"},
		{"各司法所", "C3", "3"},
		{"各司法所", "B6", "合计"},
		{"各司法所", "C6", "6"},
		{"石桥镇司法所", "A1", "石桥镇司法所 · 咨询与宣传概况"},
		{"石桥镇司法所", "B3", "3"},
		{"新田镇司法所", "B3", "2"},
		{"全县概况", "B3", "6"},
	} {
		if got, err := f.GetCellValue(c.sheet, c.cell); err != nil || got != c.want {
			t.Errorf("%s!%s = %q (%v), want %q", c.sheet, c.cell, got, err, c.want)
		}
	}
}

func TestCountyPNG(t *testing.T) {
	var b bytes.Buffer
	if err := mustCounty(t).WritePNG(&b); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != chartWidth {
		t.Errorf("width %d", img.Bounds().Dx())
	}
}

func TestOneOfficeReport(t *testing.T) {
	db := seedCounty(t)
	r, err := Build(context.Background(), db.Office("xintian"), at(2026, 3, 1, 0, 0), at(2026, 4, 1, 0, 0), shanghai)
	if err != nil {
		t.Fatal(err)
	}
	r.OfficeName = "新田镇司法所"
	if r.Consultations != 2 || r.Feedback.Helpful != 1 {
		t.Fatalf("xintian: %d consultations, %d helpful", r.Consultations, r.Feedback.Helpful)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "普法机器人咨询与宣传统计（新田镇司法所 · 2026年3月）") {
		t.Errorf("heading: %q", strings.SplitN(b.String(), "\n", 2)[0])
	}
}
