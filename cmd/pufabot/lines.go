package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// lineReader reads questions one line at a time. A line longer than max
// bytes is read to its end and reported as too long, so that one bad line
// costs only its own answer, never the lines after it.
type lineReader struct {
	r   *bufio.Reader
	max int
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// errLineTooLong is wrapped by lineTooLongError.
var errLineTooLong = errors.New("line too long")

// lineTooLongError describes a line over the limit; Head is its beginning.
type lineTooLongError struct {
	Head      string
	Size, Max int
}

func (e *lineTooLongError) Error() string {
	return fmt.Sprintf("line too long: %s bytes, at most %s; it was skipped", sizeText(e.Size), sizeText(e.Max))
}

func (e *lineTooLongError) Unwrap() error { return errLineTooLong }

// truncatedQuery is how a skipped line is echoed back.
func (e *lineTooLongError) truncatedQuery() string { return e.Head + "…(truncated)" }

func sizeText(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprint(n)
}

// headRunes is how much of a too-long line is kept to name it.
const headRunes = 80

// next returns the next line without its line ending. It returns io.EOF
// after the last line, and a *lineTooLongError for a line over the limit,
// after which reading can go on.
func (l *lineReader) next() (string, error) {
	var buf []byte
	size := 0
	for {
		chunk, err := l.r.ReadSlice('\n')
		size += len(chunk)
		if len(buf) <= l.max {
			buf = append(buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && (err != io.EOF || size == 0) {
			return "", err
		}
		if err == nil { // the line ends in "\n"
			size--
		}
		if size > l.max {
			return "", &lineTooLongError{Head: head(string(buf), headRunes), Size: size, Max: l.max}
		}
		return strings.TrimSuffix(string(buf[:size]), "\r"), nil
	}
}

// head returns the first n runes of s, cut at a rune boundary.
func head(s string, n int) string {
	for i := range s {
		if n == 0 {
			return strings.ToValidUTF8(s[:i], "")
		}
		n--
	}
	if !utf8.ValidString(s) {
		return strings.ToValidUTF8(s, "")
	}
	return s
}
