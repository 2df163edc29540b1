package schedules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pufabot/pufabot/store"
)

// Sender delivers one campaign message to one chat. The bot implements it
// through its outgoing queue at broadcast priority; the queue honours 429s
// itself, so an error here is either a block (see Options.IsBlocked) or a
// failure worth retrying later.
type Sender interface {
	SendCampaign(ctx context.Context, chatID int64, html string, buttons []Button) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, chatID int64, html string, buttons []Button) error

// SendCampaign calls f.
func (f SenderFunc) SendCampaign(ctx context.Context, chatID int64, html string, buttons []Button) error {
	return f(ctx, chatID, html, buttons)
}

// Notifier tells staff something, e.g. the summary of a finished occurrence;
// text is Telegram HTML. The wiring sends it to telegram.staff_chat.
type Notifier func(ctx context.Context, html string) error

// Options configures a Scheduler. Zero values take the defaults noted.
type Options struct {
	Campaigns []Campaign
	// Location is schedules.timezone (default Asia/Shanghai).
	Location *time.Location
	// CatchUp is how late a missed occurrence may still be sent
	// (schedules.catch_up); below one minute counts as one minute.
	CatchUp time.Duration
	// Clock defaults to SystemClock.
	Clock  Clock
	Sender Sender
	// IsBlocked recognises the Sender's "bot blocked by the user" error
	// (a 403, outbox.ErrBlocked): the recipient is marked blocked and
	// never retried.
	IsBlocked func(error) bool
	// IsPermanent, if set, recognises errors that retrying cannot fix
	// (e.g. chat not found): the delivery fails at once.
	IsPermanent func(error) bool
	// Notify receives the summary of every finished occurrence; optional.
	Notify Notifier
	// NotifyOffice, if set, receives instead the summary of an office's
	// own occurrence (Occurrence.Office not empty), for that office's staff.
	NotifyOffice func(ctx context.Context, office, html string) error
	// Progress, if set, is called as deliveries advance (every batch) and
	// when an occurrence finishes.
	Progress func(store.OccurrenceProgress)
	Logger   *slog.Logger
	// PollInterval is how often the calendar is evaluated, the lease
	// renewed and the occurrences table checked for work recorded by
	// other processes (default 2s).
	PollInterval time.Duration
	// LeaseTTL is how long the sender lease survives without renewal
	// (default 20s).
	LeaseTTL time.Duration
	// MaxAttempts caps tries per recipient on transient errors (default 3).
	MaxAttempts int
	// RetryBackoff is the wait before the first retry, doubled after each
	// failed try (default 30s).
	RetryBackoff time.Duration
	// SendTimeout bounds one SendCampaign call, queue wait included
	// (default 2m).
	SendTimeout time.Duration
	// ShutdownGrace is how long sends in flight may still take once Run's
	// context ends (default 10s).
	ShutdownGrace time.Duration
	// Concurrency is how many sends may be in flight at once (default 1).
	// A crash can duplicate at most the messages in flight, so 1 keeps the
	// promise of at most one duplicate per crash; more helps only when the
	// Sender's round trip, not its rate limit, is the bottleneck.
	Concurrency int
	// BroadcastAudience is who staff broadcasts reach (default "all").
	BroadcastAudience string
}

// Scheduler fires campaigns on their dates and delivers occurrences. All
// its state is in the database, so any number of Schedulers may be created
// over the same file one after another (a restart) and none sends an
// occurrence twice; concurrently, the sender lease lets one of them work.
type Scheduler struct {
	db    *store.DB
	cal   *Calendar
	opt   Options
	log   *slog.Logger
	clock Clock
	lease *lessee

	// leading is set while this scheduler holds the sender lease; it may
	// send until leaseUntil (unix nanoseconds), half a TTL after the last
	// renewal, so a process that stalls stops before another takes over.
	leading    atomic.Bool
	leaseUntil atomic.Int64
	// ledSince is when this scheduler last began to lead (unix
	// nanoseconds): occurrences left pending since long before were
	// missed while no process sent, and are skipped like missed dates.
	ledSince atomic.Int64
	wake     chan struct{}

	mu      sync.Mutex
	started bool
	closed  bool
	cancel  context.CancelFunc
	done    chan struct{}
}

