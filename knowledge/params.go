package knowledge

import "strings"

// Params are the ranking weights. DefaultParams holds the values measured
// best on the training questions (see README, "Retrieval quality").
type Params struct {
	// Depth is how many BM25 article hits are fused.
	Depth int
	// Field boosts for the BM25 article query.
	WText, WLaw, WHeadings, WFAQRef float64
	// WTextUni weighs BM25 over the single Han characters of article texts,
	// which matches words the bigrams split differently.
	// UniMaxDF and UniMaxTerms are MaxDF and MaxTerms for that field:
	// single characters are common, and their posting lists long.
	WTextUni    float64
	UniMaxDF    float64
	UniMaxTerms int
	// WExampleUni weighs the single Han characters of the labelled
	// questions when finding the ones most like the question.
	WExampleUni float64
	// K1 and B are the BM25 parameters of the article fields; ExampleK1
	// and ExampleB those of the labelled questions.
	K1, B, ExampleK1, ExampleB float64
	// WExpand weighs the lay→legal expansion terms.
	WExpand float64
	// WExamples weighs votes from similar labelled questions; ExampleDepth
	// is how many neighbours vote; ExamplePower sharpens their weights.
	WExamples    float64
	ExampleDepth int
	ExamplePower float64
	// ExampleSelfNorm divides a neighbour's score by the query's own idf
	// mass instead of by the best neighbour's score, so weak neighbours
	// vote weakly even when they are the best there is.
	ExampleSelfNorm bool
	// A labelled question's trust runs from 0 at similarity ExampleFloor
	// (and below: it does not vote) to 1 at ExampleNear (and above), where
	// similarity is its BM25 score over the question's own idf mass (about
	// 1 for a near duplicate); its vote is multiplied by its trust.
	ExampleFloor, ExampleNear float64
	// CoCitedNear is where co-citation reaches full strength: it scales
	// by the closest labelled question's trust on a ramp from
	// ExampleFloor to CoCitedNear (ExampleNear when lower), so articles
	// cited together with a result need a closer labelled question than
	// a vote does.
	CoCitedNear float64
	// ExampleUnseen counts, in the question's idf mass, its terms that no
	// labelled question uses, so a question mostly made of words the
	// labelled questions never use is not close to any of them.
	ExampleUnseen bool
	// ExampleRankByCloseness scales an article's WExampleRank term by the
	// trust of the closest labelled question voting for it, and
	// CoCitedByCloseness scales co-citation (WCoCited, WTailCoCited) by the
	// trust of the closest labelled question of all; with both, a question
	// no labelled question is close to ranks exactly as without examples.
	ExampleRankByCloseness, CoCitedByCloseness bool
	// WRank and WExampleRank add reciprocal-rank terms, w/(RankK+rank), for
	// an article's rank among BM25 hits and among example votes, so
	// candidates from either list reach the top whatever the score scales.
	WRank, WExampleRank, RankK float64
	// CheckVotes gives an article voted for by examples its BM25 score
	// even when it ranks below Depth.
	CheckVotes bool
	// WNeighbour gives the articles either side of each of the best
	// NeighbourDepth results that share of its score.
	WNeighbour     float64
	NeighbourDepth int
	// WCoCited gives the articles labelled questions cite together with
	// each of the best CoCitedDepth results that share of its score, split
	// over the questions citing the result.
	WCoCited     float64
	CoCitedDepth int
	// TailFrom, when above 0, keeps the first TailFrom results in the
	// order above and ranks the rest of the list with larger shares for
	// articles co-cited with (WTailCoCited), near (WTailNeighbour, up to
	// TailSpan articles away) and of the same law as (WTailLaw) the best
	// TailDepth results: more candidates for recall, without touching
	// what is shown first.
	TailFrom                               int
	TailDepth, TailSpan                    int
	WTailCoCited, WTailNeighbour, WTailLaw float64
	// WTailPRF adds to the tail score of each of the PRFDepth articles
	// best matching the PRFTerms rarest terms shared by at least two of
	// the best PRFDocs results (pseudo-relevance feedback) that share of
	// its score over the best one's.
	WTailPRF                    float64
	PRFDocs, PRFTerms, PRFDepth int
	// Priors multiply the score of articles of these laws (short names) or
	// categories, the laws residents need most.
	LawPrior      map[string]float64
	CategoryPrior map[string]float64
	// MaxDF drops query terms found in more than this share of a field's
	// documents; MaxTerms caps the terms per field (rarest kept).
	MaxDF    float64
	MaxTerms int
	// MinScore is the lowest fused score shown as an answer.
	MinScore float64
}

