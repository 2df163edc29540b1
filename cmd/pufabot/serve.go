package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pufabot/pufabot/bot"
	"github.com/pufabot/pufabot/bot/outbox"
	"github.com/pufabot/pufabot/config"
	"github.com/pufabot/pufabot/internal/metrics"
	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/store"
	"github.com/pufabot/pufabot/web"
)

func init() {
	register(command{name: "serve", summary: "run the Telegram bot, campaigns, /healthz and /metrics until stopped", run: runServe})
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlags(e, "serve", "[--config FILE]")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	s := newServer(cfg, newLogger(e, cfg))
	s.progress = e.stderr
	defer s.Close()
	return s.Run(ctx)
}

// Defaults of the server's shutdown.
const (
	// outboxDrainTimeout bounds how long queued Telegram requests may
	// still go out after the bot has stopped.
	outboxDrainTimeout = 10 * time.Second
	// httpShutdownTimeout bounds how long /healthz and /metrics requests
	// in progress may take to finish.
	httpShutdownTimeout = 5 * time.Second
	// dbFileName is the database under data_dir.
	dbFileName = "pufabot.db"
)

// server is "pufabot serve": the store, the knowledge engine, the outgoing
// queue, the bot, the campaign scheduler and the HTTP endpoints, started
// in that order and stopped in reverse. Tests build one with newServer,
// adjust its fields, and call Run.
type server struct {
	cfg config.Config
	log *slog.Logger
	// ids turns residents' ids in log lines into pseudonyms.
	ids *bot.IDRedactor
	// progress receives index build progress; nil is silent.
	progress io.Writer
	// httpClient makes Bot API requests; nil means a client tuned for the
	// outgoing queue's concurrency.
	httpClient *http.Client
	// now is the clock handed to the parts that take one.
	now func() time.Time
	// buildIndex builds the index when it is missing, out of date or
	// damaged; nil means knowledge.Open.
	buildIndex func(ctx context.Context, o knowledge.Options) (*knowledge.Engine, error)
	// drainTimeout bounds the outbox drain on shutdown.
	drainTimeout time.Duration
	metrics      *metrics.Registry

	listening chan struct{} // closed once the HTTP listener is bound
	addr      string        // set before listening is closed

	// Set while running; read by /healthz.
	mu      sync.Mutex
	db      *store.DB
	engine  *knowledge.Live
	bot     *bot.Bot
	web     *web.Server
	webAddr string // web.listen's bound address, when set
	running bool
	closed  bool
	cancel  context.CancelFunc
	done    chan struct{}

	// degraded says why serve answers from the FAQ only ("" when not);
	// guarded by mu.
	degraded string
}

func newServer(cfg config.Config, log *slog.Logger) *server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Everything the server runs logs through this logger: mask the
	// secrets once, here, whatever library error quotes them.
	log = slog.New(bot.RedactSecrets(log.Handler(), cfg.Telegram.Token, cfg.Telegram.Webhook.SecretToken))
	// ...and residents' Telegram ids become pseudonyms once the key is
	// loaded (the outgoing queue and the scheduler log chat ids too).
	ids := &bot.IDRedactor{}
	log = slog.New(ids.Handler(log.Handler()))
	return &server{
		cfg:          cfg,
		log:          log,
		ids:          ids,
		now:          time.Now,
		drainTimeout: outboxDrainTimeout,
		metrics:      metrics.NewRegistry(),
		listening:    make(chan struct{}),
	}
}

// Listening is closed once the HTTP endpoints accept connections (at once
// when http.listen is empty); Addr then returns their address.
func (s *server) Listening() <-chan struct{} { return s.listening }

// Addr returns the address /healthz and /metrics listen on, "" before
// Listening is closed or when they are disabled.
func (s *server) Addr() string {
	select {
	case <-s.listening:
		return s.addr
	default:
		return ""
	}
}