// watermarkKey stores the time up to which the calendar has been evaluated.
const watermarkKey = "schedules_watermark"

// maxLookback bounds how far back a restart looks for missed occurrences.
const maxLookback = 400 * 24 * time.Hour

// New validates the campaigns and returns a Scheduler over db.
func New(db *store.DB, opt Options) (*Scheduler, error) {
	if db == nil {
		return nil, errors.New("schedules: no database")
	}
	if opt.Location == nil {
		loc, err := LoadLocation("")
		if err != nil {
			return nil, err
		}
		opt.Location = loc
	}
	cal, err := NewCalendar(opt.Campaigns, opt.Location)
	if err != nil {
		return nil, fmt.Errorf("schedules: %w", err)
	}
	if opt.Clock == nil {
		opt.Clock = SystemClock{}
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.IsBlocked == nil {
		opt.IsBlocked = func(error) bool { return false }
	}
	if opt.PollInterval <= 0 {
		opt.PollInterval = 2 * time.Second
	}
	if opt.LeaseTTL <= 0 {
		opt.LeaseTTL = DefaultLeaseTTL
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 3
	}
	if opt.RetryBackoff <= 0 {
		opt.RetryBackoff = 30 * time.Second
	}
	if opt.SendTimeout <= 0 {
		opt.SendTimeout = 2 * time.Minute
	}
	if opt.ShutdownGrace <= 0 {
		opt.ShutdownGrace = 10 * time.Second
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 1
	}
	if opt.BroadcastAudience == "" {
		opt.BroadcastAudience = store.AudienceAll
	}
	if err := store.ValidAudience(opt.BroadcastAudience); err != nil {
		return nil, fmt.Errorf("schedules: broadcast %w", err)
	}
	return &Scheduler{
		db: db, cal: cal, opt: opt, log: opt.Logger, clock: opt.Clock,
		lease: newLessee(db, opt.LeaseTTL),
		wake:  make(chan struct{}, 1),
	}, nil
}

// Calendar returns the validated campaigns.
func (s *Scheduler) Calendar() *Calendar { return s.cal }

// Run evaluates the calendar and delivers occurrences until ctx is done or
// Close is called, then finishes the sends in flight, releases the sender
// lease and returns nil. While another live process holds the lease, Run
// waits. Run may be called once.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("schedules: closed")
	}
	if s.started {
		s.mu.Unlock()
		return errors.New("schedules: Run called twice")
	}
	s.started = true
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	s.mu.Unlock()
	defer close(s.done)
	defer s.cancel()

	s.log.Info("scheduler started", "campaigns", len(s.cal.plans), "timezone", s.cal.loc.String(), "catch_up", s.opt.CatchUp.String())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.deliveryLoop(ctx)
	}()
	s.calendarLoop(ctx)
	wg.Wait()

	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.lease.release(rctx, s.clock.Now()); err != nil {
		s.log.Warn("release sender lease", "err", err)
	}
	s.leading.Store(false)
	s.log.Info("scheduler stopped")
	return nil
}

// Close stops Run and waits for it to return. It is safe to call twice, and
// before or without Run (a later Run then returns at once).
func (s *Scheduler) Close() error {
	s.mu.Lock()
	s.closed = true
	cancel, done := s.cancel, s.done
	s.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	<-done
	return nil
}

// calendarLoop renews the lease and evaluates the calendar every poll.
func (s *Scheduler) calendarLoop(ctx context.Context) {
	var waitingFor string
	for {
		if s.heartbeat(ctx, OwnerServe, &waitingFor) {
			if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("campaign calendar", "err", err)
			}
		}
		s.poke()
		select {
		case <-ctx.Done():
			return
		case <-s.clock.After(s.opt.PollInterval):
		}
	}
}

