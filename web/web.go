// Package web is pufabot's second front: a chat page where residents ask
// questions in a phone's browser (or WeChat's in-app browser), a JSON API
// behind it, and a console where staff answer hand-overs, broadcast, and
// read reports. It renders what the knowledge engine answers and records
// what the store counts, exactly as the Telegram front does; tickets are
// announced to and answered through the same bot code.
//
// Everything the pages need is embedded: no CDN, font or external script.
// Pages are rendered on the server and work without JavaScript; a little
// plain JavaScript turns the resident page into a chat.
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/knowledge/faq"
	"github.com/pufabot/pufabot/store"
)

//go:embed assets
var assets embed.FS

// Knowledge is what the web front needs of the knowledge base
// (*knowledge.Engine implements it).
type Knowledge interface {
	Answer(ctx context.Context, question string) (*knowledge.Answer, error)
	Search(ctx context.Context, query string, k, offset int) ([]knowledge.Hit, error)
	Article(id string) (knowledge.Hit, bool)
	Topics() []faq.Topic
	Topic(id string) (faq.Topic, bool)
	FAQ() []faq.Entry
	LookupArticle(law string, number int, suffix string) (knowledge.Hit, bool)
	Stats() knowledge.Stats
	// Laws lists the laws loaded and their currency.
	Laws() []knowledge.LawInfo
}

// Desk hands tickets to staff and carries their replies back (*bot.Bot
// implements it): the console and the staff chat share one code path.
type Desk interface {
	AnnounceTicket(ctx context.Context, t store.Ticket) error
	ReplyToTicket(ctx context.Context, ticketID, staffUserID int64, text string) error
	CloseTicket(ctx context.Context, ticketID, staffUserID int64) (closed bool, err error)
}

// Broadcaster starts staff broadcasts and describes campaigns
// (*schedules.Scheduler implements it).
type Broadcaster interface {
	Broadcast(ctx context.Context, staffUserID int64, html string) (occurrenceID int64, err error)
	Status(ctx context.Context) (string, error)
}

// Options configures a Server. Store and Knowledge are required.
type Options struct {
	Store     *store.DB
	Knowledge Knowledge
	// Desk, Broadcaster: see their types. A nil Desk refuses hand-overs
	// and console replies with a clear message; a nil Broadcaster hides
	// the broadcast composer.
	Desk        func() Desk
	Broadcaster Broadcaster
	// Admins are the Telegram user ids allowed into the console.
	Admins []int64
	// BaseURL is the public address of the pages (https://… behind a
	// proxy); console links are built on it, and cookies are Secure when
	// it is https.
	BaseURL string
	// Office names the justice office on the pages.
	Office string
	// Location is the time zone of dates shown and of report periods.
	Location *time.Location
	// BroadcastAudience is who a broadcast reaches (store.AudienceAll when
	// empty), to show its size before staff confirm.
	BroadcastAudience string
	// TrustProxy takes the client address from X-Forwarded-For (set by a
	// reverse proxy) for rate limits; never stored.
	TrustProxy bool
	// Limits of questions (and hand-overs) per session and per address;
	// zero values take the defaults.
	SessionLimit, AddressLimit Limit
	// RetainDays is how long question text is kept, for the privacy note.
	RetainDays int
	Logger     *slog.Logger
	Now        func() time.Time
}

// Limit is a token bucket: Burst requests at once, then one every Every.
type Limit struct {
	Burst int
	Every time.Duration
}

// Defaults: a resident may ask 10 questions in a burst, then one every 3 s;
// one address (a household, or a village's shared connection) 60, then 5/s.
var (
	DefaultSessionLimit = Limit{Burst: 10, Every: 3 * time.Second}
	DefaultAddressLimit = Limit{Burst: 60, Every: 200 * time.Millisecond}
)

// Limits of what a request may carry.
const (
	// MaxQuestionRunes is the longest question accepted.
	MaxQuestionRunes = 2000
	// maxBody bounds every request body.
	maxBody = 16 << 10
	// sessionCookie and staffCookie name the cookies.
	sessionCookie = "pufabot_session"
	staffCookie   = "pufabot_staff"
	// sessionMaxAge keeps a resident's page (and its tickets) for a month.
	sessionMaxAge = 30 * 24 * time.Hour
	// StaffSessionTTL is how long a console login lasts.
	StaffSessionTTL = 12 * time.Hour
)

// Server serves the resident page, the API and the staff console.
type Server struct {
	o       Options
	log     *slog.Logger
	tpl     *template.Template
	mux     *http.ServeMux
	handler http.Handler
	admins  map[int64]bool
	secure  bool

	sessLimit, addrLimit *limiter
}

