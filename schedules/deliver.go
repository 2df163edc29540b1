package schedules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pufabot/pufabot/store"
)

// batchSize is how many pending deliveries are read at a time.
const batchSize = 100

// deliveryLoop delivers whenever this scheduler leads: on a poke (new
// occurrence, calendar tick) or when the earliest retry is due.
func (s *Scheduler) deliveryLoop(ctx context.Context) {
	for {
		wait := s.opt.PollInterval
		if s.leads() {
			next, err := s.Deliver(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Error("campaign delivery", "err", err)
			}
			if !next.IsZero() {
				wait = min(wait, max(next.Sub(s.clock.Now()), 0))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-s.clock.After(wait):
		}
	}
}

// Deliver makes one pass over the unfinished occurrences, oldest first:
// snapshots the recipients of new ones, sends every delivery that is due,
// and finishes occurrences with nothing left pending (sending the summary).
// It returns when the earliest retry is due (zero when none waits). It sends
// only while this scheduler holds the sender lease; Run and Drain take it.
func (s *Scheduler) Deliver(ctx context.Context) (next time.Time, err error) {
	defer recoverTo(&err, "delivery")
	occs, err := s.db.UnfinishedOccurrences(ctx)
	if err != nil {
		return next, err
	}
	for _, o := range occs {
		if ctx.Err() != nil || !s.leads() {
			return next, ctx.Err()
		}
		if s.stale(o) {
			skipped, err := s.db.SkipOccurrence(ctx, o.ID)
			if err != nil {
				return next, err
			}
			if skipped {
				s.log.Warn("campaign occurrence skipped", "campaign", o.CampaignID, "occurrence_id", o.ID,
					"scheduled_at", o.ScheduledAt.Format(time.RFC3339), "reason", ReasonLate)
			}
			continue
		}
		if o.Status == store.OccurrencePending {
			if o, err = s.db.StartOccurrence(ctx, o.ID); err != nil {
				return next, err
			}
			s.log.Info("campaign occurrence started", "campaign", o.CampaignID, "occurrence_id", o.ID, "kind", o.Kind, "audience", o.Audience)
		}
		if err := s.sendDue(ctx, o); err != nil {
			return next, err
		}
		if ctx.Err() != nil {
			return next, ctx.Err()
		}
		op, finished, err := s.db.FinishOccurrence(ctx, o.ID)
		if err != nil {
			return next, err
		}
		if finished {
			s.finished(ctx, op)
			continue
		}
		at, ok, err := s.db.NextAttempt(ctx, o.ID)
		if err != nil {
			return next, err
		}
		if ok && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next, nil
}

// stale reports whether o is a scheduled date recorded but never started
// that was already more than the catch-up window late when this scheduler
// began to lead: the process that recorded it stopped before sending, and
// nobody sent while it was down. Manual runs and broadcasts always go out;
// an occurrence that started sending is finished.
func (s *Scheduler) stale(o store.Occurrence) bool {
	if o.Status != store.OccurrencePending || o.Kind != store.KindScheduled {
		return false
	}
	since := time.Unix(0, s.ledSince.Load())
	return since.Sub(o.ScheduledAt) > max(s.opt.CatchUp, minCatchUp)
}

// sendDue sends every delivery of o that is due now, in snapshot order,
// with up to Concurrency sends in flight, each result recorded before its
// slot is reused. It stops early when ctx ends or the lease is lost; sends
// in flight then still finish and are recorded.
func (s *Scheduler) sendDue(ctx context.Context, o store.Occurrence) error {
	var buttons []Button
	if o.Buttons != "" {
		if err := json.Unmarshal([]byte(o.Buttons), &buttons); err != nil {
			s.log.Warn("campaign buttons unreadable; sending without them", "occurrence_id", o.ID, "err", err)
			buttons = nil
		}
	}
	var (
		wg       sync.WaitGroup
		slots    = make(chan struct{}, s.opt.Concurrency)
		mu       sync.Mutex
		firstErr error
		after    int64
	)
	// finish waits for the sends in flight and reports the first error.
	finish := func(err error) error {
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return errors.Join(err, firstErr)
	}
	for {
		batch, err := s.db.PendingDeliveries(ctx, o.ID, after, s.clock.Now(), batchSize)
		if err != nil || len(batch) == 0 {
			return finish(err)
		}
		for _, d := range batch {
			// Checked before every send: a process that lost the lease
			// (stalled past its TTL) must not send next to the new holder.
			if ctx.Err() != nil || !s.leads() {
				return finish(nil)
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return finish(nil)
			}
			mu.Lock()
			failed := firstErr != nil
			mu.Unlock()
			if failed {
				return finish(nil)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				if err := s.sendOne(ctx, o, d, buttons); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}()
			after = d.Seq
		}
		if s.opt.Progress != nil {
			wg.Wait()
			if p, err := s.db.OccurrenceProgress(ctx, o.ID); err == nil {
				s.opt.Progress(store.OccurrenceProgress{Occurrence: o, Progress: p})
			}
		}
	}
}

// sendOne sends to one recipient and records the outcome. Shutdown does not
// cut a send short at once (it runs on a context detached from ctx, bounded
// by SendTimeout, and by ShutdownGrace once ctx ends) so that its outcome is
// known and recorded; an error is returned only when recording failed.
func (s *Scheduler) sendOne(ctx context.Context, o store.Occurrence, d store.Delivery, buttons []Button) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opt.SendTimeout)
	// On shutdown the send gets ShutdownGrace to finish, not the full timeout.
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(s.opt.ShutdownGrace, cancel) })
	err := s.safeSend(sctx, d.ChatID, o.Message, buttons)
	stop()
	cancel()
	var r store.DeliveryResult
	switch {
	case err == nil:
		r.Status = store.DeliverySent
	case s.opt.IsBlocked(err):
		r.Status, r.Error = store.DeliveryBlocked, err.Error()
		s.log.Info("recipient blocked the bot", "occurrence_id", o.ID, "chat_id", d.ChatID)
	case ctx.Err() != nil:
		// Shutting down: the failure may be the shutdown itself. Leave the
		// delivery pending, attempt not counted, for the next start.
		return nil
	case s.opt.IsPermanent != nil && s.opt.IsPermanent(err):
		r.Status, r.Error = store.DeliveryFailed, err.Error()
		s.log.Warn("campaign delivery failed", "occurrence_id", o.ID, "chat_id", d.ChatID, "attempt", d.Attempts+1, "err", err)
	case d.Attempts+1 >= s.opt.MaxAttempts:
		r.Status, r.Error = store.DeliveryFailed, err.Error()
		s.log.Warn("campaign delivery failed; giving up", "occurrence_id", o.ID, "chat_id", d.ChatID, "attempt", d.Attempts+1, "err", err)
	default:
		r.Status, r.Error = store.DeliveryPending, err.Error()
		r.RetryAt = s.clock.Now().Add(s.opt.RetryBackoff << min(d.Attempts, 10))
		s.log.Info("campaign delivery will be retried", "occurrence_id", o.ID, "chat_id", d.ChatID, "attempt", d.Attempts+1, "retry_at", r.RetryAt.Format(time.RFC3339), "err", err)
	}
	// Record even when shutting down: the message is out.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer rcancel()
	if err := s.db.RecordDelivery(rctx, o.ID, d.ChatID, r); err != nil {
		return fmt.Errorf("schedules: %w", err)
	}
	if r.Status == store.DeliveryBlocked {
		// The bot may have marked it already; this is idempotent.
		if _, err := s.db.MarkBlocked(rctx, d.ChatID); err != nil {
			s.log.Warn("recording a blocked chat failed", "chat_id", d.ChatID, "err", err)
		}
	}
	return nil
}

