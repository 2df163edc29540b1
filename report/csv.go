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
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	write := func(rec ...string) {
		_ = cw.Write(rec) // errors surface through cw.Error below
	}
	write(Title, r.PeriodRange())
	write("摘要", r.Summary())
	for _, t := range r.tables() {
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
