package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/knowledge/faq"
	"github.com/pufabot/pufabot/report"
	"github.com/pufabot/pufabot/store"
)

// staffPage is what console templates get besides page.
type staffPage struct {
	UserID  int64
	Nav     string
	Flash   string
	Error   string
	Tickets []store.Ticket
	Ticket  *staffTicket

	// Broadcast composer.
	Draft    string
	Audience int
	Preview  bool

	Status      string
	Occurrences []store.OccurrenceProgress

	// Report.
	From, To   string
	ReportText string
	Summary    string
	ReportQS   string

	Stats knowledge.Stats
	Laws  []knowledge.LawInfo
	FAQ   []faq.Entry
}

type staffTicket struct {
	store.Ticket
	Web     bool
	Replies []store.TicketReply
}

// NewConsoleLink makes a one-time console login link for a staff member;
// the bot's /console command sends it.
func (s *Server) NewConsoleLink(ctx context.Context, staffUserID int64) (string, error) {
	if !s.admins[staffUserID] {
		return "", errors.New("web: console link for a user who is not staff")
	}
	if s.o.BaseURL == "" {
		return "", errors.New("web: web.url is not set")
	}
	tok, err := s.o.Store.CreateConsoleLink(ctx, staffUserID, 10*time.Minute)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(s.o.BaseURL, "/") + "/staff/login?token=" + tok, nil
}

type staffHandler func(w http.ResponseWriter, r *http.Request, uid int64)

// staffOnly lets through requests with a live console session of a staff
// member who is still listed in telegram.admins.
func (s *Server) staffOnly(h staffHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(staffCookie)
		if err == nil {
			uid, err := s.o.Store.ConsoleSession(r.Context(), c.Value)
			if err == nil && s.admins[uid] {
				w.Header().Set("Cache-Control", "no-store")
				h(w, r, uid)
				return
			}
		}
		if r.Method == http.MethodGet {
			w.WriteHeader(http.StatusUnauthorized)
			s.render(w, r, "message.html", page{Title: "请先登录", Message: "请在 Telegram 里给机器人私聊发送 /console，点收到的链接登录工作台。"})
			return
		}
		writeError(w, http.StatusUnauthorized, "请先登录工作台。")
	})
}

// staffLoginPage shows a button that uses the link: a GET never consumes
// it, so a link preview or a prefetch cannot use it up.
func (s *Server) staffLoginPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if len(tok) != 64 {
		w.WriteHeader(http.StatusBadRequest)
		s.render(w, r, "message.html", page{Title: "链接无效", Message: "登录链接不完整。请在 Telegram 里重新发送 /console。"})
		return
	}
	s.render(w, r, "login.html", page{Title: "登录工作台", Message: tok})
}

