package web

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/knowledge/faq"
	"github.com/pufabot/pufabot/store"
)

// page is what every template gets.
type page struct {
	Title   string
	Office  string
	Big     bool // large type (适老化)
	Message string
	Back    string

	Question string
	Card     *card
	Article  *knowledge.Hit
	// ArticleCurrency warns that the article's law was revised since.
	ArticleCurrency []knowledge.Currency
	Hits            []hitView
	// HitsCurrency warns of laws revised after the texts of Hits.
	HitsCurrency []knowledge.Currency
	More         bool
	Next         int
	Topics       []faq.Topic
	Topic        *topicView
	Ticket       *ticketView
	ConsID       int64

	RetainDays int
	Disclaimer string

	Staff *staffPage
}

// card is an answer card, as the bot shows one: the curated answer, the
// articles with their versions, and the buttons.
type card struct {
	Question string
	ConsID   int64
	Kind     string
	// Answered is false for small talk and the plain not-found answer:
	// nothing to rate.
	Answered bool
	Notice   string
	// Currency warns, before the articles, of laws revised after the
	// texts shown.
	Currency []knowledge.Currency
	FAQ      *faq.Entry
	Approx   bool
	Hits     []hitView
	// HitsCurrency warns of laws revised after the texts of Hits.
	HitsCurrency []knowledge.Currency
	More         bool
	// Text is the plain rendering, shown for answers with no articles
	// (not found, small talk …).
	Text        string
	Suggestions []knowledge.Suggestion
}

// hitView is a cited article with its label.
type hitView struct {
	knowledge.Hit
	N int
}

type topicView struct {
	faq.Topic
	Articles []topicArticle
}

type topicArticle struct {
	Label string
	ID    string // "" when the article is not loaded
}

func newCard(a *knowledge.Answer, consID int64) *card {
	c := &card{Question: a.Question, ConsID: consID, Kind: string(a.Kind), Answered: a.Answered(), Notice: a.Notice, Currency: a.Currency, FAQ: a.FAQ, Approx: a.Approximate, More: a.More, Suggestions: a.Suggestions}
	c.Hits = numbered(a.Hits, 0)
	if len(c.Hits) == 0 && a.FAQ == nil {
		c.Text = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(knowledge.RenderText(a)), knowledge.Disclaimer))
		if a.Notice != "" {
			c.Text = strings.TrimSpace(strings.TrimPrefix(c.Text, "【提示】"+a.Notice))
		}
		for _, cur := range a.Currency { // shown above the text already
			c.Text = strings.TrimSpace(strings.TrimPrefix(c.Text, "【注意】"+cur.Text))
		}
	}
	return c
}

func numbered(hits []knowledge.Hit, first int) []hitView {
	out := make([]hitView, len(hits))
	for i, h := range hits {
		out[i] = hitView{Hit: h, N: first + i + 1}
	}
	return out
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"notLoaded": func() string { return knowledge.NotLoadedNote },
		"paras": func(text string) []string {
			var out []string
			for _, p := range strings.Split(strings.TrimSpace(text), "\n") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
			return out
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(s.o.Location).Format("2006-01-02 15:04")
		},
		"query": url.QueryEscape,
		"occStatus": func(status string) string {
			switch status {
			case store.OccurrencePending:
				return "等待发送"
			case store.OccurrenceRunning:
				return "发送中"
			case store.OccurrenceSkipped:
				return "已跳过"
			case store.OccurrenceDone:
				return "已完成"
			}
			return status
		},
		"add": func(a, b int) int { return a + b },
		"version": func(v any) string {
			var h knowledge.Hit
			switch x := v.(type) {
			case knowledge.Hit:
				h = x
			case *knowledge.Hit:
				h = *x
			case hitView:
				h = x.Hit
			}
			// The citation names the version wherever it is not the only
			// one; the label only flags texts that are no longer current.
			switch {
			case h.Repealed:
				return "已废止"
			case h.Superseded:
				return "旧版本"
			}
			return ""
		},
	}
}