// Run starts everything, serves until ctx is cancelled (SIGINT, SIGTERM)
// or Close is called, then stops the bot, lets queued messages go out for
// a bounded time, and returns nil. It returns an error when something
// cannot start, or when the bot stops on its own (a rejected token).
func (s *server) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("serve: closed")
	}
	if s.running {
		s.mu.Unlock()
		return errors.New("serve: Run called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.running, s.cancel, s.done = true, cancel, make(chan struct{})
	done := s.done
	s.mu.Unlock()
	defer close(done)

	cfg := s.cfg
	if cfg.Telegram.Token == "" {
		return fmt.Errorf("serve: telegram.token is not set (put it in the config file or in %s)", config.EnvToken)
	}
	loc, err := cfg.Location()
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	s.log.Info("starting", slog.String("data_dir", cfg.DataDir), slog.String("http_listen", cfg.HTTP.Listen),
		slog.Bool("webhook", cfg.Telegram.Webhook.URL != ""), slog.Int("corpus_dirs", len(cfg.Knowledge.Laws)))

	// Cleanups run in reverse order of start, whatever way Run leaves.
	var cleanups []func()
	defer func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}()

	// HTTP first, so /healthz answers 503 while the index is built.
	if err := s.startHTTP(&cleanups); err != nil {
		return err
	}
	if err := s.startWebListener(&cleanups); err != nil {
		return err
	}

	warnOpenPermissions(s.log, cfg)
	db, err := openStore(cfg)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	db.Now = s.now
	s.ids.Use(func(id int64) string { p, _ := db.Pseudonym(ctx, id); return p })
	s.setDB(db)
	cleanups = append(cleanups, func() {
		s.setDB(nil)
		closeLogged(s.log, "store", db.Close)
	})

	engine, err := s.openKnowledge(ctx, &cleanups)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while the index was being opened
		}
		return fmt.Errorf("serve: %w", err)
	}
	s.setEngine(engine)
	cleanups = append(cleanups, func() { s.setEngine(nil) })

	// The queue runs on its own context: it keeps sending while the bot
	// and the scheduler wind down, and stops after the drain.
	queue := outbox.New(outbox.Options{
		PerSecond: cfg.Telegram.RatePerSecond,
		Now:       s.now,
		Metrics:   s.metrics,
		Logger:    s.log,
	})
	queueCtx, stopQueue := context.WithCancel(context.WithoutCancel(ctx))
	queueDone := make(chan struct{})
	go func() {
		defer close(queueDone)
		if err := queue.Run(queueCtx); err != nil {
			s.log.Error("outbox stopped", slog.Any("error", err))
		}
	}()
	cleanups = append(cleanups, func() {
		s.drain(queue)
		stopQueue()
		<-queueDone
	})

	// The campaign scheduler exists before the bot, which takes it as its
	// Broadcaster (/broadcast, /campaigns); it sends through the bot, at
	// outbox.Broadcast priority, once attached below.
	sched, err := newServeScheduler(cfg, loc, db, s.now, s.log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	var pages *web.Server
	if cfg.Web.On() {
		if pages, err = s.newWeb(db, engine, sched); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}
	b, err := bot.New(bot.Options{
		Token:              cfg.Telegram.Token,
		ServerURL:          cfg.Telegram.ServerURL,
		HTTPClient:         s.client(),
		Store:              db,
		Knowledge:          engine,
		Sender:             queue,
		Admins:             cfg.Telegram.Admins,
		StaffChat:          cfg.Telegram.StaffChat,
		Offices:            botOffices(cfg),
		CountyAdmins:       cfg.CountyAdmins,
		Webhook:            bot.Webhook{URL: cfg.Telegram.Webhook.URL, SecretToken: cfg.Telegram.Webhook.SecretToken, Listen: cfg.Telegram.Webhook.Listen},
		QuestionsPerMinute: cfg.Telegram.QuestionsPerMinute,
		TicketReminder:     cfg.Telegram.TicketReminder,
		ResponseTime:       cfg.Telegram.ResponseTime,
		RetainDays:         cfg.Privacy.RetainDays,
		Office:             cfg.Office,
		Location:           loc,
		Stats:              statsFunc(db, engine, loc),
		OfficeStats:        officeStatsFunc(cfg, db, engine, loc),
		Broadcaster:        sched,
		ConsoleLink:        s.consoleLink(pages),
		Metrics:            s.metrics,
		Logger:             s.log,
		Now:                s.now,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	cleanups = append(cleanups, startRetention(ctx, db, cfg.Privacy.RetainDays, loc, s.now, s.log))

	// The scheduler stops (and is waited for) after the bot and before
	// the outbox drains.
	sched.attach(b)
	cleanups = append(cleanups, sched.start(ctx))

	botErr := make(chan error, 1)
	go func() { botErr <- b.Run(ctx) }()
	s.setBot(b)
	if pages != nil {
		s.setWeb(pages)
		cleanups = append(cleanups, func() { s.setWeb(nil) })
	}
	botStopped := false
	cleanups = append(cleanups, func() {
		if !botStopped {
			cancel()
			if err := <-botErr; err != nil {
				s.log.Error("bot stopped", slog.Any("error", err))
			}
		}
		s.setBot(nil)
	})

	select {
	case <-ctx.Done():
		s.log.Info("stopping")
		return nil
	case err := <-botErr:
		botStopped = true
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	}
}

// Close stops Run, if running, and waits for it to return. It is safe to
// call more than once.
func (s *server) Close() error {
	s.mu.Lock()
	s.closed = true
	cancel, done := s.cancel, s.done
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return nil
}

// drain lets queued Telegram requests go out, for at most drainTimeout.
func (s *server) drain(q *outbox.Queue) {
	if n := q.Len(); n > 0 {
		s.log.Info("sending queued messages before exit", slog.Int("queued", n), slog.Duration("timeout", s.drainTimeout))
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.drainTimeout)
	defer cancel()
	if err := q.Drain(ctx); err != nil {
		s.log.Warn("queued messages dropped at exit", slog.Any("error", err))
	}
}

// client returns the Bot API client: one idle connection per request the
// outgoing queue may have in flight, and the proxy from HTTPS_PROXY (the
// usual way to reach Telegram from a network that cannot).
func (s *server) client() *http.Client {
	if s.httpClient != nil {
		return s.httpClient
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 2 * outbox.DefaultConcurrency
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// startHTTP serves /healthz and /metrics on http.listen (if set).
func (s *server) startHTTP(cleanups *[]func()) error {
	addr := s.cfg.HTTP.Listen
	if addr == "" {
		close(s.listening)
		return nil
	}
	// The standard Go and process collectors: go_goroutines, go_memstats_…,
	// process_resident_memory_bytes, process_start_time_seconds, ….
	s.metrics.RegisterRuntime()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", s.metrics)
	if s.cfg.Web.On() && s.cfg.Web.Listen == "" {
		// The resident page and the console share http.listen: every
		// path the endpoints above do not take.
		mux.Handle("/", s.webHandler())
	}
	if wh := s.cfg.Telegram.Webhook; wh.URL != "" && wh.Listen == "" {
		// With no webhook.listen of its own, the webhook shares http.listen
		// (behind the same reverse proxy), at the path of webhook.url.
		u, err := url.Parse(wh.URL)
		if err != nil {
			return fmt.Errorf("serve: telegram.webhook.url: %w", err)
		}
		path := u.Path
		if path == "" {
			path = "/"
		}
		mux.Handle("POST "+path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			b := s.bot
			s.mu.Unlock()
			if b == nil {
				http.Error(w, "starting", http.StatusServiceUnavailable)
				return
			}
			b.WebhookHandler().ServeHTTP(w, r)
		}))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: http.listen: %w", err)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", slog.Any("error", err))
		}
	}()
	s.addr = ln.Addr().String()
	close(s.listening)
	s.log.Info("serving /healthz and /metrics", slog.String("addr", s.addr))
	*cleanups = append(*cleanups, func() {
		shutdown(s.log, srv)
		<-served
	})
	return nil
}