// New builds a Server.
func New(o Options) (*Server, error) {
	if o.Store == nil || o.Knowledge == nil {
		return nil, errors.New("web: Store and Knowledge are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Office == "" {
		o.Office = "司法所"
	}
	if o.Desk == nil {
		o.Desk = func() Desk { return nil }
	}
	if o.BroadcastAudience == "" {
		o.BroadcastAudience = store.AudienceAll
	}
	if o.SessionLimit.Burst == 0 {
		o.SessionLimit = DefaultSessionLimit
	}
	if o.AddressLimit.Burst == 0 {
		o.AddressLimit = DefaultAddressLimit
	}
	s := &Server{o: o, log: o.Logger, admins: map[int64]bool{}}
	for _, id := range o.Admins {
		s.admins[id] = true
	}
	if o.BaseURL != "" {
		u, err := url.Parse(o.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errors.New("web: url must be an absolute http(s) address")
		}
		s.secure = u.Scheme == "https"
	}
	s.sessLimit = newLimiter(o.SessionLimit, o.Now)
	s.addrLimit = newLimiter(o.AddressLimit, o.Now)
	tpl, err := template.New("").Funcs(s.funcs()).ParseFS(assets, "assets/*.html")
	if err != nil {
		return nil, err
	}
	s.tpl = tpl
	s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(assets, "assets/static")
	m.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))

	// Residents.
	m.HandleFunc("GET /{$}", s.pageHome)
	m.HandleFunc("POST /ask", s.pageAsk)
	m.HandleFunc("GET /articles/{id}", s.pageArticle)
	m.HandleFunc("GET /more", s.pageMore)
	m.HandleFunc("POST /feedback", s.pageFeedback)
	m.HandleFunc("GET /human", s.pageHuman)
	m.HandleFunc("POST /human", s.pageHandOver)
	m.HandleFunc("GET /tickets/{id}", s.pageTicket)
	m.HandleFunc("GET /topics", s.pageTopics)
	m.HandleFunc("GET /topics/{id}", s.pageTopic)
	m.HandleFunc("GET /privacy", s.pagePrivacy)

	// The API behind the page (documented in openapi.yaml).
	m.HandleFunc("POST /api/v1/ask", s.apiAsk)
	m.HandleFunc("GET /api/v1/search", s.apiSearch)
	m.HandleFunc("GET /api/v1/articles/{id}", s.apiArticle)
	m.HandleFunc("POST /api/v1/feedback", s.apiFeedback)
	m.HandleFunc("POST /api/v1/handover", s.apiHandOver)
	m.HandleFunc("GET /api/v1/tickets/{id}", s.apiTicket)
	m.HandleFunc("GET /api/v1/openapi.yaml", s.apiSpec)
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "没有这个接口")
	})

	// Staff console.
	m.HandleFunc("GET /staff/login", s.staffLoginPage)
	m.HandleFunc("POST /staff/login", s.staffLogin)
	m.Handle("POST /staff/logout", s.staffOnly(s.staffLogout))
	m.Handle("GET /staff/{$}", s.staffOnly(s.staffHome))
	m.Handle("GET /staff/tickets/{id}", s.staffOnly(s.staffTicket))
	m.Handle("POST /staff/tickets/{id}/reply", s.staffOnly(s.staffReply))
	m.Handle("POST /staff/tickets/{id}/close", s.staffOnly(s.staffClose))
	m.Handle("GET /staff/broadcast", s.staffOnly(s.staffBroadcast))
	m.Handle("POST /staff/broadcast", s.staffOnly(s.staffBroadcastPost))
	m.Handle("GET /staff/campaigns", s.staffOnly(s.staffCampaigns))
	m.Handle("GET /staff/report", s.staffOnly(s.staffReport))
	m.Handle("GET /staff/report/download", s.staffOnly(s.staffReportDownload))
	m.Handle("GET /staff/laws", s.staffOnly(s.staffLaws))
	m.Handle("GET /staff/faq", s.staffOnly(s.staffFAQ))
	m.HandleFunc("/staff/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/staff/", http.StatusSeeOther)
	})
	s.mux = m

	// Every state-changing request must come from our own pages: the
	// browser's Sec-Fetch-Site / Origin say so (Go's cross-origin
	// protection), for the form posts without JavaScript as well.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "请求来源不对：请从本站页面提交。")
	}))
	s.handler = s.secureHeaders(cop.Handler(limitBody(recoverPanics(s.log, m))))
}

// secureHeaders sets the headers every response carries: a strict content
// security policy (no inline script, no other origin), no sniffing, no
// framing, and no referrer (console links carry a token).
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		next.ServeHTTP(w, r)
	})
}

func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("web handler panicked", slog.String("path", r.URL.Path), slog.Any("panic", v))
				writeError(w, http.StatusInternalServerError, "系统出了点问题，请稍后再试。")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// clientAddress is the address rate limits count by; it is never stored.
func (s *Server) clientAddress(r *http.Request) string {
	if s.o.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
		if ip := r.Header.Get("X-Real-IP"); ip != "" {
			return ip
		}
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return host
}

// wantsJSON tells API callers (and the page's script) from form posts.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json")
}
