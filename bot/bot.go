// Package bot is pufabot's Telegram front: residents ask legal questions in
// private chats or village groups and get answer cards from the knowledge
// base; they browse topic pages (专题), subscribe to reminders, read what is
// stored about them and delete it, and reach a person through hand-over
// tickets that staff answer from the staff chat. Staff also get statistics,
// broadcasts and group registration.
//
// Updates arrive by long polling (the default) or a webhook. Either way each
// update is stored in the database before it is acknowledged, handled once
// (update ids are de-duplicated across restarts), in order within its chat,
// with panics recovered; an update that was not handled when the process
// stopped is handled after the next start. Every outgoing message goes
// through a Sender (the outbox queue), which keeps the bot within Telegram's
// rate limits.
//
// TLS for webhooks is left to a reverse proxy (nginx, Caddy): Telegram posts
// to telegram.webhook.url over HTTPS, the proxy forwards to the plain HTTP
// handler (WebhookHandler, or Options.Webhook.Listen), which checks the
// X-Telegram-Bot-Api-Secret-Token header.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/pufabot/pufabot/bot/outbox"
	"github.com/pufabot/pufabot/internal/metrics"
	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/knowledge/faq"
	"github.com/pufabot/pufabot/store"
)

// Knowledge is what the bot needs from the knowledge base
// (*knowledge.Engine implements it).
type Knowledge interface {
	Answer(ctx context.Context, question string) (*knowledge.Answer, error)
	Search(ctx context.Context, query string, k, offset int) ([]knowledge.Hit, error)
	Article(id string) (knowledge.Hit, bool)
	LookupArticle(law string, number int, suffix string) (knowledge.Hit, bool)
	Topics() []faq.Topic
	Topic(id string) (faq.Topic, bool)
	// FAQEntry answers a curated question by its id (a suggestion the
	// resident picked).
	FAQEntry(id string) (*knowledge.Answer, bool)
}

// Sender sends one Telegram request for a chat, within rate limits
// (*outbox.Queue implements it). Errors wrap outbox.ErrBlocked after a 403.
type Sender interface {
	Do(ctx context.Context, chatID int64, p outbox.Priority, send func(ctx context.Context) error) error
}

// Broadcaster starts staff broadcasts as durable campaign occurrences.
type Broadcaster interface {
	// Broadcast queues html (Telegram HTML) for delivery to subscribers
	// and returns the occurrence id.
	Broadcast(ctx context.Context, staffUserID int64, html string) (occurrenceID int64, err error)
	// Status describes recent and running campaigns in plain text.
	Status(ctx context.Context) (string, error)
}

// Period is a span of time for statistics, [From, To).
type Period struct {
	From, To time.Time
	// Label names the period for people, such as 2025年3月.
	Label string
}

// StatsFunc renders a chart of the period's consultations: a PNG and a
// plain-text caption.
type StatsFunc func(ctx context.Context, p Period) (caption string, png []byte, err error)

// LinkButton is a button under a campaign message that opens a link.
type LinkButton struct {
	Text string
	URL  string
}

// Webhook switches the bot from long polling to a webhook.
type Webhook struct {
	// URL is the public HTTPS address registered with Telegram; empty
	// means long polling.
	URL string
	// SecretToken is sent by Telegram in X-Telegram-Bot-Api-Secret-Token
	// and checked on every request. Required with URL.
	SecretToken string
	// Listen, if set, makes Run serve WebhookHandler itself on this
	// address (at URL's path); leave it empty when the caller mounts
	// WebhookHandler on its own server.
	Listen string
}

