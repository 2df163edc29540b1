package report

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pufabot/pufabot/report/internal/glyphs"
	"github.com/pufabot/pufabot/store"
)

// Source is where a report's figures come from: the whole database
// (*store.DB) or one office's records (store.OfficeOf).
type Source interface {
	ConsultationTotals(ctx context.Context, from, to time.Time) (store.ConsultationTotals, error)
	CountConsultations(ctx context.Context, bounds []time.Time) ([]int64, error)
	TicketTotals(ctx context.Context, from, to time.Time) (store.TicketTotals, error)
	CampaignTotals(ctx context.Context, from, to time.Time) ([]store.CampaignTotals, error)
	Reach(ctx context.Context, from, to time.Time) (store.Reach, error)
	SubscriptionEventCounts(ctx context.Context, from, to time.Time) (map[string]int64, error)
	ActiveSubscribers(ctx context.Context) (int64, error)
}

// Heading is the title of every output: the period, and the office for a
// report of one office.
func (r *Report) Heading() string {
	if r.OfficeName != "" {
		return Title + "（" + r.OfficeName + " · " + r.PeriodLabel() + "）"
	}
	return Title + "（" + r.PeriodLabel() + "）"
}

// Office names one office of a county for a county report.
type Office struct {
	ID   string
	Name string
}

// NoOffice names the records of residents who chose no office (and of the
// web page, which has no office choice).
const NoOffice = "未选择司法所"

// CountyName is how the county's own figures are headed.
const CountyName = "全县"

// County is a county's report: one report per office, in the order the
// offices are configured, and the whole county's.
type County struct {
	Offices []*Report
	// IDs are the offices' ids, in the order of Offices.
	IDs   []string
	Total *Report
}

// BuildCounty builds the report of each office and of the whole county for
// [from, to). Records with no office get a row of their own (NoOffice)
// when there are any.
func BuildCounty(ctx context.Context, db *store.DB, offices []Office, from, to time.Time, loc *time.Location) (*County, error) {
	c := &County{}
	var err error
	if c.Total, err = Build(ctx, db.Office(store.AllOffices), from, to, loc); err != nil {
		return nil, err
	}
	c.Total.OfficeName = CountyName
	known := map[string]bool{}
	add := func(id, name string) (*Report, error) {
		r, err := Build(ctx, db.Office(id), from, to, loc)
		if err != nil {
			return nil, err
		}
		r.OfficeName = name
		return r, nil
	}
	for _, o := range offices {
		r, err := add(o.ID, o.Name)
		if err != nil {
			return nil, err
		}
		known[o.ID] = true
		c.Offices = append(c.Offices, r)
		c.IDs = append(c.IDs, o.ID)
	}
	if !known[""] {
		r, err := add("", NoOffice)
		if err != nil {
			return nil, err
		}
		if r.Consultations > 0 || r.HandOvers.Tickets > 0 || r.Subscriptions.Active > 0 {
			c.Offices = append(c.Offices, r)
			c.IDs = append(c.IDs, "")
		}
	}
	return c, nil
}

// SetTopicNames sets topic names on every report of the county.
func (c *County) SetTopicNames(names map[string]string) {
	c.Total.SetTopicNames(names)
	for _, r := range c.Offices {
		r.SetTopicNames(names)
	}
}

// officeTable is the county's table by office with the county's total.
// The total counts residents and chats once across offices, so it can be
// less than the sum of the rows (a resident who changed office).
func (c *County) officeTable() table {
	t := table{sheet: "各司法所", title: "各司法所咨询与宣传情况", total: true,
		headers: []string{"编号", "司法所", "咨询人次", "服务群众（人）", "转人工（人次）", "工单", "已回复工单", "答复有帮助比例", "推送信息（条）", "订阅（人）"}}
	row := func(id, name string, r *Report) []cell {
		rate := textCell(noneYet)
		if r.Feedback.Rated() > 0 {
			rate = percentCell(r.Feedback.HelpfulRate())
		}
		return []cell{textCell(id), textCell(name), intCell(r.Consultations), intCell(r.PeopleServed()), intCell(r.HandOvers.Consultations),
			intCell(r.HandOvers.Tickets), intCell(r.HandOvers.Answered), rate, intCell(r.Campaigns.Delivered), intCell(r.Subscriptions.Active)}
	}
	for i, r := range c.Offices {
		t.rows = append(t.rows, row(c.IDs[i], r.OfficeName, r))
	}
	t.rows = append(t.rows, row("", "合计", c.Total))
	return t
}

