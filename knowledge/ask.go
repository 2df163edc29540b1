package knowledge

import (
	"context"
	"fmt"
	"strings"

	"github.com/pufabot/pufabot/knowledge/cite"
	"github.com/pufabot/pufabot/knowledge/corpus"
	"github.com/pufabot/pufabot/knowledge/faq"
)

// PageSize is how many articles an answer shows at a time.
const PageSize = 3

// MaxQuestionRunes bounds what is analysed of one question.
const MaxQuestionRunes = 500

// answer answers one question: an article it names, else (for small talk
// and messages that are not legal questions) no article at all, else a
// curated FAQ answer, else the best-ranked articles (Answer adds the currency notes).
func (e *Engine) answer(ctx context.Context, question string) (*Answer, error) {
	q := strings.TrimSpace(question)
	if r := []rune(q); len(r) > MaxQuestionRunes {
		q = string(r[:MaxQuestionRunes])
	}
	a := &Answer{Question: q, Kind: KindNone}
	if q == "" {
		return a, nil
	}
	if e.answerCitation(a, q) || e.offTopic(a, q) {
		return a, nil
	}
	if err := e.answerFAQ(ctx, a, q); err != nil {
		return nil, err
	}
	if a.Kind == KindFAQ {
		return a, nil
	}
	hits, err := e.Search(ctx, q, PageSize+1, 0)
	if err != nil {
		return nil, err
	}
	if len(hits) == 0 && len(a.Suggestions) > 0 {
		// No law texts matched: answer with the nearest curated entry,
		// showing its question so the resident can judge the fit.
		for i, ent := range e.snap.FAQ {
			if ent.ID == a.Suggestions[0].ID {
				a.Suggestions = a.Suggestions[1:]
				e.setFAQ(a, i, q)
				a.Approximate = true
				return a, nil
			}
		}
	}
	if len(hits) > 0 && hits[0].Score >= e.params.MinScore {
		a.Kind = KindArticles
		if len(hits) > PageSize {
			a.More = true
			hits = hits[:PageSize]
		}
		for i := range hits {
			hits[i].Text = ""
		}
		a.Hits = hits
		a.Topic = e.topics.ofHits(hits)
	}
	return a, nil
}

// answerCitation handles questions that name an article. It reports
// whether the question was answered.
func (e *Engine) answerCitation(a *Answer, q string) bool {
	refs := cite.Parse(q)
	var notices []string
	for _, r := range refs {
		if r.Law == "" || r.Article <= 0 {
			continue
		}
		if rep, ok := cite.Repealed(r.Law); ok {
			notices = append(notices, rep.Note)
			if law, n, suf, ok := cite.Successor(r.Law, r.Article, r.Suffix); ok {
				label := corpus.ArticleLabel(n, suf)
				if h, ok := e.LookupArticle(law, n, suf); ok {
					h.Repealed = false
					a.Hits = append(a.Hits, h)
					notices = append(notices, fmt.Sprintf("原《%s》%s的内容，现在规定在%s。", rep.Title, corpus.ArticleLabel(r.Article, r.Suffix), h.Citation))
				} else {
					notices = append(notices, fmt.Sprintf("原《%s》%s的内容，现在规定在《中华人民共和国%s》%s。", rep.Title, corpus.ArticleLabel(r.Article, r.Suffix), law, label))
				}
			} else {
				notices = append(notices, fmt.Sprintf("原《%s》%s没有一一对应的现行条文，下面是按内容查到的相关规定。", rep.Title, corpus.ArticleLabel(r.Article, r.Suffix)))
			}
			continue
		}
		if h, ok := e.citedArticle(r, &notices); ok {
			a.Hits = append(a.Hits, h)
			continue
		}
		if _, ok := e.res.law(r.Law); ok {
			notices = append(notices, fmt.Sprintf("《%s》没有%s，请核对条文序号。", e.lawTitle(r.Law), corpus.ArticleLabel(r.Article, r.Suffix)))
		} else if e.HasCorpus() {
			notices = append(notices, fmt.Sprintf("知识库里没有找到“%s”，请核对法律名称。", r.Written))
		} else {
			notices = append(notices, fmt.Sprintf("本机尚未导入法律全文，暂时无法显示%s%s的原文。", r.Written, corpus.ArticleLabel(r.Article, r.Suffix)))
		}
	}
	a.Notice = strings.Join(notices, "\n")
	if len(a.Hits) == 0 {
		return false
	}
	a.Kind = KindCitation
	a.Topic = e.topics.ofHits(a.Hits)
	return true
}