// Options configures a Bot. Store, Knowledge and Token are required.
type Options struct {
	Token string
	// ServerURL is the Bot API base URL; empty means Telegram's.
	ServerURL string
	// HTTPClient makes the Bot API requests; nil means a client with
	// sensible timeouts.
	HTTPClient *http.Client

	Store     *store.DB
	Knowledge Knowledge
	// Sender is the outgoing queue; nil sends directly, with no rate
	// limiting beyond waiting out a 429 (fine for tests and tiny
	// installations).
	Sender Sender

	// Admins are the Telegram user ids allowed staff commands.
	Admins []int64
	// StaffChat receives hand-over tickets; 0 disables hand-over.
	StaffChat int64
	// Offices are a county's township offices, each with its staff chat
	// and staff; empty means one implicit office made of Office,
	// StaffChat and Admins. With offices, Admins are county staff.
	Offices []Office
	// CountyAdmins see and broadcast to every office.
	CountyAdmins []int64
	Webhook      Webhook

	// QuestionsPerMinute is the per-resident flood limit (default 20).
	QuestionsPerMinute int
	// TicketReminder re-announces tickets unanswered this long (default 4h).
	TicketReminder time.Duration
	// ResponseTime is what residents are told to expect after a hand-over
	// (default 工作日24小时内).
	ResponseTime string
	// RetainDays is how long question text is kept, as /privacy says
	// (default 180; the retention job itself runs elsewhere).
	RetainDays int
	// Office names the justice office in messages (default 司法所).
	Office string
	// Location is the time zone of /stats periods (default Asia/Shanghai).
	Location *time.Location

	// Stats, if set, draws the /stats chart; otherwise /stats answers with
	// text figures only.
	Stats StatsFunc
	// OfficeStats, if set, draws the /stats chart of one office for its
	// staff; otherwise they get text figures.
	OfficeStats func(ctx context.Context, office string, p Period) (caption string, png []byte, err error)
	// Broadcaster, if set, enables /broadcast and /campaigns.
	Broadcaster Broadcaster
	// ConsoleLink, if set, enables /console: a one-time link to the web
	// staff console.
	ConsoleLink ConsoleLinkFunc

	Metrics *metrics.Registry
	Logger  *slog.Logger
	// Now returns the current time; tests replace it.
	Now func() time.Time

	// Workers bounds how many updates are handled at once (default 32);
	// updates of one chat are always handled one at a time, in order.
	Workers int
	// PollTimeout is the long-polling timeout (default 50s).
	PollTimeout time.Duration
	// DrainTimeout is how long Run waits, when stopping, for handlers in
	// progress (default 10s). Updates not started are handled after the
	// next start.
	DrainTimeout time.Duration
	// ReminderInterval is how often tickets are checked for reminders
	// (default 1m).
	ReminderInterval time.Duration
}

// Defaults for zero Options fields.
const (
	DefaultQuestionsPerMinute = 20
	DefaultTicketReminder     = 4 * time.Hour
	DefaultResponseTime       = "工作日24小时内"
	DefaultRetainDays         = 180
	DefaultOffice             = "司法所"
	DefaultWorkers            = 32
	DefaultPollTimeout        = 50 * time.Second
	DefaultDrainTimeout       = 10 * time.Second
	DefaultReminderInterval   = time.Minute

	// handlerTimeout bounds one update's handling, including waits in
	// the outgoing queue.
	handlerTimeout = 2 * time.Minute
	// updateRetention is how long handled update ids are remembered for
	// de-duplication (Telegram keeps undelivered updates for 24 hours).
	updateRetention = 7 * 24 * time.Hour
	// maxAttempts is how many starts an update may survive unhandled
	// before it is given up as poison.
	maxAttempts = 3
)

