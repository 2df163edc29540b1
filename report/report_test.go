package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/pufabot/pufabot/report/internal/glyphs"
	"github.com/pufabot/pufabot/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var (
	year2026 = [2]time.Time{at(2026, 1, 1, 0, 0), at(2027, 1, 1, 0, 0)}
	march    = [2]time.Time{at(2026, 3, 1, 0, 0), at(2026, 4, 1, 0, 0)}
)

func mustBuild(t *testing.T, db *store.DB, period [2]time.Time) *Report {
	t.Helper()
	r, err := Build(context.Background(), db, period[0], period[1], shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustBuildYear(t *testing.T) *Report {
	t.Helper()
	db := mustOpen(t)
	seedYear(t, db)
	return mustBuild(t, db, year2026)
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./report -update after checking); got:\n%s", name, got)
	}
}

func count(t *testing.T, db *store.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestBuildSeededYear(t *testing.T) {
	db := mustOpen(t)
	seedYear(t, db)
	r := mustBuild(t, db, year2026)
	lo, hi := year2026[0].Unix(), year2026[1].Unix()
	helpful := count(t, db, `SELECT COUNT(*) FROM consultations WHERE feedback = 1 AND at >= ? AND at < ?`, lo, hi)
	unhelpful := count(t, db, `SELECT COUNT(*) FROM consultations WHERE feedback = -1 AND at >= ? AND at < ?`, lo, hi)
	handed := count(t, db, `SELECT COUNT(*) FROM consultations WHERE handed_over = 1 AND at >= ? AND at < ?`, lo, hi)
	unanswered := count(t, db, `SELECT COUNT(*) FROM consultations WHERE answer_kind = 'none' AND at >= ? AND at < ?`, lo, hi)
	smallTalk := count(t, db, `SELECT COUNT(*) FROM consultations WHERE answer_kind = 'smalltalk' AND at >= ? AND at < ?`, lo, hi)

	checks := []struct {
		name      string
		got, want int64
	}{
		{"consultations", r.Consultations, seedConsultations},
		{"online", r.Online, seedConsultations - seedOffline},
		{"offline", r.Offline, seedOffline},
		{"residents", r.Residents, seedResidents},
		{"people served", r.PeopleServed(), seedResidents + seedOffline},
		{"january (with the row at 00:10 on 1 January)", r.Series[0].Count, 11 + 1},
		{"december", r.Series[11].Count, 22},
		{"helpful", r.Feedback.Helpful, helpful},
		{"not helpful", r.Feedback.NotHelpful, unhelpful},
		{"handed over", r.HandOvers.Consultations, handed},
		{"unanswered", r.Unanswered, unanswered},
		{"small talk", r.SmallTalk, smallTalk},
		{"answered", r.Answered(), seedConsultations - unanswered - smallTalk},
		{"tickets", r.HandOvers.Tickets, 5},
		{"tickets answered", r.HandOvers.Answered, 4},
		{"campaigns", int64(len(r.Campaigns.List)), 3},
		{"occurrences (skipped one left out)", r.Campaigns.Occurrences, 4},
		{"delivered", r.Campaigns.Delivered, 13},
		{"undelivered", r.Campaigns.Undelivered, 2},
		{"groups reached (-100, -200 sent; -300 registered)", r.Campaigns.Groups, 3},
		{"private chats reached", r.Campaigns.PrivateChats, 5},
		{"subscribed", r.Subscriptions.Gained, 7},
		{"lost", r.Subscriptions.Lost, 4},
		{"active subscribers", r.Subscriptions.Active, 4},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if len(r.Series) != 12 || r.Granularity != ByMonth {
		t.Errorf("series: %d buckets by %s, want 12 by month", len(r.Series), r.Granularity)
	}
	var sum int64
	for _, b := range r.Series {
		sum += b.Count
	}
	if sum != r.Consultations {
		t.Errorf("months add up to %d, want %d", sum, r.Consultations)
	}
	for _, bd := range [][]Count{r.ByTopic, r.ByAnswer, r.ByChannel} {
		var s int64
		for _, c := range bd {
			s += c.Count
		}
		if s != r.Consultations {
			t.Errorf("breakdown %v adds up to %d, want %d", bd, s, r.Consultations)
		}
	}
	if h := r.HandOvers; h.Mean != 9*time.Hour || h.Median != 150*time.Minute || h.P90 != 30*time.Hour {
		t.Errorf("reply times mean %v median %v p90 %v, want 9h 2h30m 30h", h.Mean, h.Median, h.P90)
	}
}

func TestBuildRejectsEmptyPeriod(t *testing.T) {
	db := mustOpen(t)
	if _, err := Build(context.Background(), db, year2026[1], year2026[0], shanghai); err == nil {
		t.Fatal("Build with to before from: no error")
	}
}

func TestTextGolden(t *testing.T) {
	var b bytes.Buffer
	if err := mustBuildYear(t).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "year.txt.golden", b.Bytes())
}

func TestMonthTextGolden(t *testing.T) {
	db := mustOpen(t)
	seedYear(t, db)
	r := mustBuild(t, db, march)
	if r.Granularity != ByDay || len(r.Series) != 31 {
		t.Fatalf("march: %d buckets by %s, want 31 by day", len(r.Series), r.Granularity)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "month.txt.golden", b.Bytes())
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	if err := mustBuildYear(t).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	out := b.Bytes()
	golden(t, "year.csv.golden", out)
	if !bytes.HasPrefix(out, []byte("\xEF\xBB\xBF")) {
		t.Error("CSV does not start with a UTF-8 byte order mark")
	}
	if !utf8.Valid(out) {
		t.Error("CSV is not valid UTF-8")
	}
	if n, crlf := bytes.Count(out, []byte("\n")), bytes.Count(out, []byte("\r\n")); n != crlf {
		t.Errorf("%d line ends, %d of them CRLF", n, crlf)
	}
	rd := csv.NewReader(bytes.NewReader(out[3:]))
	rd.FieldsPerRecord = -1
	recs, err := rd.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	found := false
	for _, rec := range recs {
		if len(rec) == 3 && rec[0] == "接受群众咨询" && rec[1] == "199" && rec[2] == "人次" {
			found = true
		}
	}
	if !found {
		t.Error("CSV has no row 接受群众咨询,199,人次")
	}
}

func TestCSVDefusesFormulas(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "@SUM(A1)": "'@SUM(A1)", "-3": "'-3", "3·15": "3·15", "": ""} {
		if got := defuseFormula(in); got != want {
			t.Errorf("defuseFormula(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := mustBuildYear(t).WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wantSheets := []string{"摘要", "概况", "按月", "按专题", "按解答方式", "按渠道", "转人工", "群众评价", "宣传活动", "订阅"}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(wantSheets, ",") {
		t.Fatalf("sheets %v, want %v", got, wantSheets)
	}
	cells := []struct{ sheet, cell, want string }{
		{"摘要", "A1", "普法机器人咨询与宣传统计（2026年）"},
		{"概况", "A2", "项目"},
		{"概况", "A3", "接受群众咨询"},
		{"概况", "B3", "199"},
		{"概况", "A6", "给出解答"},
		{"概况", "B9", "55"},
		{"概况", "B10", "36"},
		{"按月", "A3", "2026年1月"},
		{"按月", "B3", "12"},
		{"按月", "A15", "合计"},
		{"按月", "B15", "199"},
		{"按专题", "A3", "防范电信网络诈骗"},
		{"转人工", "B7", "9.0"},
		{"宣传活动", "A3", "consumer-315"},
		{"宣传活动", "D3", "7"},
		{"宣传活动", "D6", "13"},
		{"订阅", "B3", "7"},
	}
	for _, c := range cells {
		got, err := f.GetCellValue(c.sheet, c.cell)
		if err != nil {
			t.Errorf("%s!%s: %v", c.sheet, c.cell, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s!%s = %q, want %q", c.sheet, c.cell, got, c.want)
		}
	}
	// Counts are numbers, not text, and shares are formatted as percentages.
	if raw, _ := f.GetCellValue("概况", "B3", excelize.Options{RawCellValue: true}); raw != "199" {
		t.Errorf("概况!B3 raw = %q", raw)
	}
	if ct, _ := f.GetCellType("概况", "B3"); ct == excelize.CellTypeSharedString || ct == excelize.CellTypeInlineString {
		t.Errorf("概况!B3 is stored as text")
	}
	styleID, _ := f.GetCellStyle("按月", "C3")
	style, err := f.GetStyle(styleID)
	if err != nil || style.CustomNumFmt == nil || *style.CustomNumFmt != formatPercent {
		t.Errorf("按月!C3 number format: %+v (%v), want %s", style, err, formatPercent)
	}
	if v, _ := f.GetCellValue("按月", "C3"); v != "6.0%" {
		t.Errorf("按月!C3 shows %q, want 6.0%%", v)
	}
	if w, _ := f.GetColWidth("按专题", "A"); w < float64(displayWidth("防范电信网络诈骗")) {
		t.Errorf("按专题 column A is %v wide, narrower than its longest topic", w)
	}
	if summary, _ := f.GetCellValue("摘要", "A4"); !strings.HasPrefix(summary, "全年接受群众法律咨询199人次") {
		t.Errorf("摘要!A4 = %q", summary)
	}
}

func TestPNG(t *testing.T) {
	var b bytes.Buffer
	if err := mustBuildYear(t).WritePNG(&b); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	bounds := img.Bounds()
	if bounds.Dx() != chartWidth || bounds.Dy() < 600 || bounds.Dy() > 2000 {
		t.Errorf("chart is %v, want %d wide and 600–2000 high", bounds.Size(), chartWidth)
	}
	var ink, series, topic int
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			switch c {
			case colorBackground:
			case colorSeries:
				series++
			case colorTopic:
				topic++
			default:
				ink++
			}
		}
	}
	if ink < 5000 || series < 20000 || topic < 10000 {
		t.Errorf("chart looks blank: %d text pixels, %d series bar pixels, %d topic bar pixels", ink, series, topic)
	}
}

func TestPNGEmptyPeriod(t *testing.T) {
	r := mustBuild(t, mustOpen(t), march)
	var b bytes.Buffer
	if err := r.WritePNG(&b); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&b); err != nil {
		t.Fatal(err)
	}
}