func (s *Server) staffLogin(w http.ResponseWriter, r *http.Request) {
	sess, uid, err := s.o.Store.UseConsoleLink(r.Context(), r.FormValue("token"), StaffSessionTTL)
	if err == nil && !s.admins[uid] {
		err = store.ErrLinkUsed
	}
	if err != nil {
		if !errors.Is(err, store.ErrLinkUsed) {
			s.log.Error("console login failed", slog.Any("error", err))
		}
		w.WriteHeader(http.StatusForbidden)
		s.render(w, r, "message.html", page{Title: "链接无效", Message: "这个登录链接已经用过或者已过期（10分钟内有效，只能用一次）。请在 Telegram 里重新发送 /console。"})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: staffCookie, Value: sess, Path: "/staff/", MaxAge: int(StaffSessionTTL / time.Second),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	s.log.Info("staff console login")
	http.Redirect(w, r, "/staff/", http.StatusSeeOther)
}

func (s *Server) staffLogout(w http.ResponseWriter, r *http.Request, uid int64) {
	if c, err := r.Cookie(staffCookie); err == nil {
		_ = s.o.Store.EndConsoleSession(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: staffCookie, Path: "/staff/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) staff(w http.ResponseWriter, r *http.Request, name, title string, sp staffPage) {
	s.render(w, r, name, page{Title: title, Staff: &sp})
}

func (s *Server) staffHome(w http.ResponseWriter, r *http.Request, uid int64) {
	ts, err := s.o.Store.ActiveTickets(r.Context())
	sp := staffPage{UserID: uid, Nav: "tickets", Tickets: ts, Flash: r.URL.Query().Get("flash")}
	if err != nil {
		sp.Error = "读取工单失败：" + err.Error()
	}
	s.staff(w, r, "staff_tickets.html", "待办工单", sp)
}

func (s *Server) staffTicket(w http.ResponseWriter, r *http.Request, uid int64) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var t store.Ticket
	if err == nil {
		t, err = s.o.Store.GetTicket(ctx, id)
	}
	if err != nil {
		w.WriteHeader(http.StatusNotFound)
		s.render(w, r, "message.html", page{Title: "没有找到", Message: "没有这个工单。", Back: "/staff/"})
		return
	}
	st := &staffTicket{Ticket: t}
	if _, err := s.o.Store.WebTicketSession(ctx, id); err == nil {
		st.Web = true
	}
	st.Replies, _ = s.o.Store.TicketReplies(ctx, id)
	sp := staffPage{UserID: uid, Nav: "tickets", Ticket: st, Flash: r.URL.Query().Get("flash"), Error: r.URL.Query().Get("error")}
	s.staff(w, r, "staff_ticket.html", fmt.Sprintf("工单 #%d", id), sp)
}

func (s *Server) staffReply(w http.ResponseWriter, r *http.Request, uid int64) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	back := fmt.Sprintf("/staff/tickets/%d", id)
	desk := s.o.Desk()
	if desk == nil {
		http.Redirect(w, r, back+"?error="+urlq("机器人没有运行，暂时不能回复。"), http.StatusSeeOther)
		return
	}
	if err := desk.ReplyToTicket(r.Context(), id, uid, r.FormValue("text")); err != nil {
		http.Redirect(w, r, back+"?error="+urlq("回复没有送达："+err.Error()), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, back+"?flash="+urlq("已回复居民。"), http.StatusSeeOther)
}

func (s *Server) staffClose(w http.ResponseWriter, r *http.Request, uid int64) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	desk := s.o.Desk()
	if desk == nil {
		http.Redirect(w, r, fmt.Sprintf("/staff/tickets/%d?error=%s", id, urlq("机器人没有运行，暂时不能办结。")), http.StatusSeeOther)
		return
	}
	if _, err := desk.CloseTicket(r.Context(), id, uid); err != nil {
		http.Redirect(w, r, fmt.Sprintf("/staff/tickets/%d?error=%s", id, urlq(err.Error())), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/staff/?flash="+urlq(fmt.Sprintf("工单 #%d 已办结。", id)), http.StatusSeeOther)
}

func (s *Server) staffBroadcast(w http.ResponseWriter, r *http.Request, uid int64) {
	sp := staffPage{UserID: uid, Nav: "broadcast", Flash: r.URL.Query().Get("flash")}
	if s.o.Broadcaster == nil {
		sp.Error = "群发没有开启。"
	}
	sp.Audience, _ = s.o.Store.AudienceSize(r.Context(), s.o.BroadcastAudience)
	s.staff(w, r, "staff_broadcast.html", "群发普法消息", sp)
}

// staffBroadcastPost previews a draft, or sends it once confirmed: compose
// → preview → confirm, as /broadcast in Telegram.
func (s *Server) staffBroadcastPost(w http.ResponseWriter, r *http.Request, uid int64) {
	ctx := r.Context()
	draft := strings.TrimSpace(r.FormValue("text"))
	sp := staffPage{UserID: uid, Nav: "broadcast", Draft: draft}
	sp.Audience, _ = s.o.Store.AudienceSize(ctx, s.o.BroadcastAudience)
	switch {
	case s.o.Broadcaster == nil:
		sp.Error = "群发没有开启。"
	case draft == "":
		sp.Error = "请先写好要群发的内容。"
	case utf8Len(draft) > 3500:
		sp.Error = "内容太长了（最多3500字），请分成几条发送。"
	case r.FormValue("confirm") != "1":
		sp.Preview = true
	default:
		id, err := s.o.Broadcaster.Broadcast(ctx, uid, htmlEscape(draft))
		if err != nil {
			sp.Error = "群发没有开始：" + err.Error()
			break
		}
		s.log.Info("staff broadcast from the console", slog.Int64("occurrence_id", id))
		http.Redirect(w, r, "/staff/campaigns?flash="+urlq(fmt.Sprintf("群发已开始（编号 %d），发送进度见下表。", id)), http.StatusSeeOther)
		return
	}
	s.staff(w, r, "staff_broadcast.html", "群发普法消息", sp)
}

func (s *Server) staffCampaigns(w http.ResponseWriter, r *http.Request, uid int64) {
	ctx := r.Context()
	sp := staffPage{UserID: uid, Nav: "campaigns", Flash: r.URL.Query().Get("flash")}
	if s.o.Broadcaster != nil {
		st, err := s.o.Broadcaster.Status(ctx)
		if err != nil {
			sp.Error = err.Error()
		}
		sp.Status = st
	}
	sp.Occurrences, _ = s.o.Store.RecentOccurrences(ctx, 30)
	s.staff(w, r, "staff_campaigns.html", "普法活动", sp)
}

// reportPeriod reads from/to (inclusive dates) with this year as default.
func (s *Server) reportPeriod(r *http.Request) (from, to time.Time, fromS, toS string, err error) {
	now := s.o.Now().In(s.o.Location)
	fromS, toS = r.URL.Query().Get("from"), r.URL.Query().Get("to")
	if fromS == "" {
		fromS = fmt.Sprintf("%d-01-01", now.Year())
	}
	if toS == "" {
		toS = now.Format("2006-01-02")
	}
	from, err = time.ParseInLocation("2006-01-02", fromS, s.o.Location)
	if err != nil {
		return from, to, fromS, toS, errors.New("开始日期请写成 2026-01-01 这样")
	}
	to, err = time.ParseInLocation("2006-01-02", toS, s.o.Location)
	if err != nil {
		return from, to, fromS, toS, errors.New("结束日期请写成 2026-12-31 这样")
	}
	to = to.AddDate(0, 0, 1)
	if !to.After(from) {
		return from, to, fromS, toS, errors.New("结束日期要在开始日期之后")
	}
	if to.Sub(from) > 10*366*24*time.Hour {
		return from, to, fromS, toS, errors.New("时间段太长了（最多十年）")
	}
	return from, to, fromS, toS, nil
}

func (s *Server) staffReport(w http.ResponseWriter, r *http.Request, uid int64) {
	sp := staffPage{UserID: uid, Nav: "report"}
	from, to, fs, ts, err := s.reportPeriod(r)
	sp.From, sp.To = fs, ts
	if err == nil {
		var rep *report.Report
		rep, err = report.Build(r.Context(), s.o.Store, from, to, s.o.Location)
		if err == nil {
			var buf bytes.Buffer
			err = rep.WriteText(&buf)
			sp.ReportText = buf.String()
			sp.Summary = rep.Summary()
			sp.ReportQS = "from=" + urlq(fs) + "&to=" + urlq(ts)
		}
	}
	if err != nil {
		sp.Error = err.Error()
	}
	s.staff(w, r, "staff_report.html", "咨询统计", sp)
}

func (s *Server) staffReportDownload(w http.ResponseWriter, r *http.Request, uid int64) {
	from, to, fs, ts, err := s.reportPeriod(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	rep, err := report.Build(r.Context(), s.o.Store, from, to, s.o.Location)
	if err != nil {
		s.log.Error("report failed", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "统计出错了，请稍后再试。")
		return
	}
	var buf bytes.Buffer
	format := r.URL.Query().Get("format")
	name := "pufabot-report-" + fs + "-" + ts
	inline := r.URL.Query().Get("inline") == "1"
	switch format {
	case "csv":
		err = rep.WriteCSV(&buf)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		name += ".csv"
	case "xlsx":
		err = rep.WriteXLSX(&buf)
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		name += ".xlsx"
	case "png":
		err = rep.WritePNG(&buf)
		w.Header().Set("Content-Type", "image/png")
		name += ".png"
	default:
		writeError(w, http.StatusBadRequest, "格式只能是 csv、xlsx 或 png")
		return
	}
	if err != nil {
		s.log.Error("report failed", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "统计出错了，请稍后再试。")
		return
	}
	if !inline {
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) staffLaws(w http.ResponseWriter, r *http.Request, uid int64) {
	sp := staffPage{UserID: uid, Nav: "laws", Stats: s.o.Knowledge.Stats(), Laws: s.o.Knowledge.Laws()}
	s.staff(w, r, "staff_laws.html", "法律库", sp)
}

func (s *Server) staffFAQ(w http.ResponseWriter, r *http.Request, uid int64) {
	sp := staffPage{UserID: uid, Nav: "faq", FAQ: s.o.Knowledge.FAQ()}
	s.staff(w, r, "staff_faq.html", "常见问题", sp)
}

func urlq(s string) string { return url.QueryEscape(s) }

func utf8Len(s string) int { return utf8.RuneCountInString(s) }

// htmlEscape turns a plain-text broadcast into Telegram HTML.
func htmlEscape(s string) string { return html.EscapeString(s) }