// Bot is the Telegram front. Create it with New, start it with Run, stop it
// by cancelling Run's context or with Close.
type Bot struct {
	o      Options
	log    *slog.Logger
	api    *tgbot.Bot
	db     *store.DB
	kb     Knowledge
	out    Sender
	now    func() time.Time
	admins map[int64]bool
	// offices routes residents, tickets and staff to their office.
	offices *offices
	cb      callbackCodec
	flood   *limiter
	conv    *conversations
	m       instruments

	apiURL     string
	pollClient *http.Client
	// redact masks the token and the webhook secret in errors Run returns.
	redact *redactor

	// Set by Run before any update is handled.
	botID    int64
	username string

	// writeMu serialises the bot's frequent database writes (one or more
	// per update). SQLite allows one writer at a time; writers that meet
	// in SQLite wait in its busy handler, which sleeps in steps of 1 to
	// 100 ms, while a Go mutex hands over at once.
	writeMu sync.Mutex

	ready      atomic.Bool
	dispatch   atomic.Pointer[dispatcher]
	knownChats sync.Map // chat id → kind+title last stored

	mu      sync.Mutex
	running bool
	closed  bool
	cancel  context.CancelFunc
	done    chan struct{}

	// beforeHandle, when set by tests, runs before each update is handled.
	beforeHandle atomic.Pointer[func(u *updateItem)]
}

// New checks the options and returns a Bot. It makes no network request.
func New(o Options) (*Bot, error) {
	o.Token = strings.TrimSpace(o.Token)
	if o.Token == "" {
		return nil, errors.New("bot: no token (set telegram.token or PUFABOT_TELEGRAM_TOKEN)")
	}
	if !validToken(o.Token) {
		return nil, errBadToken
	}
	if o.Store == nil {
		return nil, errors.New("bot: no store")
	}
	if o.Knowledge == nil {
		return nil, errors.New("bot: no knowledge base")
	}
	if o.Webhook.URL != "" && o.Webhook.SecretToken == "" {
		return nil, errors.New("bot: a webhook needs a secret token")
	}
	if o.QuestionsPerMinute <= 0 {
		o.QuestionsPerMinute = DefaultQuestionsPerMinute
	}
	if o.TicketReminder <= 0 {
		o.TicketReminder = DefaultTicketReminder
	}
	if o.ResponseTime == "" {
		o.ResponseTime = DefaultResponseTime
	}
	if o.RetainDays <= 0 {
		o.RetainDays = DefaultRetainDays
	}
	if o.Office == "" {
		o.Office = DefaultOffice
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			loc = time.FixedZone("CST", 8*3600)
		}
		o.Location = loc
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	redact := newRedactor(o.Token, o.Webhook.SecretToken)
	o.Logger = slog.New(RedactSecrets(o.Logger.Handler(), o.Token, o.Webhook.SecretToken))
	ids := &IDRedactor{}
	ids.Use(func(id int64) string { p, _ := o.Store.Pseudonym(context.Background(), id); return p })
	o.Logger = slog.New(ids.Handler(o.Logger.Handler()))
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = DefaultPollTimeout
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = DefaultDrainTimeout
	}
	if o.ReminderInterval <= 0 {
		o.ReminderInterval = DefaultReminderInterval
	}
	apiURL := strings.TrimRight(o.ServerURL, "/")
	if apiURL == "" {
		apiURL = "https://api.telegram.org"
	}
	// A URL that does not parse would make every request fail with an
	// error quoting the full URL, token included.
	if u, err := url.Parse(apiURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("bot: server URL %q is not an http:// or https:// URL", o.ServerURL)
	}
	client := o.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	pollClient := &http.Client{Transport: client.Transport, Timeout: o.PollTimeout + 15*time.Second}

	log := o.Logger.With(slog.String("component", "bot"))
	api, err := tgbot.New(o.Token,
		tgbot.WithServerURL(apiURL),
		tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(o.PollTimeout, outbox.HTTPClient(client)),
		tgbot.WithErrorsHandler(func(err error) { log.Debug("telegram client", slog.Any("error", err)) }),
		tgbot.WithDebugHandler(func(string, ...any) {}),
	)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	cb, err := loadCallbackCodec(context.Background(), o.Store)
	if err != nil {
		return nil, err
	}
	b := &Bot{
		o:          o,
		log:        log,
		api:        api,
		db:         o.Store,
		kb:         o.Knowledge,
		out:        o.Sender,
		now:        o.Now,
		admins:     map[int64]bool{},
		cb:         cb,
		flood:      newLimiter(o.QuestionsPerMinute),
		conv:       newConversations(),
		m:          newInstruments(o.Metrics),
		apiURL:     apiURL,
		pollClient: pollClient,
		redact:     redact,
	}
	if b.out == nil {
		b.out = directSender{}
	}
	b.offices = newOffices(o)
	for _, id := range b.offices.admins() {
		b.admins[id] = true
	}
	o.Metrics.GaugeFunc("pufabot_bot_ready", "1 once the bot is connected to Telegram and handling updates.", func() float64 {
		if b.ready.Load() {
			return 1
		}
		return 0
	})
	return b, nil
}

