package cite

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// versionNoteRE finds a version note in a written law name: a year, or a
// full date, in brackets, with words around it: （2012）, (2012年修正),
// （2012-10-26）, （2012年10月26日修正）. Digits are folded to ASCII first.
var versionNoteRE = regexp.MustCompile(`[（(][^（()）]*?(\d{4})(?:(?:年|[-./])(\d{1,2})(?:(?:月|[-./])(\d{1,2})日?)?)?[^（()）]*[)）]`)

// noteVersion returns the version a written law name asks for: "2012" for
// a year, "2012-10-26" for a full date, "" when there is no note.
func noteVersion(written string) string {
	s := strings.Map(foldDigit, written)
	m := versionNoteRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	year, _ := strconv.Atoi(m[1])
	if year < 1949 || year > 2100 {
		return ""
	}
	if m[2] == "" || m[3] == "" {
		return m[1]
	}
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
		return m[1]
	}
	return fmt.Sprintf("%s-%02d-%02d", m[1], mo, d)
}

// MatchesVersion reports whether a text dated version (YYYY-MM-DD) is the
// one a citation's Version asks for: the same year, or the same date.
func MatchesVersion(version, asked string) bool {
	if asked == "" || version == "" {
		return false
	}
	if len(asked) == 4 {
		return strings.HasPrefix(version, asked+"-")
	}
	return version == asked
}