func (e *Engine) lawTitle(name string) string {
	if li, ok := e.res.law(name); ok {
		return e.snap.Laws[li].Title
	}
	return name
}

// FAQ match thresholds (scores of faqMatcher, 0..1), chosen with
// TestFAQMatcherCalibration: a direct answer needs a close match; a looser
// one is offered as a suggestion, or answered with the entry's question
// shown when there are no law texts to search.
const (
	faqDirect  = 0.55
	faqSuggest = 0.25
)

// answerFAQ answers from a curated entry when one is close enough, and
// otherwise records the nearest entries as suggestions.
func (e *Engine) answerFAQ(ctx context.Context, a *Answer, q string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	top := e.faqm().top(q, 3, nil)
	if len(top) > 0 && top[0].score >= faqDirect {
		e.setFAQ(a, top[0].entry, q)
		return nil
	}
	for _, m := range top {
		if m.score >= faqSuggest && len(a.Suggestions) < 2 {
			ent := e.snap.FAQ[m.entry]
			a.Suggestions = append(a.Suggestions, Suggestion{ID: ent.ID, Question: ent.Question})
		}
	}
	return nil
}

func (e *Engine) setFAQ(a *Answer, i int, q string) {
	ent := e.snap.FAQ[i]
	a.Kind = KindFAQ
	a.FAQ = &ent
	if len(ent.Topics) > 0 {
		a.Topic = ent.Topics[0]
	}
	terms := Terms(CleanQuestion(q))
	a.Hits = a.Hits[:0]
	for _, r := range ent.Articles {
		a.Hits = append(a.Hits, e.faqHit(r, terms))
	}
}

// FAQEntry returns a curated entry by id, answered as if asked.
func (e *Engine) FAQEntry(id string) (*Answer, bool) {
	for i, ent := range e.snap.FAQ {
		if ent.ID == id {
			a := &Answer{Question: ent.Question}
			e.setFAQ(a, i, ent.Question)
			a.Currency = CurrencyOf(a.Hits)
			return a, true
		}
	}
	return nil, false
}

// faqHit resolves an FAQ article reference; without a corpus it still
// gives the exact citation.
func (e *Engine) faqHit(r faq.ArticleRef, terms []string) Hit {
	if ai, ok := e.res.article(r.Law, r.Article, r.Suffix); ok {
		h := e.hit(ai, 0, terms)
		h.Text = ""
		return h
	}
	title := r.Law
	if !strings.HasPrefix(title, "中华人民共和国") && isNationalShortName(title) {
		title = "中华人民共和国" + title
	}
	return Hit{Law: title, Article: r.Article, Suffix: r.Suffix, Citation: "《" + title + "》" + corpus.ArticleLabel(r.Article, r.Suffix)}
}

// isNationalShortName reports whether a short name is a national law or
// code whose full title starts with 中华人民共和国 (not a regulation or a
// judicial interpretation, whose titles are complete as written).
func isNationalShortName(s string) bool {
	if strings.HasPrefix(s, "最高人民") || strings.Contains(s, "条例") || strings.Contains(s, "规定") || strings.Contains(s, "办法") || strings.Contains(s, "解释") {
		return false
	}
	return strings.HasSuffix(s, "法") || strings.HasSuffix(s, "法典")
}
