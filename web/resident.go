package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/store"
)

// session is a resident's anonymous browser session: a random token in an
// HttpOnly cookie. The store sees only hashes of it: the pseudonym that
// counts the resident's consultations, and the hash that owns their
// tickets. No address or browser detail is stored.
type session struct {
	token string
}

func (ss session) valid() bool  { return ss.token != "" }
func (ss session) hash() string { return store.TokenHash(ss.token) }
func (ss session) resident() string {
	if !ss.valid() {
		return ""
	}
	return "web-" + store.TokenHash("resident:" + ss.token)[:24]
}

// currentSession returns the request's session, or an invalid one.
func currentSession(r *http.Request) session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || len(c.Value) != 64 {
		return session{}
	}
	for _, ch := range c.Value {
		if !strings.ContainsRune("0123456789abcdef", ch) {
			return session{}
		}
	}
	return session{token: c.Value}
}

// ensureSession returns the request's session, starting one (and setting
// its cookie) when there is none.
func (s *Server) ensureSession(w http.ResponseWriter, r *http.Request) (session, error) {
	if ss := currentSession(r); ss.valid() {
		return ss, nil
	}
	tok, err := store.NewToken()
	if err != nil {
		return session{}, err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: tok, Path: "/", MaxAge: int(sessionMaxAge / time.Second),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	return session{token: tok}, nil
}

// errLimited is returned when a session or an address asks too fast.
type errLimited struct{ wait time.Duration }

func (e errLimited) Error() string {
	return fmt.Sprintf("您提问太快了，请过 %d 秒再试。", int(e.wait.Seconds())+1)
}

// allow applies the per-session and per-address limits.
func (s *Server) allow(r *http.Request, ss session) error {
	if ok, wait := s.addrLimit.allow(s.clientAddress(r)); !ok {
		return errLimited{wait}
	}
	if ok, wait := s.sessLimit.allow(ss.hash()); !ok {
		return errLimited{wait}
	}
	return nil
}

// errBadQuestion is a problem with the question a resident can fix.
type errBadQuestion string

func (e errBadQuestion) Error() string { return string(e) }

// cleanQuestion trims a question and checks its length and content.
func cleanQuestion(q string) (string, error) {
	q = strings.ToValidUTF8(q, "")
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' {
			return ' '
		}
		return r
	}, q)
	q = strings.TrimSpace(q)
	if q == "" {
		return "", errBadQuestion("请先写下您的问题。")
	}
	if utf8.RuneCountInString(q) > MaxQuestionRunes {
		return "", errBadQuestion(fmt.Sprintf("问题太长了，请控制在%d字以内，说清楚发生了什么、想知道什么就好。", MaxQuestionRunes))
	}
	return q, nil
}

