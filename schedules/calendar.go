package schedules

import (
	"fmt"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Shanghai must resolve on machines without a zone database

	"github.com/robfig/cron/v3"
)

// Clock is the scheduler's source of time. Tests drive days and years with
// a fake one; production uses SystemClock.
type Clock interface {
	Now() time.Time
	// After is like time.After.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// LoadLocation resolves a schedules.timezone value; "" means
// DefaultTimezone. The zone database is embedded.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultTimezone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("schedules: time zone %q: %w", name, err)
	}
	return loc, nil
}

// Plan is a validated campaign with its parsed schedule.
type Plan struct {
	Campaign Campaign
	loc      *time.Location
	sched    cron.Schedule
	// window limits firings to [from, to] each year; to before from wraps
	// over the new year.
	window   bool
	from, to monthDay
}

// horizon bounds the search for the next occurrence: long enough for a
// Feb 29 campaign to find its next leap year (at most 8 years away).
const horizonYears = 9

// parser reads standard five-field specs and descriptors (@daily, …).
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// parseSpec parses a cron spec, turning the library's panics on malformed
// input (e.g. "TZ=0") into errors.
func parseSpec(spec string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("cannot parse (%v)", r)
		}
	}()
	spec = strings.TrimSpace(spec)
	switch {
	case spec == "":
		return nil, fmt.Errorf("empty: want five fields, minute hour day-of-month month day-of-week, e.g. \"0 9 15 3 *\"")
	case strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ="):
		return nil, fmt.Errorf("a time zone prefix is not allowed: every campaign runs in schedules.timezone")
	case strings.HasPrefix(spec, "@every"):
		return nil, fmt.Errorf("@every is not a calendar date: write the minute, hour, day and month")
	}
	return parser.Parse(spec)
}

func compile(c Campaign, loc *time.Location) (*Plan, error) {
	sched, err := parseSpec(c.Cron)
	if err != nil {
		return nil, fmt.Errorf("cron %q: %w", c.Cron, err)
	}
	if spec, ok := sched.(*cron.SpecSchedule); ok {
		spec.Location = loc
	}
	p := &Plan{Campaign: c, loc: loc, sched: sched}
	if c.From != "" || c.To != "" {
		p.window = true
		p.from, p.to = monthDay{1, 1}, monthDay{12, 31}
		if c.From != "" {
			if p.from, err = parseMonthDay(c.From); err != nil {
				return nil, fmt.Errorf("from %w", err)
			}
		}
		if c.To != "" {
			if p.to, err = parseMonthDay(c.To); err != nil {
				return nil, fmt.Errorf("to %w", err)
			}
		}
	}
	// Calendars repeat; a plan that finds no date within the horizon from
	// any fixed year never fires.
	ref := time.Date(2024, 1, 1, 0, 0, 0, 0, loc)
	if p.Next(ref).IsZero() {
		if p.window {
			return nil, fmt.Errorf("cron %q never fires between %s and %s", c.Cron, p.from, p.to)
		}
		return nil, fmt.Errorf("cron %q never fires", c.Cron)
	}
	return p, nil
}

// inWindow reports whether t (in the plan's zone) falls in the yearly window.
func (p *Plan) inWindow(t time.Time) bool {
	if !p.window {
		return true
	}
	md := monthDay{int(t.Month()), t.Day()}
	if p.to.before(p.from) { // wraps over the new year
		return !md.before(p.from) || !p.to.before(md)
	}
	return !md.before(p.from) && !p.to.before(md)
}

// windowStart is the first window opening (midnight of From) after t.
func (p *Plan) windowStart(t time.Time) time.Time {
	for y := t.Year(); y <= t.Year()+horizonYears; y++ {
		start := time.Date(y, time.Month(p.from.month), p.from.day, 0, 0, 0, 0, p.loc)
		if start.After(t) {
			return start
		}
	}
	return time.Time{}
}