// TestLabelsCovered checks that the embedded fonts draw every rune of every
// label the chart and the tables can show.
func TestLabelsCovered(t *testing.T) {
	db := mustOpen(t)
	seedYear(t, db)
	var texts []string
	for _, period := range [][2]time.Time{year2026, march, {at(2025, 11, 1, 0, 0), at(2026, 2, 1, 0, 0)}} {
		r := mustBuild(t, db, period)
		texts = append(texts, r.chart().texts()...)
		texts = append(texts, r.Summary())
		for _, tb := range r.tables() {
			texts = append(texts, tb.title, tb.sheet)
			texts = append(texts, tb.headers...)
			for _, row := range tb.rows {
				for _, c := range row {
					texts = append(texts, c.String())
				}
			}
		}
	}
	for _, m := range []map[string]string{DefaultTopicNames, ChannelNames, AnswerKindNames} {
		for _, name := range m {
			texts = append(texts, name)
		}
	}
	texts = append(texts, UnknownTopicName, "0123456789%·—（）：，。、")
	for _, s := range texts {
		if missing := glyphs.Missing(s); len(missing) > 0 {
			t.Errorf("%q: no glyph for %q", s, string(missing))
		}
	}
}

func TestUncoveredTopicNameFallsBackToID(t *testing.T) {
	const rare = "𪚥" // U+2A6A5, outside the embedded subset
	if len(glyphs.Missing(rare)) == 0 {
		t.Skip("the embedded font covers the test rune")
	}
	db := mustOpen(t)
	mustExec(t, db, `INSERT INTO consultations(at, topic) VALUES (?, 'local-custom')`, at(2026, 3, 2, 9, 0).Unix())
	r := mustBuild(t, db, march)
	r.SetTopicNames(map[string]string{"local-custom": "本地" + rare + "专题"})
	if got := r.TopicName("local-custom"); got != "本地"+rare+"专题" {
		t.Errorf("TopicName = %q", got)
	}
	if got := r.chart().topicLabels; len(got) != 1 || got[0] != "local-custom" {
		t.Errorf("chart topic labels %q, want the id", got)
	}
}