// consult answers a question and records it as a web consultation, as the
// bot records a Telegram one.
func (s *Server) consult(ctx context.Context, ss session, q string) (*knowledge.Answer, int64, error) {
	start := s.o.Now()
	a, err := s.o.Knowledge.Answer(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	faqID := ""
	if a.FAQ != nil {
		faqID = a.FAQ.ID
	}
	id, err := s.o.Store.RecordConsultation(ctx, store.Consultation{
		At:         start,
		Resident:   ss.resident(),
		Channel:    "web",
		ChatType:   "web",
		Topic:      a.Topic,
		AnswerKind: string(a.Kind),
		Articles:   citations(a.Hits),
		FAQID:      faqID,
		Question:   q,
		Latency:    s.o.Now().Sub(start),
	})
	if err != nil {
		// The resident still gets the answer; the count is lost, and said.
		s.log.Error("recording a web consultation failed", slog.Any("error", err))
		id = 0
	}
	return a, id, nil
}

func citations(hits []knowledge.Hit) []string {
	out := make([]string, 0, len(hits))
	for _, h := range hits {
		out = append(out, h.Citation)
	}
	return out
}

// apiAnswer is the answer object of POST /api/v1/ask: exactly what
// `pufabot ask --json` prints, plus the consultation id that feedback and
// hand-over refer to.
type apiAnswer struct {
	knowledge.AnswerView
	Consultation int64 `json:"consultation,omitempty"`
}

func (s *Server) apiAsk(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Question string `json:"question"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	ss, err := s.ensureSession(w, r)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "系统出了点问题，请稍后再试。")
		return
	}
	a, id, ok := s.ask(w, r, ss, req.Question)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, apiAnswer{knowledge.View(a), id})
}

// ask runs the checks every front applies and answers; on failure it has
// written the error (JSON or a page) and reports false.
func (s *Server) ask(w http.ResponseWriter, r *http.Request, ss session, raw string) (*knowledge.Answer, int64, bool) {
	q, err := cleanQuestion(raw)
	if err == nil {
		err = s.allow(r, ss)
	}
	if err == nil {
		var a *knowledge.Answer
		var id int64
		a, id, err = s.consult(r.Context(), ss, q)
		if err == nil {
			return a, id, true
		}
		s.log.Error("answering a web question failed", slog.Any("error", err))
	}
	s.fail(w, r, err)
	return nil, 0, false
}

// fail writes an error as JSON for the API and the page's script, or as a
// page for a browser without JavaScript.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "系统出了点问题，请稍后再试，或拨打12348公共法律服务热线。"
	var lim errLimited
	var bad errBadQuestion
	switch {
	case errors.As(err, &lim):
		status, msg = http.StatusTooManyRequests, lim.Error()
		w.Header().Set("Retry-After", strconv.Itoa(int(lim.wait.Seconds())+1))
	case errors.As(err, &bad):
		status, msg = http.StatusBadRequest, bad.Error()
	case errors.Is(err, store.ErrNotFound):
		status, msg = http.StatusNotFound, "没有找到。"
	case errors.Is(err, errForbidden):
		status, msg = http.StatusForbidden, "这不是您的工单。"
	case errors.Is(err, errNoDesk):
		status, msg = http.StatusServiceUnavailable, errNoDesk.Error()
	}
	if wantsJSON(r) || r.Header.Get("X-Fragment") != "" {
		writeError(w, status, msg)
		return
	}
	w.WriteHeader(status)
	s.render(w, r, "message.html", page{Title: "提示", Message: msg})
}

var (
	errForbidden = errors.New("web: not this session's")
	errNoDesk    = errors.New("暂时无法转给工作人员，请拨打12348公共法律服务热线，或到镇司法所咨询。")
)

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	p, err := s.more(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"hits": p.hits, "more": p.more, "offset": p.offset})
}

// more returns the next page of articles for a question.
// morePage is one page of 更多结果.
type morePage struct {
	q      string
	offset int
	hits   []knowledge.Hit
	more   bool
}

// more reads ?q= and ?offset= and returns that page of articles.
func (s *Server) more(r *http.Request) (morePage, error) {
	q, err := cleanQuestion(r.URL.Query().Get("q"))
	if err != nil {
		return morePage{}, err
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(0, min(offset, 100))
	hits, err := s.o.Knowledge.Search(r.Context(), q, knowledge.PageSize+1, offset)
	if err != nil {
		return morePage{}, err
	}
	more := len(hits) > knowledge.PageSize
	if more {
		hits = hits[:knowledge.PageSize]
	}
	for i := range hits {
		hits[i].Text = ""
	}
	return morePage{q: q, offset: offset, hits: hits, more: more && offset+knowledge.PageSize < 100}, nil
}

func (s *Server) apiArticle(w http.ResponseWriter, r *http.Request) {
	h, ok := s.o.Knowledge.Article(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "没有找到这一条，可能法律库已经更新，请重新提问。")
		return
	}
	writeJSON(w, http.StatusOK, h)
}

type feedbackRequest struct {
	Consultation int64 `json:"consultation"`
	Helpful      bool  `json:"helpful"`
}

func (s *Server) apiFeedback(w http.ResponseWriter, r *http.Request) {
	var req feedbackRequest
	if !readJSON(w, r, &req) {
		return
	}
	if err := s.feedback(r.Context(), currentSession(r), req); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// feedback records 有帮助/没帮助 on one of the session's own consultations.
func (s *Server) feedback(ctx context.Context, ss session, req feedbackRequest) error {
	c, err := s.ownConsultation(ctx, ss, req.Consultation)
	if err != nil {
		return err
	}
	v := store.FeedbackNotHelpful
	if req.Helpful {
		v = store.FeedbackHelpful
	}
	return s.o.Store.SetFeedback(ctx, c.ID, v)
}

func (s *Server) ownConsultation(ctx context.Context, ss session, id int64) (store.Consultation, error) {
	if !ss.valid() || id <= 0 {
		return store.Consultation{}, store.ErrNotFound
	}
	c, err := s.o.Store.GetConsultation(ctx, id)
	if err != nil {
		return store.Consultation{}, err
	}
	if c.Resident != ss.resident() {
		return store.Consultation{}, store.ErrNotFound
	}
	return c, nil
}

type handOverRequest struct {
	Question     string `json:"question"`
	Contact      string `json:"contact"`
	Consultation int64  `json:"consultation"`
}

func (s *Server) apiHandOver(w http.ResponseWriter, r *http.Request) {
	var req handOverRequest
	if !readJSON(w, r, &req) {
		return
	}
	ss, err := s.ensureSession(w, r)
	if err == nil {
		var id int64
		id, err = s.handOver(r, ss, req)
		if err == nil {
			writeJSON(w, http.StatusOK, map[string]any{"ticket": id})
			return
		}
	}
	s.fail(w, r, err)
}

// maxContactRunes bounds the optional contact a resident leaves.
const maxContactRunes = 100

// handOver opens a ticket for staff and announces it in the staff chat,
// through the same code as a hand-over in Telegram.
func (s *Server) handOver(r *http.Request, ss session, req handOverRequest) (int64, error) {
	ctx := r.Context()
	desk := s.o.Desk()
	if desk == nil {
		return 0, errNoDesk
	}
	t := store.Ticket{Resident: ss.resident()}
	if c, err := s.ownConsultation(ctx, ss, req.Consultation); err == nil {
		t.ConsultationID = c.ID
		t.Question = c.Question
		t.Answer = strings.Join(c.Articles, "、")
		if len(c.Articles) == 0 {
			t.Answer = "（没有找到相关条文）"
		}
	}
	if strings.TrimSpace(req.Question) != "" || t.Question == "" {
		q, err := cleanQuestion(req.Question)
		if err != nil {
			return 0, err
		}
		t.Question = q
	}
	if c := strings.TrimSpace(req.Contact); c != "" {
		if utf8.RuneCountInString(c) > maxContactRunes {
			return 0, errBadQuestion("联系方式太长了。")
		}
		t.Question += "\n（居民留的联系方式：" + strings.Join(strings.Fields(c), " ") + "）"
	}
	if err := s.allow(r, ss); err != nil {
		return 0, err
	}
	id, err := s.o.Store.OpenWebTicket(ctx, t, ss.hash())
	if err != nil {
		return 0, err
	}
	t.ID, t.CreatedAt = id, s.o.Now()
	if err := desk.AnnounceTicket(ctx, t); err != nil {
		// The reminder loop announces it again; the resident has a ticket.
		s.log.Error("announcing a web ticket failed; it will be announced again", slog.Int64("ticket_id", id), slog.Any("error", err))
	}
	s.log.Info("web hand-over ticket opened", slog.Int64("ticket_id", id))
	return id, nil
}

// ticketView is a ticket as its resident sees it.
type ticketView struct {
	ID        int64       `json:"ticket"`
	Status    string      `json:"status"`
	StatusZH  string      `json:"status_text"`
	Question  string      `json:"question"`
	CreatedAt time.Time   `json:"created_at"`
	Replies   []replyView `json:"replies"`
}

type replyView struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

func (s *Server) apiTicket(w http.ResponseWriter, r *http.Request) {
	v, err := s.ownTicket(r.Context(), currentSession(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, v)
}

// ownTicket returns one of the session's tickets; another session's, or a
// ticket opened in Telegram, is not found.
func (s *Server) ownTicket(ctx context.Context, ss session, rawID string) (ticketView, error) {
	id, err := strconv.ParseInt(rawID, 10, 64)
	if err != nil || id <= 0 || !ss.valid() {
		return ticketView{}, store.ErrNotFound
	}
	owner, err := s.o.Store.WebTicketSession(ctx, id)
	if err != nil {
		return ticketView{}, err
	}
	if owner != ss.hash() {
		return ticketView{}, errForbidden
	}
	t, err := s.o.Store.GetTicket(ctx, id)
	if err != nil {
		return ticketView{}, err
	}
	rs, err := s.o.Store.TicketReplies(ctx, id)
	if err != nil {
		return ticketView{}, err
	}
	v := ticketView{ID: t.ID, Status: t.Status, StatusZH: ticketStatusName(t.Status), Question: t.Question, CreatedAt: t.CreatedAt, Replies: []replyView{}}
	for _, r := range rs {
		v.Replies = append(v.Replies, replyView{At: r.At, Text: r.Text})
	}
	return v, nil
}

func ticketStatusName(status string) string {
	switch status {
	case store.TicketOpen:
		return "等待工作人员回复"
	case store.TicketAnswered:
		return "工作人员已回复"
	case store.TicketClosed:
		return "已办结"
	}
	return status
}

func (s *Server) apiSpec(w http.ResponseWriter, r *http.Request) {
	b, err := assets.ReadFile("assets/openapi.yaml")
	if err != nil {
		writeError(w, http.StatusNotFound, "没有找到")
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Write(b)
}

// readJSON decodes a JSON request body strictly; on failure it has written
// a 400 and reports false.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "请用 application/json 提交。")
		return false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "提交的内容太长了。")
			return false
		}
		writeError(w, http.StatusBadRequest, "请求格式不对："+jsonProblem(err))
		return false
	}
	return true
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "不是有效的 JSON"
	case errors.As(err, &typ):
		return "字段 " + typ.Field + " 的类型不对"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return "有不认识的字段 " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "不是有效的 JSON"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// writeError answers {"error": msg}; messages are safe to show residents.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// backTo is a same-site path to return to after a form post.
func backTo(r *http.Request, fallback string) string {
	p := r.FormValue("back")
	if u, err := url.Parse(p); err == nil && p != "" && u.Host == "" && u.Scheme == "" && strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") {
		return p
	}
	return fallback
}