// Next returns the plan's first occurrence strictly after t, in the plan's
// zone, or the zero time when there is none within nine years.
func (p *Plan) Next(t time.Time) time.Time {
	t = t.In(p.loc)
	limit := t.AddDate(horizonYears, 0, 0)
	for i := 0; i < 10000; i++ {
		n := p.sched.Next(t)
		if n.IsZero() || n.After(limit) {
			return time.Time{}
		}
		n = n.In(p.loc)
		if p.inWindow(n) {
			return n
		}
		start := p.windowStart(n)
		if start.IsZero() {
			return time.Time{}
		}
		// The cron library returns times strictly after its argument.
		t = start.Add(-time.Second)
	}
	return time.Time{}
}

// Occurrences returns the plan's occurrences in (from, to], oldest first,
// at most limit of them (the earliest).
func (p *Plan) Occurrences(from, to time.Time, limit int) []time.Time {
	var out []time.Time
	for t := p.Next(from); !t.IsZero() && !t.After(to) && len(out) < limit; t = p.Next(t) {
		out = append(out, t)
	}
	return out
}

// Calendar is the validated set of campaigns in one time zone.
type Calendar struct {
	loc   *time.Location
	plans []*Plan
	byID  map[string]*Plan
}

// NewCalendar validates campaigns (see Validate) and compiles them.
func NewCalendar(campaigns []Campaign, loc *time.Location) (*Calendar, error) {
	plans, err := compileAll(campaigns, loc)
	if err != nil {
		return nil, err
	}
	c := &Calendar{loc: loc, plans: plans, byID: map[string]*Plan{}}
	for _, p := range plans {
		c.byID[p.Campaign.ID] = p
	}
	return c, nil
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Plans lists every campaign, disabled ones included, in configuration order.
func (c *Calendar) Plans() []*Plan { return c.plans }

// Plan returns the campaign with the given id.
func (c *Calendar) Plan(id string) (*Plan, bool) {
	p, ok := c.byID[id]
	return p, ok
}

// Firing is one occurrence the calendar says is due, or too late.
type Firing struct {
	Campaign Campaign
	At       time.Time
	// Late is how long after At the decision was made.
	Late time.Duration
	// Skip marks an occurrence not to send: missed by more than the
	// catch-up window, or superseded by a later occurrence of the same
	// campaign that is also due (never a burst of stale reminders).
	Skip   bool
	Reason string
}

// Skip reasons.
const (
	ReasonLate       = "missed by more than the catch-up window"
	ReasonSuperseded = "superseded by a later occurrence"
)

// minCatchUp keeps polling delays from ever skipping an on-time occurrence.
const minCatchUp = time.Minute

// maxMissed bounds how many missed occurrences of one campaign one call
// reports (a minute-by-minute campaign down for a month would be 43,200).
const maxMissed = 100

// Due decides which occurrences of the enabled campaigns scheduled in
// (since, now] to send and which to skip: the latest one of each campaign is
// sent if it is at most catchUp late (at least a minute), and every other
// one is skipped. It is a pure function of its arguments.
func (c *Calendar) Due(since, now time.Time, catchUp time.Duration) []Firing {
	if !now.After(since) {
		return nil
	}
	catchUp = max(catchUp, minCatchUp)
	var out []Firing
	for _, p := range c.plans {
		if p.Campaign.Disabled {
			continue
		}
		var occ []time.Time
		for t := p.Next(since); !t.IsZero() && !t.After(now); t = p.Next(t) {
			occ = append(occ, t)
			if len(occ) > maxMissed {
				occ = occ[1:]
			}
		}
		for i, at := range occ {
			f := Firing{Campaign: p.Campaign, At: at, Late: now.Sub(at)}
			switch {
			case f.Late > catchUp:
				f.Skip, f.Reason = true, ReasonLate
			case i < len(occ)-1:
				f.Skip, f.Reason = true, ReasonSuperseded
			}
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// Upcoming is a campaign's next occurrence.
type Upcoming struct {
	Campaign Campaign
	At       time.Time // zero when the campaign never fires again
}

// Upcoming lists the next occurrence after now of every enabled campaign,
// soonest first.
func (c *Calendar) Upcoming(now time.Time) []Upcoming {
	var out []Upcoming
	for _, p := range c.plans {
		if p.Campaign.Disabled {
			continue
		}
		out = append(out, Upcoming{Campaign: p.Campaign, At: p.Next(now)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].At, out[j].At
		if a.IsZero() != b.IsZero() {
			return b.IsZero()
		}
		return a.Before(b)
	})
	return out
}