func TestSummary(t *testing.T) {
	db := mustOpen(t)
	seedYear(t, db)
	year := mustBuild(t, db, year2026).Summary()
	for _, want := range []string{"全年接受群众法律咨询199人次", "服务群众55人", "推送普法宣传信息13条", "覆盖村（居）群聊3个"} {
		if !strings.Contains(year, want) {
			t.Errorf("year summary lacks %q:\n%s", want, year)
		}
	}
	empty := mustBuild(t, mustOpen(t), march).Summary()
	if want := "2026年3月，通过普法机器人接受群众咨询0人次，服务群众0人。"; empty != want {
		t.Errorf("empty month summary = %q, want %q", empty, want)
	}
}

func TestPeriodLabel(t *testing.T) {
	for _, c := range []struct {
		from, to time.Time
		want     string
	}{
		{at(2026, 1, 1, 0, 0), at(2027, 1, 1, 0, 0), "2026年"},
		{at(2026, 2, 1, 0, 0), at(2026, 3, 1, 0, 0), "2026年2月"},
		{at(2026, 3, 15, 0, 0), at(2026, 3, 16, 0, 0), "2026年3月15日"},
		{at(2026, 1, 1, 0, 0), at(2026, 4, 1, 0, 0), "2026年1月1日至3月31日"},
		{at(2025, 7, 1, 0, 0), at(2026, 7, 1, 0, 0), "2025年7月1日至2026年6月30日"},
	} {
		r := &Report{From: c.from, To: c.to, Location: shanghai}
		if got := r.PeriodLabel(); got != c.want {
			t.Errorf("PeriodLabel(%s – %s) = %q, want %q", c.from, c.to, got, c.want)
		}
	}
}

