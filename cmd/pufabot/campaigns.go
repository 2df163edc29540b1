package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/pufabot/pufabot/bot"
	"github.com/pufabot/pufabot/bot/outbox"
	"github.com/pufabot/pufabot/config"
	"github.com/pufabot/pufabot/schedules"
	"github.com/pufabot/pufabot/store"
)

func init() {
	register(command{name: "campaigns", summary: "list campaigns, run one now, show delivery progress", run: runCampaigns})
}

const campaignsUsage = `Usage: pufabot campaigns <list|run|status> [--config FILE] [flags]

  list        the configured campaigns and their next dates (in schedules.timezone)
  run ID      send a campaign now: a running server sends it; when none runs,
              this command sends it itself through Telegram and waits until done.
              Running it again after an interruption resumes the same run.
  status      progress of recent occurrences: sent, blocked, failed, pending
`

func runCampaigns(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stderr, campaignsUsage)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	switch args[0] {
	case "list":
		return campaignsList(ctx, e, args[1:])
	case "run":
		return campaignsRun(ctx, e, args[1:])
	case "status":
		return campaignsStatus(ctx, e, args[1:])
	default:
		fmt.Fprintf(e.stderr, "pufabot campaigns: unknown subcommand %q\n\n%s", args[0], campaignsUsage)
		return errUsage
	}
}

// campaignConfig loads the configuration and the validated calendar.
func campaignConfig(e *env, path string) (config.Config, *schedules.Calendar, error) {
	cfg, err := loadConfig(e, path)
	if err != nil {
		return cfg, nil, err
	}
	loc, err := schedules.LoadLocation(cfg.Schedules.Timezone)
	if err != nil {
		return cfg, nil, err
	}
	cal, err := schedules.NewCalendar(cfg.AllCampaigns(), loc)
	if err != nil {
		return cfg, nil, fmt.Errorf("schedules.campaigns: %w", err)
	}
	return cfg, cal, nil
}

func openCampaignDB(e *env, cfg config.Config) (*store.DB, error) {
	return e.openStore(cfg)
}

