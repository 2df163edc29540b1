package knowledge

import (
	"github.com/pufabot/pufabot/knowledge/corpus"
	"github.com/pufabot/pufabot/knowledge/faq"
)

// An answer's topic drives the office's report by topic, so it is decided
// from what actually answered the question: a curated entry's own topic,
// or the law, 编/章/节 and number of the articles shown, through the topic
// pages' law rules (faq.Topic.Laws). An article no rule claims has no
// topic, and the answer then counts as 其他: a wrong topic in a report is
// worse than an honest "other".

// topicVoteWeights weigh the topics of the first articles of an answer by
// rank. The first article decides unless the next two agree on another
// topic (0.6+0.5 > 1), so one stray first hit does not decide alone.
var topicVoteWeights = []float64{1, 0.6, 0.5}

// Specificity of a matching rule: articles beat headings, a deeper
// heading beats a shallower one, and any of them beats the whole law.
const (
	specLaw      = 0
	specHeading  = 1 // plus the depth of the heading in the path
	specArticles = 100
)

// topicRule is one faq.LawRule of one topic, ready for matching.
type topicRule struct {
	topic    string
	headings map[string]bool
	articles map[int]bool
}

// topicRules finds the topic of an article.
type topicRules struct {
	byLaw map[string][]topicRule // by corpus.NormalizeTitle of the law
}

func newTopicRules(topics []faq.Topic) *topicRules {
	r := &topicRules{byLaw: map[string][]topicRule{}}
	for _, t := range topics {
		for _, lr := range t.Laws {
			tr := topicRule{topic: t.ID}
			if len(lr.Headings) > 0 {
				tr.headings = map[string]bool{}
				for _, h := range lr.Headings {
					tr.headings[faq.HeadingName(h)] = true
				}
			}
			if len(lr.Articles) > 0 {
				tr.articles = map[int]bool{}
				for _, n := range lr.Articles {
					tr.articles[n] = true
				}
			}
			key := corpus.NormalizeTitle(lr.Law)
			r.byLaw[key] = append(r.byLaw[key], tr)
		}
	}
	return r
}

// ofArticle returns the topic of an article of the law titled law (full
// or short title), under the heading path headings; "" when no rule
// claims it. Among matching rules the most specific wins, and among
// equally specific ones the first in the topic file.
func (r *topicRules) ofArticle(law string, number int, headings []string) string {
	best, bestSpec := "", -1
	for _, tr := range r.byLaw[corpus.NormalizeTitle(law)] {
		spec := specLaw
		if tr.articles != nil {
			if !tr.articles[number] {
				continue
			}
			spec = specArticles
		} else if tr.headings != nil {
			depth := -1
			for i, h := range headings {
				if tr.headings[faq.HeadingName(h)] {
					depth = i
				}
			}
			if depth < 0 {
				continue
			}
			spec = specHeading + depth
		}
		if spec > bestSpec {
			best, bestSpec = tr.topic, spec
		}
	}
	return best
}

// ofHits decides the topic of an answer made of ranked articles by a
// weighted vote of its first articles (topicVoteWeights): the first
// article's topic, unless the following ones give another topic more
// weight. An article no rule claims stands for "" (其他) when it comes
// first and abstains otherwise, so that loosely related articles further
// down never outvote a first article that has a topic.
func (r *topicRules) ofHits(hits []Hit) string {
	return r.vote(hits, topicVoteWeights)
}

func (r *topicRules) vote(hits []Hit, weights []float64) string {
	if len(hits) == 0 {
		return ""
	}
	score := map[string]float64{}
	var order []string
	for i, h := range hits {
		if i >= len(weights) {
			break
		}
		t := r.ofArticle(h.Law, h.Article, h.Headings)
		if t == "" && i > 0 {
			continue
		}
		if _, seen := score[t]; !seen {
			order = append(order, t)
		}
		score[t] += weights[i]
	}
	best := order[0]
	for _, t := range order[1:] {
		if score[t] > score[best] {
			best = t
		}
	}
	return best
}