func TestDelays(t *testing.T) {
	h := time.Hour
	for _, c := range []struct {
		in                []time.Duration
		mean, median, p90 time.Duration
	}{
		{nil, 0, 0, 0},
		{[]time.Duration{h}, h, h, h},
		{[]time.Duration{h, 3 * h}, 2 * h, 2 * h, 3 * h},
		{[]time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, 5, 9},
	} {
		mean, median, p90 := delays(c.in)
		if mean != c.mean || median != c.median || p90 != c.p90 {
			t.Errorf("delays(%v) = %v %v %v, want %v %v %v", c.in, mean, median, p90, c.mean, c.median, c.p90)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	now := at(2026, 3, 18, 15, 30) // a Wednesday
	for _, c := range []struct {
		period   string
		from, to time.Time
	}{
		{"today", at(2026, 3, 18, 0, 0), at(2026, 3, 19, 0, 0)},
		{"week", at(2026, 3, 16, 0, 0), at(2026, 3, 19, 0, 0)},
		{"month", at(2026, 3, 1, 0, 0), at(2026, 3, 19, 0, 0)},
		{"year", at(2026, 1, 1, 0, 0), at(2026, 3, 19, 0, 0)},
		{"2026-02", at(2026, 2, 1, 0, 0), at(2026, 3, 1, 0, 0)},
		{"2025", at(2025, 1, 1, 0, 0), at(2026, 1, 1, 0, 0)},
	} {
		from, to, err := ParsePeriod(c.period, now, shanghai)
		if err != nil || !from.Equal(c.from) || !to.Equal(c.to) {
			t.Errorf("ParsePeriod(%q) = %s, %s, %v; want %s, %s", c.period, from, to, err, c.from, c.to)
		}
	}
	sunday := at(2026, 3, 22, 23, 0)
	if from, _, _ := ParsePeriod("week", sunday, shanghai); !from.Equal(at(2026, 3, 16, 0, 0)) {
		t.Errorf("week on a Sunday starts %s, want Monday 16 March", from)
	}
	if _, _, err := ParsePeriod("last-decade", now, shanghai); err == nil {
		t.Error("ParsePeriod accepted nonsense")
	}
}

func TestStatsForPeriod(t *testing.T) {
	db := mustOpen(t)
	seedYear(t, db)
	caption, pngData, err := StatsForPeriod(context.Background(), db, "2026-03", at(2026, 6, 1, 9, 0), shanghai)
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(caption)); n == 0 || n > CaptionLimit {
		t.Errorf("caption is %d characters", n)
	}
	for _, want := range []string{"2026年3月", "咨询 13 人次", "宣传推送 1 次，送达 7 条"} {
		if !strings.Contains(caption, want) {
			t.Errorf("caption lacks %q:\n%s", want, caption)
		}
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(pngData))
	if err != nil || cfg.Width != chartWidth {
		t.Errorf("stats PNG: %+v, %v", cfg, err)
	}
	if _, _, err := StatsForPeriod(context.Background(), db, "yesterday-ish", at(2026, 6, 1, 9, 0), shanghai); err == nil {
		t.Error("bad period accepted")
	}
}

func TestCaptionLimit(t *testing.T) {
	long := strings.Repeat("法", 2000)
	if got := truncateUTF16(long, CaptionLimit); len([]rune(got)) != CaptionLimit || !strings.HasSuffix(got, "…") {
		t.Errorf("truncated to %d runes", len([]rune(got)))
	}
	emoji := strings.Repeat("😀", 600) // two UTF-16 units each
	if got := truncateUTF16(emoji, CaptionLimit); len([]rune(got)) > CaptionLimit/2+1 {
		t.Errorf("emoji caption kept %d runes", len([]rune(got)))
	}
	if got := truncateUTF16("短", CaptionLimit); got != "短" {
		t.Errorf("short caption changed to %q", got)
	}
}

func TestBucketsAcrossYears(t *testing.T) {
	g, bs := buckets(at(2025, 11, 15, 0, 0), at(2026, 2, 1, 0, 0), shanghai)
	if g != ByMonth || len(bs) != 3 || !bs[0].Start.Equal(at(2025, 11, 15, 0, 0)) || !bs[1].Start.Equal(at(2025, 12, 1, 0, 0)) {
		t.Errorf("buckets = %s %v", g, bs)
	}
}

// TestFontCoversSourceLiterals fails when a label was added to the package
// without rerunning go generate ./report/internal/glyphs.
func TestFontCoversSourceLiterals(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			var missing []rune
			for _, r := range glyphs.Missing(s) {
				if r >= 0x20 && !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r) {
					missing = append(missing, r)
				}
			}
			if len(missing) > 0 {
				t.Errorf("%s: %s: no glyph for %q; run go generate ./report/internal/glyphs", fset.Position(lit.Pos()), lit.Value, string(missing))
			}
			return true
		})
	}
}

