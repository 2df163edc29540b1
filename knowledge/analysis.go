package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// analyzerName is the bleve analyzer for Chinese legal text and questions.
const analyzerName = "pufabot_zh"

// analysisVersion changes whenever tokenisation changes, so an index built
// with older analysis is rebuilt.
const analysisVersion = "zh-6"

// unigramAnalyzerName is the bleve analyzer that keeps single Han
// characters, for a recall field searched alongside the bigrams.
const unigramAnalyzerName = "pufabot_zh1"

func init() {
	registry.RegisterAnalyzer(analyzerName, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
		return zhAnalyzer{}, nil
	})
	registry.RegisterAnalyzer(unigramAnalyzerName, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
		return zhUnigramAnalyzer{}, nil
	})
}

// zhUnigramAnalyzer turns text into its Han characters, one token each.
// Single characters match where bigrams cannot: 骗 in 被人骗了 and in 诈骗.
type zhUnigramAnalyzer struct{}

func (zhUnigramAnalyzer) Analyze(input []byte) analysis.TokenStream {
	var stream analysis.TokenStream
	pos := 0
	for i, r0 := range string(input) {
		if r := fold(r0); isHan(r) {
			pos++
			stream = append(stream, &analysis.Token{
				Term:     []byte(string(r)),
				Start:    i,
				End:      i + utf8.RuneLen(r0),
				Position: pos,
				Type:     analysis.Ideographic,
			})
		}
	}
	return stream
}

// Unigrams returns the Han characters of s, as the unigram field sees them.
func Unigrams(s string) []string {
	var out []string
	for _, r0 := range s {
		if r := fold(r0); isHan(r) {
			out = append(out, string(r))
		}
	}
	return out
}

// zhAnalyzer turns text into overlapping Han bigrams (a lone Han character
// stays a unigram) plus lower-cased Latin words and digit runs. Bigrams are
// the standard, dictionary-free way to index Chinese: they need no word
// list, never split a two-character word wrongly, and keep queries fast.
type zhAnalyzer struct{}

func (zhAnalyzer) Analyze(input []byte) analysis.TokenStream {
	toks := tokenize(string(input), nil)
	stream := make(analysis.TokenStream, 0, len(toks))
	for i, t := range toks {
		stream = append(stream, &analysis.Token{
			Term:     []byte(t.term),
			Start:    t.start,
			End:      t.end,
			Position: i + 1,
			Type:     analysis.Ideographic,
		})
	}
	return stream
}

type token struct {
	term       string
	start, end int
}

// Terms returns the analysed terms of s, as the index sees them.
func Terms(s string) []string {
	toks := tokenize(s, nil)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.term
	}
	return out
}

// isHan reports whether r is a Chinese character.
func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// fold maps full-width ASCII to half-width and upper to lower case, and
// the look-alike 笫 to 第.
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		r = ' '
	case r == '笫':
		r = '第'
	}
	return unicode.ToLower(r)
}

// tokenize appends the tokens of s to dst.
func tokenize(s string, dst []token) []token {
	var (
		prevHan   rune // previous Han rune in the current Han run, 0 if none
		prevStart int
		runLen    int
		wordStart = -1
		word      strings.Builder
	)
	flushWord := func(end int) {
		if wordStart >= 0 {
			dst = append(dst, token{term: word.String(), start: wordStart, end: end})
			word.Reset()
			wordStart = -1
		}
	}
	endHanRun := func() {
		if runLen == 1 {
			dst = append(dst, token{term: string(prevHan), start: prevStart, end: prevStart + utf8.RuneLen(prevHan)})
		}
		prevHan, runLen = 0, 0
	}
	for i, r0 := range s {
		r := fold(r0)
		switch {
		case isHan(r):
			flushWord(i)
			if runLen > 0 {
				dst = append(dst, token{term: string([]rune{prevHan, r}), start: prevStart, end: i + utf8.RuneLen(r0)})
			}
			prevHan, prevStart = r, i
			runLen++
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			endHanRun()
			if wordStart < 0 {
				wordStart = i
			}
			word.WriteRune(r)
		default:
			endHanRun()
			flushWord(i)
		}
	}
	endHanRun()
	flushWord(len(s))
	return dst
}