// takeLease takes or renews the sender lease for owner; on success this
// scheduler leads for another half TTL.
func (s *Scheduler) takeLease(ctx context.Context, owner string) (Holder, bool, error) {
	now := s.clock.Now()
	h, ok, err := s.lease.acquire(ctx, owner, now)
	if err != nil || !ok {
		s.leading.Store(false)
		return h, false, err
	}
	// Leading anew: at start, after another process, or after this one
	// stalled past its lease (a suspended machine).
	fresh := !s.leading.Load() || now.UnixNano() >= s.leaseUntil.Load()
	s.leaseUntil.Store(now.Add(s.opt.LeaseTTL / 2).UnixNano())
	if fresh {
		s.ledSince.Store(now.UnixNano())
	}
	s.leading.Store(true)
	return h, true, nil
}

// leads reports whether this scheduler may send now.
func (s *Scheduler) leads() bool {
	return s.leading.Load() && s.clock.Now().UnixNano() < s.leaseUntil.Load()
}

// heartbeat takes or renews the sender lease and records whether this
// scheduler leads; it logs when that changes.
func (s *Scheduler) heartbeat(ctx context.Context, owner string, waitingFor *string) bool {
	was := s.leading.Load()
	h, ok, err := s.takeLease(ctx, owner)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("sender lease", "err", err)
		}
		return false
	}
	if !ok {
		if *waitingFor != h.Token {
			*waitingFor = h.Token
			s.log.Warn("another pufabot process sends campaigns; waiting for it to stop", "holder", h.Owner, "holder_pid", h.PID, "holder_host", h.Host)
		}
		return false
	}
	if *waitingFor != "" || !was {
		*waitingFor = ""
		s.log.Info("sending campaigns from this process", "owner", owner, "pid", s.lease.pid)
	}
	return true
}

// poke wakes the delivery loop without blocking.
func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Tick evaluates the calendar once at the clock's now: every occurrence
// scheduled since the previous evaluation is recorded, as pending if it is
// to be sent or as skipped (with a log line) if it was missed by more than
// the catch-up window. Recording is idempotent, so a Tick repeated after a
// crash or by a second scheduler fires nothing twice. The first Tick on a
// fresh database starts the calendar at now.
func (s *Scheduler) Tick(ctx context.Context) (err error) {
	defer recoverTo(&err, "calendar")
	now := s.clock.Now()
	since, ok, err := s.watermark(ctx)
	if err != nil {
		return err
	}
	if !ok {
		s.log.Info("campaign calendar starts now", "now", now.In(s.cal.loc).Format(time.RFC3339))
		return s.setWatermark(ctx, now)
	}
	if !now.After(since) {
		return nil
	}
	if now.Sub(since) > maxLookback {
		s.log.Warn("campaign calendar was not evaluated for a long time; looking back only so far", "since", since.Format(time.RFC3339), "look_back_days", int(maxLookback.Hours()/24))
		since = now.Add(-maxLookback)
	}
	for _, f := range s.cal.Due(since, now, s.opt.CatchUp) {
		if err := s.record(ctx, f); err != nil {
			return err
		}
	}
	return s.setWatermark(ctx, now)
}

func (s *Scheduler) record(ctx context.Context, f Firing) error {
	o := occurrenceOf(f.Campaign, store.KindScheduled, f.At)
	if f.Skip {
		o.Status = store.OccurrenceSkipped
	}
	stored, created, err := s.db.CreateOccurrence(ctx, o)
	if err != nil {
		return err
	}
	if !created {
		return nil
	}
	attrs := []any{"campaign", f.Campaign.ID, "occurrence_id", stored.ID, "scheduled_at", f.At.Format(time.RFC3339), "late", f.Late.Round(time.Second).String()}
	if f.Skip {
		s.log.Warn("campaign occurrence skipped", append(attrs, "reason", f.Reason)...)
	} else {
		s.log.Info("campaign due", attrs...)
	}
	return nil
}