// render executes a page template; the layout reads .Big from a cookie.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, p page) {
	p.Office = s.o.Office
	p.Disclaimer = knowledge.Disclaimer
	p.RetainDays = s.o.RetainDays
	if c, err := r.Cookie("pufabot_big"); err == nil && c.Value == "1" {
		p.Big = true
	}
	var buf bytes.Buffer
	if err := s.tpl.ExecuteTemplate(&buf, name, p); err != nil {
		s.log.Error("rendering a page failed", slog.String("page", name), slog.Any("error", err))
		http.Error(w, "页面出错了，请稍后再试。", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// fragment is set by the page's script: it wants only the part of the page
// that changes, to add to the chat.
func fragment(r *http.Request) bool { return r.Header.Get("X-Fragment") != "" }

func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) {
	if v := r.URL.Query().Get("big"); v != "" {
		// The large-type switch works without JavaScript: a link sets a
		// cookie and comes back.
		c := &http.Cookie{Name: "pufabot_big", Value: "1", Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode}
		if v != "1" {
			c.MaxAge, c.Value = -1, ""
		}
		http.SetCookie(w, c)
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, "home.html", page{Title: s.o.Office + "普法小助手", Topics: s.o.Knowledge.Topics()})
}

// pageAsk answers the question form: the whole page without JavaScript,
// only the answer card for the page's script.
func (s *Server) pageAsk(w http.ResponseWriter, r *http.Request) {
	ss, err := s.ensureSession(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, id, ok := s.ask(w, r, ss, r.FormValue("q"))
	if !ok {
		return
	}
	p := page{Title: "解答", Card: newCard(a, id), Question: a.Question}
	if fragment(r) {
		s.render(w, r, "card", p)
		return
	}
	s.render(w, r, "answer.html", p)
}

func (s *Server) pageArticle(w http.ResponseWriter, r *http.Request) {
	h, ok := s.o.Knowledge.Article(r.PathValue("id"))
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		s.render(w, r, "message.html", page{Title: "没有找到", Message: "没有找到这一条，可能法律库已经更新，请重新提问。"})
		return
	}
	p := page{Title: h.Citation, Article: &h, ArticleCurrency: knowledge.CurrencyOf([]knowledge.Hit{h}), Back: backTo(r, "/")}
	if fragment(r) {
		s.render(w, r, "fulltext", p)
		return
	}
	s.render(w, r, "article.html", p)
}

func (s *Server) pageMore(w http.ResponseWriter, r *http.Request) {
	m, err := s.more(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := page{Title: "更多相关条文", Question: m.q, Hits: numbered(m.hits, m.offset), HitsCurrency: knowledge.CurrencyOf(m.hits), More: m.more, Next: m.offset + len(m.hits)}
	if fragment(r) {
		s.render(w, r, "morehits", p)
		return
	}
	s.render(w, r, "more.html", p)
}

func (s *Server) pageFeedback(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.FormValue("consultation"), 10, 64)
	err := s.feedback(r.Context(), currentSession(r), feedbackRequest{Consultation: id, Helpful: r.FormValue("helpful") == "1"})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "message.html", page{Title: "谢谢", Message: "谢谢您的反馈！我们会根据大家的意见改进回答。", Back: "/"})
}

func (s *Server) pageHuman(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.URL.Query().Get("c"), 10, 64)
	p := page{Title: "联系工作人员", ConsID: id}
	if c, err := s.ownConsultation(r.Context(), currentSession(r), id); err == nil {
		p.Question = c.Question
	}
	s.render(w, r, "human.html", p)
}

func (s *Server) pageHandOver(w http.ResponseWriter, r *http.Request) {
	ss, err := s.ensureSession(w, r)
	if err == nil {
		consID, _ := strconv.ParseInt(r.FormValue("consultation"), 10, 64)
		var id int64
		id, err = s.handOver(r, ss, handOverRequest{Question: r.FormValue("question"), Contact: r.FormValue("contact"), Consultation: consID})
		if err == nil {
			http.Redirect(w, r, "/tickets/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
			return
		}
	}
	s.fail(w, r, err)
}

func (s *Server) pageTicket(w http.ResponseWriter, r *http.Request) {
	v, err := s.ownTicket(r.Context(), currentSession(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "ticket.html", page{Title: "工单 #" + strconv.FormatInt(v.ID, 10), Ticket: &v})
}

func (s *Server) pageTopics(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "topics.html", page{Title: "普法专题", Topics: s.o.Knowledge.Topics()})
}

func (s *Server) pageTopic(w http.ResponseWriter, r *http.Request) {
	t, ok := s.o.Knowledge.Topic(r.PathValue("id"))
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		s.render(w, r, "message.html", page{Title: "没有找到", Message: "没有这个专题。", Back: "/topics"})
		return
	}
	v := topicView{Topic: t}
	for _, a := range t.Articles {
		ta := topicArticle{Label: a.String()}
		if h, ok := s.o.Knowledge.LookupArticle(a.Law, a.Article, a.Suffix); ok {
			ta.ID = h.ID
			ta.Label = h.Citation
		}
		v.Articles = append(v.Articles, ta)
	}
	s.render(w, r, "topic.html", page{Title: t.Name, Topic: &v})
}

func (s *Server) pagePrivacy(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "privacy.html", page{Title: "隐私说明"})
}