// WriteText writes the table by office, then the county's figures.
func (c *County) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s\n统计期间：%s\n\n%s\n", c.Total.Heading(), c.Total.PeriodRange(), c.Total.Summary())
	ot := c.officeTable()
	fmt.Fprintf(bw, "\n【%s】\n", ot.title)
	writeAligned(bw, ot)
	for _, t := range c.Total.tables() {
		fmt.Fprintf(bw, "\n【%s · %s】\n", CountyName, t.title)
		writeAligned(bw, t)
	}
	return bw.Flush()
}

// WriteCSV writes the table by office with its total, then the county's
// tables, in the CSV form of Report.WriteCSV.
func (c *County) WriteCSV(w io.Writer) error {
	return writeCSVTables(w, [][]string{{Title, c.Total.PeriodRange(), CountyName}, {"摘要", c.Total.Summary()}},
		append([]table{c.officeTable()}, c.Total.tables()...))
}

// WriteXLSX writes a workbook: the county's summary, the table by office
// with its total, one sheet per office with its figures, then the county's
// tables.
func (c *County) WriteXLSX(w io.Writer) (err error) {
	f := excelize.NewFile()
	defer func() { err = errors.Join(err, f.Close()) }()
	x := &xlsxWriter{f: f}
	if err := x.styles(); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	if err := x.summary(c.Total); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	sheets := []table{c.officeTable()}
	used := map[string]bool{SummarySheet: true, sheets[0].sheet: true}
	for i, r := range c.Offices {
		t := r.overviewTable()
		t.sheet = sheetName(r.OfficeName, c.IDs[i], used)
		t.title = r.OfficeName + " · " + t.title
		sheets = append(sheets, t)
	}
	for _, t := range c.Total.tables() {
		t.sheet = sheetName(CountyName+t.sheet, t.sheet, used)
		t.title = CountyName + " · " + t.title
		sheets = append(sheets, t)
	}
	for _, t := range sheets {
		if err := x.table(t); err != nil {
			return fmt.Errorf("report: xlsx: sheet %s: %w", t.sheet, err)
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{Title: c.Total.Heading(), Creator: "pufabot"}); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	return nil
}

// sheetName makes a unique sheet name of at most 31 characters without the
// characters Excel refuses, from name (or alt when name is taken).
func sheetName(name, alt string, used map[string]bool) string {
	clean := func(s string) string {
		s = strings.Map(func(r rune) rune {
			if strings.ContainsRune(`:\/?*[]'`, r) {
				return '_'
			}
			return r
		}, s)
		if rs := []rune(s); len(rs) > 31 {
			s = string(rs[:31])
		}
		return s
	}
	for _, cand := range []string{clean(name), clean(alt + " " + name)} {
		if cand != "" && !used[cand] {
			used[cand] = true
			return cand
		}
	}
	for i := 2; ; i++ {
		cand := clean(fmt.Sprintf("%s %d", name, i))
		if !used[cand] {
			used[cand] = true
			return cand
		}
	}
}

// WritePNG draws the county's consultations by period and a bar per office.
func (c *County) WritePNG(w io.Writer) error {
	ch := c.Total.chart()
	ch.topicTitle = "各司法所咨询人次"
	ch.topicLabels, ch.topicValues = nil, nil
	for i, r := range c.Offices {
		name := r.OfficeName
		if len(glyphs.Missing(name)) > 0 && c.IDs[i] != "" {
			name = c.IDs[i] // the embedded fonts cannot draw this name
		}
		ch.topicLabels = append(ch.topicLabels, name)
		ch.topicValues = append(ch.topicValues, r.Consultations)
	}
	img, err := ch.draw()
	if err != nil {
		return fmt.Errorf("report: png: %w", err)
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("report: png: %w", err)
	}
	return nil
}
