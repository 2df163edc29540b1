package report

import (
	"errors"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Number formats of the XLSX cells.
const (
	formatCount   = "#,##0"
	formatPercent = "0.0%"
	formatHours   = "0.0"
)

// SummarySheet is the first sheet of the XLSX file: the summary paragraph.
const SummarySheet = "摘要"

// WriteXLSX writes the report as an Excel workbook: a summary sheet, then
// one sheet per table with a title row, a bold header row frozen in place,
// columns wide enough for their Chinese text, counts as numbers (#,##0),
// shares as percentages (0.0%) and reply times in hours (0.0).
func (r *Report) WriteXLSX(w io.Writer) (err error) {
	f := excelize.NewFile()
	defer func() { err = errors.Join(err, f.Close()) }()
	x := &xlsxWriter{f: f}
	if err := x.styles(); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	if err := x.summary(r); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	for _, t := range r.tables() {
		if err := x.table(t); err != nil {
			return fmt.Errorf("report: xlsx: sheet %s: %w", t.sheet, err)
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{Title: r.Heading(), Creator: "pufabot"}); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	return nil
}

type xlsxWriter struct {
	f *excelize.File
	// style ids
	title, header, text, count, percent, hours, wrap int
	totalText, totalCount, totalPercent              int
}

func (x *xlsxWriter) styles() error {
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1},
		{Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1},
		{Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}
	totalFill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}
	num := func(format string) *string { return &format }
	specs := []struct {
		id    *int
		style excelize.Style
	}{
		{&x.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&x.header, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill, Border: border,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&x.text, excelize.Style{Border: border}},
		{&x.count, excelize.Style{Border: border, CustomNumFmt: num(formatCount)}},
		{&x.percent, excelize.Style{Border: border, CustomNumFmt: num(formatPercent)}},
		{&x.hours, excelize.Style{Border: border, CustomNumFmt: num(formatHours)}},
		{&x.wrap, excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&x.totalText, excelize.Style{Border: border, Fill: totalFill, Font: &excelize.Font{Bold: true}}},
		{&x.totalCount, excelize.Style{Border: border, Fill: totalFill, Font: &excelize.Font{Bold: true}, CustomNumFmt: num(formatCount)}},
		{&x.totalPercent, excelize.Style{Border: border, Fill: totalFill, Font: &excelize.Font{Bold: true}, CustomNumFmt: num(formatPercent)}},
	}
	for _, s := range specs {
		id, err := x.f.NewStyle(&s.style)
		if err != nil {
			return err
		}
		*s.id = id
	}
	return nil
}

func (x *xlsxWriter) summary(r *Report) error {
	f, sh := x.f, SummarySheet
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	steps := []func() error{
		func() error { return f.SetCellValue(sh, "A1", r.Heading()) },
		func() error { return f.SetCellStyle(sh, "A1", "A1", x.title) },
		func() error { return f.SetCellValue(sh, "A2", "统计期间："+r.PeriodRange()) },
		func() error { return f.SetCellValue(sh, "A4", r.Summary()) },
		func() error { return f.SetCellStyle(sh, "A4", "A4", x.wrap) },
		func() error { return f.SetColWidth(sh, "A", "A", 100) },
		// About 48 Chinese characters fit a 100-wide line; 15 points a line.
		func() error { return f.SetRowHeight(sh, 4, float64(displayWidth(r.Summary())/96+2)*15) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (x *xlsxWriter) table(t table) error {
	f, sh := x.f, t.sheet
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	if err := f.SetCellValue(sh, "A1", t.title); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, "A1", "A1", x.title); err != nil {
		return err
	}
	widths := make([]int, len(t.headers))
	for i, h := range t.headers {
		ref, _ := excelize.CoordinatesToCellName(i+1, 2)
		if err := f.SetCellValue(sh, ref, h); err != nil {
			return err
		}
		widths[i] = displayWidth(h)
	}
	first, _ := excelize.CoordinatesToCellName(1, 2)
	last, _ := excelize.CoordinatesToCellName(len(t.headers), 2)
	if err := f.SetCellStyle(sh, first, last, x.header); err != nil {
		return err
	}
	for ri, row := range t.rows {
		total := t.total && ri == len(t.rows)-1
		for ci, c := range row {
			ref, _ := excelize.CoordinatesToCellName(ci+1, ri+3)
			var v any
			style := x.text
			switch c.kind {
			case cellInt:
				v, style = c.n, x.count
			case cellPercent:
				v, style = c.f, x.percent
			case cellHours:
				v, style = c.f, x.hours
			default:
				v = c.text
			}
			if total {
				switch style {
				case x.count:
					style = x.totalCount
				case x.percent:
					style = x.totalPercent
				default:
					style = x.totalText
				}
			}
			if err := f.SetCellValue(sh, ref, v); err != nil {
				return err
			}
			if err := f.SetCellStyle(sh, ref, ref, style); err != nil {
				return err
			}
			widths[ci] = max(widths[ci], displayWidth(c.String()))
		}
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, col, col, float64(max(w, 8)+4)); err != nil {
			return err
		}
	}
	return f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"})
}
