// Package schedules runs publicity campaigns: it works out from a calendar
// (cron specs with yearly date windows, evaluated in the office's time zone)
// when each campaign is due, records every firing durably before anything is
// sent, delivers it to its audience through a Sender, and resumes unfinished
// deliveries after a restart so that each recipient gets each message once.
// Staff broadcasts use the same machinery.
package schedules

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pufabot/pufabot/store"
)

// Defaults for the schedules configuration section.
const (
	DefaultTimezone = "Asia/Shanghai"
	DefaultCatchUp  = 6 * time.Hour
)

// BroadcastID is the campaign id under which staff broadcasts are recorded;
// no configured campaign may use it.
const BroadcastID = "broadcast"

// Campaign is one publicity campaign: a message pushed to an audience on a
// cron schedule, optionally only within a yearly date window.
type Campaign struct {
	// ID is a short stable identifier (ascii), used on the command line and
	// in the database.
	ID string `yaml:"id"`
	// Title is the campaign's name as staff see it, e.g. "12·4 国家宪法日".
	Title string `yaml:"title"`
	// Cron is a robfig/cron/v3 five-field spec evaluated in the configured
	// time zone, e.g. "0 9 4 12 *".
	Cron string `yaml:"cron"`
	// From and To ("MM-DD", inclusive) limit firings to a yearly window, so
	// "0 10 * * MON" with from 03-01 to 03-31 fires every Monday in March.
	From string `yaml:"from,omitempty"`
	To   string `yaml:"to,omitempty"`
	// Audience is "subscribers" (the default), "topic:<id>" (subscribers of
	// one topic), "groups" (registered group chats) or "all".
	Audience string `yaml:"audience,omitempty"`
	// Message is Telegram HTML.
	Message string `yaml:"message"`
	// Buttons are optional link buttons shown under the message.
	Buttons []Button `yaml:"buttons,omitempty"`
	// Disabled keeps a campaign in the file without scheduling it.
	Disabled bool `yaml:"disabled,omitempty"`
	// Office is the id of the office whose own campaign this is (its
	// subscribers and groups only); "" for the shared calendar, which
	// reaches every office. Set from the offices list, never from YAML.
	Office string `yaml:"-"`
}

// Button is a link button under a campaign message.
type Button struct {
	Text string `yaml:"text" json:"text"`
	URL  string `yaml:"url" json:"url"`
}

// DisplayTitle is the title, or the id when the title is empty.
func (c Campaign) DisplayTitle() string {
	if strings.TrimSpace(c.Title) != "" {
		return c.Title
	}
	return c.ID
}

// AudienceOrDefault is the audience, "subscribers" when unset.
func (c Campaign) AudienceOrDefault() string {
	if c.Audience == "" {
		return store.AudienceSubscribers
	}
	return c.Audience
}

// MaxMessageLength is Telegram's limit on a message's text, in characters
// after HTML markup is removed.
const MaxMessageLength = 4096

// maxButtons keeps the keyboard readable on a small phone.
const maxButtons = 8

var idRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Validate checks campaigns as loaded from the configuration: ids, cron
// specs (parsed in loc; inputs that make the cron library panic are reported
// as errors), date windows, audiences, messages and buttons. Every problem is
// reported, each naming its campaign, e.g.
//
//	campaign "consumer-day": cron "x": expected exactly 5 fields, found 1: [x]
func Validate(campaigns []Campaign, loc *time.Location) error {
	_, err := compileAll(campaigns, loc)
	return err
}