// DefaultParams returns the tuned ranking parameters: found by TestTune
// (coordinate ascent on R@10 + R@100 + MRR@10) over the training questions
// of every fold but 0, which stays held out for reporting.
func DefaultParams() Params {
	return Params{
		Depth:     400,
		WText:     1,
		WLaw:      0.15,
		WHeadings: 0.6,
		WFAQRef:   0.6,
		WExpand:   0.5,
		// Statute articles are short and repeat their key terms little:
		// a low k1 saturates term frequency early.
		K1:              0.6,
		B:               0.55,
		ExampleK1:       0.75,
		ExampleB:        0.75,
		WExamples:       1.6,
		ExampleDepth:    50,
		ExamplePower:    2.5,
		ExampleSelfNorm: true,
		// A labelled question covering a twentieth of the question's
		// weight or less does not vote; its say grows to full at 0.15.
		// Words no labelled question uses count in the question's weight.
		ExampleFloor:           0.05,
		ExampleNear:            0.15,
		ExampleUnseen:          true,
		ExampleRankByCloseness: true,
		CoCitedByCloseness:     true,
		WRank:                  15.625,
		WExampleRank:           10,
		RankK:                  1.25,
		CheckVotes:             true,
		WNeighbour:             0.125,
		NeighbourDepth:         20,
		// Articles cited together with the best results by labelled
		// questions; the tail below the first ten gets larger shares.
		WCoCited:       0.25,
		CoCitedDepth:   10,
		TailFrom:       10,
		TailDepth:      20,
		TailSpan:       3,
		WTailCoCited:   1,
		WTailNeighbour: 0.15,
		WTailLaw:       1.5,
		WTailPRF:       2,
		PRFDocs:        5,
		PRFTerms:       8,
		PRFDepth:       200,
		// Single characters, only the rarer ones of a question.
		WTextUni:    1,
		UniMaxDF:    0.1,
		UniMaxTerms: 16,
		WExampleUni: 1,
		LawPrior:    map[string]float64{},
		// Residents' questions cite the Civil Code and criminal law more,
		// and regulations and judicial interpretations less, than their
		// share of the corpus suggests (tuned on the training folds).
		CategoryPrior: map[string]float64{
			"民法典":   1.5625,
			"刑法":    1.5625,
			"民法商法":  1.25,
			"行政法":   1.25,
			"司法解释":  0.8,
			"行政法规":  0.8,
			"经济法":   0.8,
			"宪法相关法": 0.5,
			"部门规章":  0.5,
		},
		MinScore: 0.05,
		MaxDF:    0.2,
		MaxTerms: 32,
	}
}

func (p Params) prior(l lawRec) float64 {
	w := 1.0
	if v, ok := p.LawPrior[l.Short]; ok {
		w *= v
	}
	if v, ok := p.CategoryPrior[l.Category]; ok {
		w *= v
	}
	return w
}

// questionNoise are words that carry the form of a question, not its
// subject; they are dropped before matching statutes, whose text never
// contains them.
var questionNoise = []string{
	"请问一下", "请问", "我想问一下", "我想问", "想问一下", "我想咨询一下", "我想咨询", "想咨询一下", "咨询一下", "想咨询", "咨询",
	"请教一下", "请教", "应该怎么办", "该怎么办",
	"怎么办呢", "怎么办", "怎么处理", "怎么弄", "该怎么", "怎么样", "怎样", "怎么", "如何",
	"可以吗", "行不行", "能不能", "可不可以", "是不是", "是否", "有没有", "吗", "呢", "吧", "啊", "呀", "哦", "嘛",
	"谢谢", "你好", "您好", "麻烦", "帮忙", "帮我", "一下",
}

var noiseReplacer = func() *strings.Replacer {
	args := make([]string, 0, 2*len(questionNoise))
	for _, w := range questionNoise {
		args = append(args, w, " ")
	}
	return strings.NewReplacer(args...)
}()

// maxQuestionRunes bounds the part of a message that is matched.
const maxQuestionRunes = 300

// CleanQuestion strips question words and limits the length of what is
// matched, so a long message cannot make a query slow.
func CleanQuestion(q string) string {
	r := []rune(q)
	if len(r) > maxQuestionRunes {
		q = string(r[:maxQuestionRunes])
	}
	return strings.TrimSpace(noiseReplacer.Replace(q))
}