// Ready reports whether the bot is connected and handling updates.
func (b *Bot) Ready() bool { return b.ready.Load() }

// Run connects to Telegram (retrying until it answers), registers the
// commands, and handles updates until ctx is cancelled or Close is called;
// then it lets handlers in progress finish (up to DrainTimeout) and
// returns nil. It returns an error only when it cannot work at all, such as
// a token Telegram rejects.
func (b *Bot) Run(ctx context.Context) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return errors.New("bot: closed")
	}
	if b.running {
		b.mu.Unlock()
		return errors.New("bot: Run called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	b.running = true
	b.cancel = cancel
	b.done = make(chan struct{})
	done := b.done
	b.mu.Unlock()
	defer func() {
		cancel()
		close(done)
	}()

	if err := b.connect(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return b.redact.err(err)
	}

	// Handlers get a context that outlives ctx by the drain timeout, so
	// an answer being sent when the stop comes is still sent.
	hctx, hcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hcancel()
	d := newDispatcher(hctx, b.o.Workers, b.process)
	b.dispatch.Store(d)
	defer b.dispatch.Store(nil)
	// After publishing the dispatcher: updates the webhook stores from
	// now on are enqueued by the webhook, earlier ones by resume.
	if err := b.resume(ctx, d); err != nil {
		b.log.Error("resuming unhandled updates", slog.Any("error", err))
	}

	var wg sync.WaitGroup
	fatal := make(chan error, 1)
	loop := func(name string, fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				b.log.Error("bot loop stopped", slog.String("loop", name), slog.Any("error", err))
				select {
				case fatal <- err:
				default:
				}
				cancel()
			}
		}()
	}
	if b.o.Webhook.URL != "" {
		if b.o.Webhook.Listen != "" {
			loop("webhook", b.serveWebhook)
		}
	} else {
		loop("poll", b.poll)
	}
	loop("reminders", b.reminderLoop)
	loop("housekeeping", b.housekeepingLoop)

	b.ready.Store(true)
	b.log.Info("bot running", slog.String("username", b.username), slog.Bool("webhook", b.o.Webhook.URL != ""),
		slog.Int("admins", len(b.admins)), slog.Bool("hand_over", b.offices.handOver()), slog.Int("offices", len(b.o.Offices)))
	<-ctx.Done()
	b.ready.Store(false)
	wg.Wait()
	b.log.Info("bot stopping: finishing updates in progress", slog.Duration("drain_timeout", b.o.DrainTimeout))
	d.stop(b.o.DrainTimeout, hcancel)
	select {
	case err := <-fatal:
		return b.redact.err(err)
	default:
		return nil
	}
}

// Close stops Run (if running) and waits for it to return. It is safe to
// call more than once; the Bot cannot be run again.
func (b *Bot) Close() error {
	b.mu.Lock()
	b.closed = true
	cancel, done := b.cancel, b.done
	b.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return nil
}

// write runs one of the bot's frequent database writes, one at a time.
func (b *Bot) write(fn func() error) error {
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	return fn()
}

// isAdmin reports whether userID may use staff commands.
func (b *Bot) isAdmin(userID int64) bool { return b.admins[userID] }