// shutdown lets requests in progress finish, for a bounded time.
func shutdown(log *slog.Logger, srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), httpShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn("http shutdown", slog.Any("error", err))
		srv.Close()
	}
}

// healthz answers 200 "ok" once the store, the knowledge engine and the
// bot are ready, and 503 with the reason before (and while stopping), and
// while residents get answers from the FAQ only because the index is
// being built or could not be built.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	h := health{Status: "ok"}
	code := http.StatusOK
	if reason := s.notReady(r.Context()); reason != "" {
		h.Status, h.Reason, code = healthStatus(reason), reason, http.StatusServiceUnavailable
	}
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(h)
}

// health is what /healthz answers: "ok", or why not (starting, degraded,
// unavailable) in words for the person looking.
type health struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

func healthStatus(reason string) string {
	switch {
	case strings.HasPrefix(reason, "starting"):
		return "starting"
	case strings.Contains(reason, "unavailable"):
		return "unavailable"
	}
	return "degraded"
}

func (s *server) notReady(ctx context.Context) string {
	s.mu.Lock()
	db, engine, b, degraded := s.db, s.engine, s.bot, s.degraded
	s.mu.Unlock()
	switch {
	case db == nil:
		return "starting: database not open"
	case engine == nil:
		return "starting: knowledge base not loaded"
	case b == nil || !b.Ready():
		return "starting: bot not connected to Telegram"
	case degraded != "":
		return degraded
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := db.SQL().PingContext(ctx); err != nil {
		return "database unavailable"
	}
	return ""
}

func (s *server) setDB(db *store.DB) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.db = db
}

func (s *server) setEngine(e *knowledge.Live) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.engine = e
}

func (s *server) setBot(b *bot.Bot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bot = b
}

func closeLogged(log *slog.Logger, what string, close func() error) {
	if err := close(); err != nil {
		log.Warn("close", slog.String("what", what), slog.Any("error", err))
	}
}