func occurrenceOf(c Campaign, kind string, at time.Time) store.Occurrence {
	o := store.Occurrence{
		CampaignID:  c.ID,
		ScheduledAt: at.Truncate(time.Second),
		Kind:        kind,
		Title:       c.DisplayTitle(),
		Audience:    c.AudienceOrDefault(),
		Message:     c.Message,
		Office:      c.Office,
	}
	if len(c.Buttons) > 0 {
		b, _ := json.Marshal(c.Buttons)
		o.Buttons = string(b)
	}
	return o
}

func (s *Scheduler) watermark(ctx context.Context) (time.Time, bool, error) {
	v, err := s.db.Setting(ctx, watermarkKey)
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("schedules: %s %q: %w", watermarkKey, v, err)
	}
	return time.Unix(n, 0), true, nil
}

func (s *Scheduler) setWatermark(ctx context.Context, now time.Time) error {
	return s.db.SetSetting(ctx, watermarkKey, strconv.FormatInt(now.Unix(), 10))
}

// RunNow records a manual occurrence of a campaign (disabled ones too) for
// the running scheduler to send. If the campaign already has an unfinished
// occurrence, that one is returned instead with resumed set, so running a
// campaign again after an interruption finishes it rather than sending it
// twice.
func (s *Scheduler) RunNow(ctx context.Context, campaignID string) (o store.Occurrence, resumed bool, err error) {
	p, ok := s.cal.Plan(campaignID)
	if !ok {
		return o, false, fmt.Errorf("schedules: no campaign %q", campaignID)
	}
	o, err = s.db.UnfinishedOccurrence(ctx, campaignID)
	if err == nil {
		s.poke()
		return o, true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return o, false, err
	}
	o, _, err = s.db.CreateOccurrence(ctx, occurrenceOf(p.Campaign, store.KindManual, s.clock.Now()))
	if err != nil {
		return o, false, err
	}
	s.log.Info("campaign run by hand", "campaign", campaignID, "occurrence_id", o.ID)
	s.poke()
	return o, false, nil
}

// Broadcast records a staff message for every chat in the broadcast
// audience and returns the occurrence id; delivery follows with the same
// guarantees as a campaign. html must be valid Telegram HTML (see
// CheckMessage); the error then says what is wrong.
func (s *Scheduler) Broadcast(ctx context.Context, staffUserID int64, html string) (occurrenceID int64, err error) {
	return s.BroadcastOffice(ctx, "", staffUserID, html)
}

// BroadcastOffice is Broadcast to one office's chats only; office "" is
// every office (county staff, or a single township).
func (s *Scheduler) BroadcastOffice(ctx context.Context, office string, staffUserID int64, html string) (occurrenceID int64, err error) {
	if err := CheckMessage(html); err != nil {
		return 0, fmt.Errorf("schedules: broadcast: %w", err)
	}
	o, err := s.db.AddOccurrence(ctx, store.Occurrence{
		CampaignID:  BroadcastID,
		ScheduledAt: s.clock.Now().Truncate(time.Second),
		Kind:        store.KindBroadcast,
		Title:       fmt.Sprintf("工作人员广播（%d）", staffUserID),
		Audience:    s.opt.BroadcastAudience,
		Message:     html,
		Office:      office,
	})
	if err != nil {
		return 0, err
	}
	s.log.Info("staff broadcast recorded", "staff_user", staffUserID, "occurrence_id", o.ID, "audience", o.Audience, "office", office)
	s.poke()
	return o.ID, nil
}

// recoverTo turns a panic in the calling function into an error in *err.
func recoverTo(err *error, what string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("schedules: %s panicked: %v", what, r)
	}
}