func campaignsList(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlags(e, "campaigns list", "[--config FILE] [--next N]")
	next := fs.Int("next", 1, "show the next `N` dates of each campaign")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *next < 1 {
		fs.Usage()
		return errUsage
	}
	_, cal, err := campaignConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	loc := cal.Location()
	now := time.Now()
	fmt.Fprintf(e.stdout, "Time zone %s, now %s\n\n", loc, now.In(loc).Format("2006-01-02 15:04 -07:00"))
	if len(cal.Plans()) == 0 {
		fmt.Fprintln(e.stdout, "No campaigns configured (schedules.campaigns).")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNEXT\tCRON\tWINDOW\tAUDIENCE\tTITLE")
	for _, p := range cal.Plans() {
		c := p.Campaign
		var dates []string
		t := now
		for i := 0; i < *next && !c.Disabled; i++ {
			if t = p.Next(t); t.IsZero() {
				break
			}
			dates = append(dates, t.In(loc).Format("2006-01-02 15:04 Mon"))
		}
		when := strings.Join(dates, ", ")
		if c.Disabled {
			when = "disabled"
		} else if when == "" {
			when = "never"
		}
		window := "-"
		if c.From != "" || c.To != "" {
			window = c.From + ".." + c.To
		}
		audience := c.AudienceOrDefault()
		if c.Office != "" {
			audience += " of " + c.Office // an office's own campaign
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, when, c.Cron, window, audience, c.DisplayTitle())
	}
	return tw.Flush()
}

func campaignsStatus(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlags(e, "campaigns status", "[--config FILE] [-n N]")
	n := fs.Int("n", 10, "show the `N` latest occurrences")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *n < 1 {
		fs.Usage()
		return errUsage
	}
	cfg, cal, err := campaignConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	db, err := openCampaignDB(e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	return printStatus(ctx, e.stdout, db, cal.Location(), *n)
}

func printStatus(ctx context.Context, w io.Writer, db *store.DB, loc *time.Location, n int) error {
	now := time.Now()
	if h, live, err := schedules.CurrentHolder(ctx, db, now, 0); err == nil && live {
		fmt.Fprintf(w, "Sending: %s (pid %d on %s), heartbeat %s ago\n\n", h.Owner, h.PID, h.Host, now.Sub(h.At).Round(time.Second))
	} else {
		fmt.Fprint(w, "Sending: no process (start `pufabot serve`, or `pufabot campaigns run ID` sends by itself)\n\n")
	}
	ops, err := db.RecentOccurrences(ctx, n)
	if err != nil {
		return err
	}
	if len(ops) == 0 {
		fmt.Fprintln(w, "No occurrences yet.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tCAMPAIGN\tKIND\tSCHEDULED\tSTATUS\tRECIPIENTS\tSENT\tBLOCKED\tFAILED\tPENDING\tTITLE")
	for _, op := range ops {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", op.ID, op.CampaignID, op.Kind,
			op.ScheduledAt.In(loc).Format("2006-01-02 15:04"), op.Status, op.Recipients, op.Sent, op.Blocked, op.Failed, op.Pending, op.Title)
	}
	return tw.Flush()
}

func campaignsRun(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlags(e, "campaigns run", "[--config FILE] ID")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	id := fs.Arg(0)
	cfg, cal, err := campaignConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	if _, ok := cal.Plan(id); !ok {
		var ids []string
		for _, p := range cal.Plans() {
			ids = append(ids, p.Campaign.ID)
		}
		return fmt.Errorf("campaigns run: no campaign %q (configured: %s)", id, strings.Join(ids, ", "))
	}
	log := cliLogger(e, cfg)
	db, err := openCampaignDB(e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	// The sender is only connected when this command has to send.
	sender := &lateSender{}
	var notify schedules.Notifier
	if cfg.Telegram.StaffChat != 0 {
		notify = func(ctx context.Context, html string) error {
			return sender.SendCampaign(ctx, cfg.Telegram.StaffChat, html, nil)
		}
	}
	sched, err := schedules.New(db, schedules.Options{
		Campaigns:   cfg.AllCampaigns(),
		Location:    cal.Location(),
		CatchUp:     cfg.Schedules.CatchUp,
		Sender:      sender,
		IsBlocked:   isBlockedSendError,
		IsPermanent: isPermanentSendError,
		Notify:      notify,
		Progress:    progressPrinter(e.stderr),
		Logger:      log,
	})
	if err != nil {
		return err
	}
	o, resumed, err := sched.RunNow(ctx, id)
	if err != nil {
		return err
	}
	size, _ := db.OfficeAudienceSize(ctx, o.Audience, o.Office)
	if resumed {
		fmt.Fprintf(e.stdout, "Resuming occurrence #%d of %s (started %s).\n", o.ID, id, o.ScheduledAt.In(cal.Location()).Format("2006-01-02 15:04:05"))
	} else {
		fmt.Fprintf(e.stdout, "Recorded occurrence #%d of %s for %s (%d chats now).\n", o.ID, id, o.Audience, size)
	}
	if h, live, err := schedules.CurrentHolder(ctx, db, time.Now(), 0); err == nil && live && h.Owner == schedules.OwnerServe {
		fmt.Fprintf(e.stdout, "The running server (pid %d on %s) sends it; follow with `pufabot campaigns status`.\n", h.PID, h.Host)
		return nil
	}
	if cfg.Telegram.Token == "" {
		return fmt.Errorf("campaigns run: no server is running and telegram.token is not set (config or %s); occurrence #%d waits for the next `pufabot serve`", config.EnvToken, o.ID)
	}
	tg, err := newTelegramSender(cfg, log)
	if err != nil {
		return fmt.Errorf("campaigns run: %w; occurrence #%d waits for the next `pufabot serve`", err, o.ID)
	}
	defer tg.Close()
	sender.set(tg)

	err = sched.Drain(ctx)
	switch {
	case errors.Is(err, schedules.ErrServing):
		fmt.Fprintf(e.stdout, "A server started meanwhile and sends it; follow with `pufabot campaigns status`.\n")
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("campaigns run: interrupted; run it again, or start `pufabot serve`, to finish occurrence #%d", o.ID)
	case err != nil:
		return fmt.Errorf("campaigns run: %w", err)
	}
	final, err := db.Occurrence(ctx, o.ID)
	if err != nil {
		return err
	}
	p, err := db.OccurrenceProgress(ctx, o.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Occurrence #%d %s: %d recipients, %d sent, %d blocked, %d failed.\n", o.ID, final.Status, p.Recipients, p.Sent, p.Blocked, p.Failed)
	return nil
}

// progressPrinter reports delivery progress on w, one line per batch.
func progressPrinter(w io.Writer) func(store.OccurrenceProgress) {
	var mu sync.Mutex
	return func(op store.OccurrenceProgress) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "occurrence #%d (%s): %d/%d done, %d sent, %d blocked, %d failed\n",
			op.ID, op.CampaignID, op.Recipients-op.Pending, op.Recipients, op.Sent, op.Blocked, op.Failed)
	}
}

// lateSender forwards to a Sender set once it is needed.
type lateSender struct {
	mu sync.Mutex
	s  schedules.Sender
}

func (l *lateSender) set(s schedules.Sender) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.s = s
}

func (l *lateSender) SendCampaign(ctx context.Context, chatID int64, html string, buttons []schedules.Button) error {
	l.mu.Lock()
	s := l.s
	l.mu.Unlock()
	if s == nil {
		return errors.New("no Telegram connection")
	}
	return s.SendCampaign(ctx, chatID, html, buttons)
}

// isBlockedSendError recognises a 403 from Telegram, as the outgoing queue
// reports it.
func isBlockedSendError(err error) bool {
	return errors.Is(err, outbox.ErrBlocked) || errors.Is(err, tgbot.ErrorForbidden)
}

// isPermanentSendError recognises errors that another try cannot fix: the
// request itself is wrong (400, e.g. chat not found) or the chat moved;
// and sends that may have reached Telegram, which another try could
// deliver twice.
func isPermanentSendError(err error) bool {
	var migrate *tgbot.MigrateError
	return errors.Is(err, tgbot.ErrorBadRequest) || errors.Is(err, tgbot.ErrorNotFound) || errors.As(err, &migrate) ||
		errors.Is(err, outbox.ErrUncertain)
}

// telegramSender sends campaign messages when no server runs: straight to
// the Bot API through the same outgoing queue the server uses, at
// broadcast priority within telegram.rate_per_second.
type telegramSender struct {
	api    *tgbot.Bot
	queue  *outbox.Queue
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func newTelegramSender(cfg config.Config, log *slog.Logger) (*telegramSender, error) {
	opts := []tgbot.Option{tgbot.WithHTTPClient(time.Minute, outbox.HTTPClient(&http.Client{Timeout: 30 * time.Second}))}
	if cfg.Telegram.ServerURL != "" {
		opts = append(opts, tgbot.WithServerURL(cfg.Telegram.ServerURL))
	}
	api, err := tgbot.New(cfg.Telegram.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	q := outbox.New(outbox.Options{PerSecond: cfg.Telegram.RatePerSecond, Logger: log})
	ctx, cancel := context.WithCancel(context.Background())
	s := &telegramSender{api: api, queue: q, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := q.Run(ctx); err != nil {
			log.Error("outbox stopped", "err", err)
		}
	}()
	return s, nil
}

// SendCampaign sends one message with its link buttons.
func (s *telegramSender) SendCampaign(ctx context.Context, chatID int64, html string, buttons []schedules.Button) error {
	p := &tgbot.SendMessageParams{
		ChatID:             chatID,
		Text:               html,
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
	}
	if kb := linkKeyboard(buttons); kb != nil {
		p.ReplyMarkup = kb
	}
	return s.queue.Do(ctx, chatID, outbox.Broadcast, func(ctx context.Context) error {
		_, err := s.api.SendMessage(ctx, p)
		return err
	})
}

// Close stops the queue; safe to call twice.
func (s *telegramSender) Close() error {
	s.once.Do(func() {
		s.cancel()
		<-s.done
	})
	return nil
}

// inlineKeyboard is a keyboard of link buttons, one per row. It is sent
// instead of models.InlineKeyboardMarkup, whose buttons always carry an
// empty copy_text field.
type inlineKeyboard struct {
	InlineKeyboard [][]linkButton `json:"inline_keyboard"`
}

type linkButton struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

func linkKeyboard(buttons []schedules.Button) *inlineKeyboard {
	if len(buttons) == 0 {
		return nil
	}
	kb := &inlineKeyboard{}
	for _, b := range buttons {
		kb.InlineKeyboard = append(kb.InlineKeyboard, []linkButton{{Text: b.Text, URL: b.URL}})
	}
	return kb
}

// botCampaignSender sends campaign messages through the running bot, at
// broadcast priority in its outgoing queue.
type botCampaignSender struct{ b *bot.Bot }

func (s botCampaignSender) SendCampaign(ctx context.Context, chatID int64, html string, buttons []schedules.Button) error {
	lb := make([]bot.LinkButton, len(buttons))
	for i, b := range buttons {
		lb[i] = bot.LinkButton{Text: b.Text, URL: b.URL}
	}
	return s.b.SendCampaign(ctx, chatID, html, lb)
}

// funcClock adapts the server's now function to schedules.Clock.
type funcClock func() time.Time

func (f funcClock) Now() time.Time                         { return f() }
func (f funcClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// serveScheduler is the campaign scheduler of `pufabot serve`. It can be
// created before the bot (so the bot can take it as its Broadcaster) and
// sends through the bot once attached.
type serveScheduler struct {
	*schedules.Scheduler
	sender *lateSender
	log    *slog.Logger
}

// newServeScheduler validates the campaigns and creates the scheduler;
// finished occurrences are reported to telegram.staff_chat.
func newServeScheduler(cfg config.Config, loc *time.Location, db *store.DB, now func() time.Time, log *slog.Logger) (*serveScheduler, error) {
	sender := &lateSender{}
	var notify schedules.Notifier
	if staff := cfg.Telegram.StaffChat; staff != 0 {
		notify = func(ctx context.Context, html string) error {
			return sender.SendCampaign(ctx, staff, html, nil)
		}
	}
	if now == nil {
		now = time.Now
	}
	log = log.With(slog.String("component", "schedules"))
	sched, err := schedules.New(db, schedules.Options{
		Campaigns:   cfg.AllCampaigns(),
		Location:    loc,
		CatchUp:     cfg.Schedules.CatchUp,
		Clock:       funcClock(now),
		Sender:      sender,
		IsBlocked:   isBlockedSendError,
		IsPermanent: isPermanentSendError,
		Notify:      notify,
		NotifyOffice: func(ctx context.Context, office, html string) error {
			o, ok := cfg.OfficeByID(office)
			if !ok {
				return fmt.Errorf("no office %q in the configuration", office)
			}
			return sender.SendCampaign(ctx, o.StaffChat, html, nil)
		},
		Logger: log,
	})
	if err != nil {
		return nil, err
	}
	return &serveScheduler{Scheduler: sched, sender: sender, log: log}, nil
}

// attach makes the scheduler send through b, at broadcast priority in its
// outgoing queue.
func (s *serveScheduler) attach(b *bot.Bot) { s.sender.set(botCampaignSender{b}) }

// start runs the scheduler until ctx ends; the returned stop waits for it.
func (s *serveScheduler) start(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil {
			s.log.Error("campaign scheduler stopped", slog.Any("error", err))
		}
	}()
	return func() {
		s.Close()
		<-done
	}
}