// Residents who used /forget keep their consultations but lose their
// pseudonym; they must not each count as a person served.
func TestForgottenResidentsAreNotPeople(t *testing.T) {
	db := mustOpen(t)
	for i := range 3 {
		mustExec(t, db, `INSERT INTO consultations(at, resident, channel, answer_kind) VALUES (?, '', 'telegram', 'faq')`, at(2026, 3, 2+i, 9, 0).Unix())
	}
	mustExec(t, db, `INSERT INTO consultations(at, resident, channel, answer_kind) VALUES (?, 'r1', 'telegram', 'faq')`, at(2026, 3, 9, 9, 0).Unix())
	mustExec(t, db, `INSERT INTO consultations(at, resident, channel, answer_kind) VALUES (?, '', 'phone', ?)`, at(2026, 3, 9, 9, 0).Unix(), KindStaff)
	r := mustBuild(t, db, march)
	if r.Consultations != 5 || r.PeopleServed() != 2 {
		t.Errorf("consultations %d, people served %d; want 5 and 2", r.Consultations, r.PeopleServed())
	}
}

func TestBroadcastsCountedWithoutStaffIdentity(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	o, err := db.AddOccurrence(ctx, store.Occurrence{CampaignID: BroadcastCampaignID, ScheduledAt: at(2026, 3, 9, 10, 0),
		Kind: store.KindBroadcast, Title: "工作人员广播（987654321）", Audience: store.AudienceAll, Message: "x"})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO deliveries(occurrence_id, chat_id, status) VALUES (?, 1, 'sent'), (?, 2, 'sent')`, o.ID, o.ID)
	r := mustBuild(t, db, march)
	if r.Campaigns.Delivered != 2 || r.Campaigns.Occurrences != 1 {
		t.Errorf("broadcast: %d occurrences, %d delivered; want 1 and 2", r.Campaigns.Occurrences, r.Campaigns.Delivered)
	}
	var text, csvOut bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteCSV(&csvOut); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "csv": csvOut.String(), "caption": r.Caption()} {
		if strings.Contains(out, "987654321") {
			t.Errorf("%s output shows the staff member's Telegram id:\n%s", name, out)
		}
	}
	if !strings.Contains(text.String(), BroadcastTitle) {
		t.Errorf("text output lacks %q:\n%s", BroadcastTitle, text.String())
	}
}