// safeSend calls the Sender, turning a panic into an error.
func (s *Scheduler) safeSend(ctx context.Context, chatID int64, html string, buttons []Button) (err error) {
	defer recoverTo(&err, "sender")
	if s.opt.Sender == nil {
		return errors.New("schedules: no sender configured")
	}
	return s.opt.Sender.SendCampaign(ctx, chatID, html, buttons)
}

// finished logs the end of an occurrence and tells staff.
func (s *Scheduler) finished(ctx context.Context, op store.OccurrenceProgress) {
	s.log.Info("campaign occurrence finished", "campaign", op.CampaignID, "occurrence_id", op.ID,
		"recipients", op.Recipients, "sent", op.Sent, "blocked", op.Blocked, "failed", op.Failed)
	if s.opt.Progress != nil {
		s.opt.Progress(op)
	}
	notify := s.opt.Notify
	if op.Office != "" && s.opt.NotifyOffice != nil {
		// An office's own campaign or broadcast is reported to its staff.
		notify = func(ctx context.Context, html string) error { return s.opt.NotifyOffice(ctx, op.Office, html) }
	}
	if notify == nil {
		return
	}
	if err := s.safeNotify(ctx, notify, Summary(op, s.cal.loc)); err != nil {
		s.log.Warn("campaign summary not sent to staff", "occurrence_id", op.ID, "err", err)
	}
}

func (s *Scheduler) safeNotify(ctx context.Context, notify Notifier, html string) (err error) {
	defer recoverTo(&err, "notifier")
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return notify(nctx, html)
}

// Drain takes the sender lease as the command line and delivers every
// unfinished occurrence to the end (waiting out retries), then releases the
// lease. It is how `pufabot campaigns run` sends when no server runs. When a
// running server holds the lease it returns ErrServing at once; behind
// another command it waits.
func (s *Scheduler) Drain(ctx context.Context) error {
	var waitingFor string
	for {
		h, ok, err := s.takeLease(ctx, OwnerCLI)
		if err != nil {
			return err
		}
		if ok {
			break
		}
		if h.Owner == OwnerServe {
			return fmt.Errorf("%w (pid %d on %s)", ErrServing, h.PID, h.Host)
		}
		if waitingFor != h.Token {
			waitingFor = h.Token
			s.log.Warn("another pufabot command sends campaigns; waiting for it", "holder_pid", h.PID)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.clock.After(s.opt.PollInterval):
		}
	}
	hctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.renewLoop(hctx, OwnerCLI)
	}()
	defer func() {
		stop()
		wg.Wait()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := s.lease.release(rctx, s.clock.Now()); err != nil {
			s.log.Warn("release sender lease", "err", err)
		}
		s.leading.Store(false)
	}()
	for {
		if !s.leads() {
			// Renew now rather than wait for the renewer (after a long
			// wait both wake together); fail if someone else took it.
			if _, ok, err := s.takeLease(ctx, OwnerCLI); err != nil || !ok {
				return errors.Join(errors.New("schedules: lost the sender lease to another process"), err)
			}
		}
		next, err := s.Deliver(ctx)
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		left, err := s.db.UnfinishedOccurrences(ctx)
		if err != nil {
			return err
		}
		if len(left) == 0 {
			return nil
		}
		wait := s.opt.PollInterval
		if !next.IsZero() {
			wait = max(next.Sub(s.clock.Now()), 0)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.clock.After(wait):
		}
	}
}

// renewLoop keeps the lease fresh while Drain works.
func (s *Scheduler) renewLoop(ctx context.Context, owner string) {
	var waitingFor string
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.clock.After(s.opt.PollInterval):
		}
		s.heartbeat(ctx, owner, &waitingFor)
	}
}
