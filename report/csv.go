package report

import (
	"bufio"
	"encoding/csv"
	"io"
	"strings"
)

// WriteCSV writes every table of the report, one after another with a
// title row and a blank row between them, as CSV that Excel and WPS open
// correctly on Chinese Windows: UTF-8 with a byte order mark, CRLF line
// ends. Text that a spreadsheet would read as a formula is quoted with a
// leading apostrophe.
func (r *Report) WriteCSV(w io.Writer) error {
	head := []string{Title, r.PeriodRange()}
	if r.OfficeName != "" {
		head = append(head, defuseFormula(r.OfficeName))
	}
	return writeCSVTables(w, [][]string{head, {"摘要", r.Summary()}}, r.tables())
}

// writeCSVTables writes heading rows, then each table after a blank row.
func writeCSVTables(w io.Writer, head [][]string, tables []table) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	write := func(rec ...string) {
		_ = cw.Write(rec) // errors surface through cw.Error below
	}
	for _, h := range head {
		write(h...)
	}
	for _, t := range tables {
		write()
		write(t.title)
		write(t.headers...)
		for _, row := range t.rows {
			rec := make([]string, len(row))
			for i, c := range row {
				rec[i] = c.String()
				if c.kind == cellText {
					rec[i] = defuseFormula(rec[i])
				}
			}
			write(rec...)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// defuseFormula keeps a spreadsheet from evaluating text such as a
// campaign title that starts with "=".
func defuseFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