// compileAll validates campaigns and compiles each into a plan.
func compileAll(campaigns []Campaign, loc *time.Location) ([]*Plan, error) {
	if loc == nil {
		return nil, errors.New("schedules: no time zone")
	}
	var errs []error
	seen := map[string]int{}
	plans := make([]*Plan, 0, len(campaigns))
	for i, c := range campaigns {
		name := fmt.Sprintf("campaign %q", c.ID)
		if c.ID == "" {
			name = fmt.Sprintf("campaign #%d", i+1)
		}
		var cerrs []string
		bad := func(format string, args ...any) { cerrs = append(cerrs, fmt.Sprintf(format, args...)) }
		switch {
		case c.ID == "":
			bad("id is empty")
		case !idRe.MatchString(c.ID):
			bad("id %q: use lower-case letters, digits, '.', '_' and '-' (at most 64)", c.ID)
		case c.ID == BroadcastID:
			bad("id %q is reserved for staff broadcasts", c.ID)
		}
		if j, dup := seen[c.ID]; dup && c.ID != "" {
			bad("id also used by campaign #%d", j+1)
		}
		seen[c.ID] = i
		p, err := compile(c, loc)
		if err != nil {
			bad("%v", err)
		}
		if err := store.ValidAudience(c.Audience); err != nil {
			bad("%v", err)
		}
		if err := CheckMessage(c.Message); err != nil {
			bad("message: %v", err)
		}
		if err := checkButtons(c.Buttons); err != nil {
			bad("%v", err)
		}
		if len(cerrs) > 0 {
			errs = append(errs, fmt.Errorf("%s: %s", name, strings.Join(cerrs, "; ")))
			continue
		}
		plans = append(plans, p)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return plans, nil
}

func checkButtons(buttons []Button) error {
	if len(buttons) > maxButtons {
		return fmt.Errorf("%d buttons: at most %d", len(buttons), maxButtons)
	}
	for i, b := range buttons {
		if strings.TrimSpace(b.Text) == "" {
			return fmt.Errorf("buttons[%d]: text is empty", i)
		}
		u, err := url.Parse(b.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "tg") || (u.Scheme != "tg" && u.Host == "") {
			return fmt.Errorf("buttons[%d] %q: url %q: want an http(s):// or tg:// link", i, b.Text, b.URL)
		}
	}
	return nil
}

// monthDay is a yearly date, "MM-DD".
type monthDay struct{ month, day int }

func (md monthDay) String() string { return fmt.Sprintf("%02d-%02d", md.month, md.day) }

func (md monthDay) before(o monthDay) bool {
	return md.month < o.month || (md.month == o.month && md.day < o.day)
}

var daysIn = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func parseMonthDay(s string) (monthDay, error) {
	m, d, ok := strings.Cut(strings.TrimSpace(s), "-")
	if ok && len(m) == 2 && len(d) == 2 {
		mi, err1 := strconv.Atoi(m)
		di, err2 := strconv.Atoi(d)
		if err1 == nil && err2 == nil && mi >= 1 && mi <= 12 && di >= 1 && di <= daysIn[mi] {
			return monthDay{mi, di}, nil
		}
	}
	return monthDay{}, fmt.Errorf("%q: want a date as MM-DD, e.g. 03-15", s)
}

// allowedTags are the tags Telegram's HTML parse mode understands.
var allowedTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "a": true, "code": true, "pre": true,
	"blockquote": true, "tg-spoiler": true, "span": true,
}

// CheckMessage checks that s is a non-empty message in Telegram's HTML
// parse mode: known tags, properly nested, links with an href, '<', '>' and
// '&' escaped outside markup, and at most MaxMessageLength characters of
// text. Telegram rejects a message that fails these rules, so a campaign that
// would fail on its day is caught at start-up instead.
func CheckMessage(s string) error {
	var stack []string
	text := 0
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return fmt.Errorf("unclosed '<' at byte %d (write &lt; for a literal '<')", i)
			}
			tag := s[i+1 : i+end]
			i += end + 1
			if strings.HasPrefix(tag, "/") {
				name := strings.ToLower(strings.TrimSpace(tag[1:]))
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return fmt.Errorf("unexpected </%s>", name)
				}
				stack = stack[:len(stack)-1]
				continue
			}
			name, attrs, _ := strings.Cut(tag, " ")
			name = strings.ToLower(name)
			if !allowedTags[name] {
				return fmt.Errorf("tag <%s> is not supported by Telegram (use <b>, <i>, <a href=\"…\">)", name)
			}
			if name == "a" {
				m := hrefRe.FindStringSubmatch(attrs)
				if m == nil {
					return errors.New("<a> needs an href=\"…\"")
				}
				if u, err := url.Parse(m[1]); err != nil || u.Scheme == "" {
					return fmt.Errorf("<a href=%q>: not an absolute link", m[1])
				}
			}
			stack = append(stack, name)
		case '>':
			return fmt.Errorf("stray '>' at byte %d (write &gt;)", i)
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 || !entityRe.MatchString(s[i:i+end+1]) {
				return fmt.Errorf("bare '&' at byte %d (write &amp;)", i)
			}
			i += end + 1
			text++
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			text++
		}
	}
	if len(stack) > 0 {
		return fmt.Errorf("<%s> is not closed", stack[len(stack)-1])
	}
	if strings.TrimSpace(s) == "" {
		return errors.New("empty")
	}
	if text > MaxMessageLength {
		return fmt.Errorf("%d characters, Telegram allows %d", text, MaxMessageLength)
	}
	return nil
}

var (
	hrefRe   = regexp.MustCompile(`(?i)^\s*href\s*=\s*"([^"]*)"\s*$`)
	entityRe = regexp.MustCompile(`^&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});$`)
)
