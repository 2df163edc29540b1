// Package config reads pufabot's YAML configuration: built-in defaults, then
// the file (strictly: an unknown key or a wrong type is an error naming the
// key and its line), then the environment, then Validate.
package config

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // embed the zone database so Asia/Shanghai works everywhere

	"go.yaml.in/yaml/v3"

	"github.com/pufabot/pufabot/schedules"
	"github.com/pufabot/pufabot/store"
)

// EnvToken is the environment variable that overrides telegram.token.
const EnvToken = "PUFABOT_TELEGRAM_TOKEN"

// EnvPseudonymKey is the environment variable that holds the pseudonym key
// (hexadecimal) instead of privacy.key_file.
const EnvPseudonymKey = "PUFABOT_PSEUDONYM_KEY"

// DefaultFile is read when --config is not given and the file exists.
const DefaultFile = "config.yaml"

// Config is the whole configuration.
type Config struct {
	// DataDir holds the search index and the database.
	DataDir string `yaml:"data_dir"`
	// Office is the justice office's name as residents read it, e.g.
	// 石桥镇司法所.
	Office    string    `yaml:"office"`
	Log       Log       `yaml:"log"`
	Knowledge Knowledge `yaml:"knowledge"`
	Telegram  Telegram  `yaml:"telegram"`
	Schedules Schedules `yaml:"schedules"`
	HTTP      HTTP      `yaml:"http"`
	Web       Web       `yaml:"web"`
	Database  Database  `yaml:"database"`
	Privacy   Privacy   `yaml:"privacy"`
	// Offices lists the township offices of a county deployment; empty
	// means one implicit office (office, telegram.staff_chat and
	// telegram.admins), as a single township runs.
	Offices []Office `yaml:"offices"`
	// CountyAdmins are the county staff (司法局): they see and broadcast
	// to every office. With offices, telegram.admins count as county
	// admins too.
	CountyAdmins []int64 `yaml:"county_admins"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text or json.
	Format string `yaml:"format"`
}

// Knowledge says where the legal texts and curated answers come from.
type Knowledge struct {
	// Embedded uses the national laws and judicial interpretations built
	// into the binary (default true); Laws adds folders on top.
	Embedded bool `yaml:"embedded"`
	// Laws lists folders in the LawRefBook layout (or of plain .txt files).
	Laws []string `yaml:"laws"`
	// FAQ lists extra FAQ files added to the embedded starter pack.
	FAQ []string `yaml:"faq"`
	// Examples lists JSONL files of labelled questions attached to their
	// gold articles at index time.
	Examples []string `yaml:"examples"`
}

// Telegram configures the bot front.
type Telegram struct {
	Token     string `yaml:"token"`
	ServerURL string `yaml:"server_url"`
	// Admins are the Telegram user ids allowed staff commands.
	Admins []int64 `yaml:"admins"`
	// StaffChat receives hand-overs and campaign summaries.
	StaffChat int64   `yaml:"staff_chat"`
	Webhook   Webhook `yaml:"webhook"`
	// RatePerSecond caps all outgoing messages (Telegram allows about 30/s).
	RatePerSecond float64 `yaml:"rate_per_second"`
	// QuestionsPerMinute is the per-resident flood limit.
	QuestionsPerMinute int `yaml:"questions_per_minute"`
	// TicketReminder re-announces hand-over tickets unanswered this long.
	TicketReminder time.Duration `yaml:"ticket_reminder"`
	// ResponseTime is what residents are told to expect after a hand-over.
	ResponseTime string `yaml:"response_time"`
}

// Webhook switches the bot from long polling to a webhook.
type Webhook struct {
	// URL is the public HTTPS address Telegram posts to (TLS is terminated
	// by a reverse proxy); empty means long polling.
	URL string `yaml:"url"`
	// Listen is the local address the webhook handler listens on.
	Listen string `yaml:"listen"`
	// SecretToken is checked against X-Telegram-Bot-Api-Secret-Token.
	SecretToken string `yaml:"secret_token"`
}

// Schedules configures campaigns.
type Schedules struct {
	Timezone string `yaml:"timezone"`
	// CatchUp is how late a missed occurrence may still be sent.
	CatchUp   time.Duration        `yaml:"catch_up"`
	Campaigns []schedules.Campaign `yaml:"campaigns"`
}

// HTTP configures the health and metrics endpoint.
type HTTP struct {
	// Listen is host:port for /healthz and /metrics; empty disables it.
	Listen string `yaml:"listen"`
}

// Privacy configures retention of residents' data.
type Privacy struct {
	// RetainDays is how long question text is kept; counts stay.
	RetainDays int `yaml:"retain_days"`
	// KeyFile is where the pseudonym key lives (never in the database);
	// "" means pseudonym.key in data_dir.
	KeyFile string `yaml:"key_file"`
	// Key is the pseudonym key from PUFABOT_PSEUDONYM_KEY (hexadecimal),
	// which replaces the key file; never read from the file.
	Key string `yaml:"-"`
}

// Bounds of numeric settings. A value beyond them is a typo, and a huge one
// can overflow the arithmetic that uses it (a retention period of 2⁶³ days
// wraps the cut-off date into the future and would purge everything).
const (
	// MaxTelegramID bounds user and chat ids: Telegram ids have at most 52
	// significant bits.
	MaxTelegramID = 1<<52 - 1
	// MaxRatePerSecond is Telegram's overall limit for a bot.
	MaxRatePerSecond = 30
	// MaxQuestionsPerMinute is far above what a person can type.
	MaxQuestionsPerMinute = 600
	// MaxTicketReminder and MaxCatchUp are a month.
	MaxTicketReminder = 30 * 24 * time.Hour
	MaxCatchUp        = 30 * 24 * time.Hour
)

// Default returns the built-in configuration, usable with no file.
func Default() Config {
	return Config{
		DataDir:   "data",
		Office:    "司法所",
		Log:       Log{Level: "info", Format: "text"},
		Knowledge: Knowledge{Embedded: true},
		Telegram: Telegram{
			RatePerSecond:      25,
			QuestionsPerMinute: 20,
			TicketReminder:     4 * time.Hour,
			ResponseTime:       "工作日24小时内",
			Webhook:            Webhook{Listen: ":8443"},
		},
		Schedules: Schedules{Timezone: "Asia/Shanghai", CatchUp: 6 * time.Hour},
		HTTP:      HTTP{Listen: "127.0.0.1:8080"},
		Privacy:   Privacy{RetainDays: 180},
	}
}

// Load builds the configuration from defaults, the file at path (skipped
// when path is "" ), the environment, and validates it.
func Load(path string, getenv func(string) string) (Config, error) {
	cfg := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		if err := Parse(path, data, &cfg); err != nil {
			return cfg, err
		}
	}
	if getenv != nil {
		if tok := getenv(EnvToken); tok != "" {
			cfg.Telegram.Token = tok
		}
		cfg.Privacy.Key = strings.TrimSpace(getenv(EnvPseudonymKey))
		if u := strings.TrimSpace(getenv(EnvDatabaseURL)); u != "" {
			cfg.Database.URL = u
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("config %s: %w", displayName(path), err)
	}
	return cfg, nil
}

func displayName(path string) string {
	if path == "" {
		return "(built-in defaults)"
	}
	return path
}

// Parse decodes YAML into cfg strictly. Errors name the file, line and key.
// A file holds one YAML document: a second one (after "---") would be
// silently ignored by the decoder, so it is an error.
func Parse(name string, data []byte, cfg *Config) error {
	root, err := singleDocument(data)
	if err != nil {
		return fmt.Errorf("config %s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if root == nil || len(root.Content) == 0 {
		return nil // empty file: defaults
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err = dec.Decode(cfg)
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		keys := keyLines(root)
		msgs := make([]string, 0, len(te.Errors))
		for _, m := range te.Errors {
			msgs = append(msgs, describe(m, keys))
		}
		return fmt.Errorf("config %s: %s", name, strings.Join(msgs, "; "))
	}
	return fmt.Errorf("config %s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
}

// singleDocument parses data and returns its first YAML document (nil for
// an empty file). Any later document that holds something is an error
// naming its line; an empty one (a trailing "---") is harmless.
func singleDocument(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var first *yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return first, nil
		}
		if err != nil {
			return nil, err
		}
		if first == nil {
			first = &doc
			continue
		}
		if !emptyDocument(&doc) {
			return nil, fmt.Errorf("line %d: a second YAML document (after \"---\") is not allowed: put every setting in one document", doc.Line)
		}
	}
}

func emptyDocument(doc *yaml.Node) bool {
	for _, c := range doc.Content {
		if c.Kind != yaml.ScalarNode || c.Tag != "!!null" {
			return false
		}
	}
	return true
}

var lineRe = regexp.MustCompile(`^line (\d+): (.*)$`)
var unknownRe = regexp.MustCompile(`^field (\S+) not found in type`)

// describe rewrites one yaml.v3 type error ("line 7: field foo not found in
// type config.Telegram") as "line 7: unknown key telegram.foo".
func describe(msg string, keys map[int]string) string {
	m := lineRe.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	line, _ := strconv.Atoi(m[1])
	key := keys[line]
	if u := unknownRe.FindStringSubmatch(m[2]); u != nil {
		if key == "" {
			key = u[1]
		}
		return fmt.Sprintf("line %d: unknown key %q", line, key)
	}
	if key != "" {
		return fmt.Sprintf("line %d: key %q: %s", line, key, m[2])
	}
	return fmt.Sprintf("line %d: %s", line, m[2])
}

// keyLines maps each line holding a mapping key or a sequence item to its
// dotted path, e.g. 7 → "telegram.admins[0]".
func keyLines(root *yaml.Node) map[int]string {
	out := map[int]string{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				out[k.Line] = p
				if v.Line != k.Line || v.Kind != yaml.ScalarNode {
					if _, ok := out[v.Line]; !ok || v.Kind == yaml.ScalarNode {
						out[v.Line] = p
					}
				}
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				if c.Kind == yaml.ScalarNode {
					out[c.Line] = p
				}
				walk(c, p)
			}
		}
	}
	walk(root, "")
	return out
}

// Location returns the configured campaign time zone.
func (c Config) Location() (*time.Location, error) {
	return time.LoadLocation(c.Schedules.Timezone)
}

// Validate checks values that YAML types cannot.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.DataDir) == "" {
		errs = append(errs, errors.New("data_dir must not be empty"))
	}
	if strings.TrimSpace(c.Office) == "" || len([]rune(c.Office)) > 30 {
		errs = append(errs, fmt.Errorf("office %q: want a name of 1 to 30 characters", c.Office))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log.level %q: want debug, info, warn or error", c.Log.Level))
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log.format %q: want text or json", c.Log.Format))
	}
	for i, d := range c.Knowledge.Laws {
		if strings.TrimSpace(d) == "" {
			errs = append(errs, fmt.Errorf("knowledge.laws[%d] is empty", i))
		}
	}
	if c.Telegram.ServerURL != "" && !strings.HasPrefix(c.Telegram.ServerURL, "http://") && !strings.HasPrefix(c.Telegram.ServerURL, "https://") {
		errs = append(errs, fmt.Errorf("telegram.server_url %q: want an http:// or https:// URL", c.Telegram.ServerURL))
	}
	if c.Telegram.Token != "" && !strings.Contains(c.Telegram.Token, ":") {
		errs = append(errs, errors.New("telegram.token does not look like a bot token (want <id>:<secret>)"))
	}
	for i, id := range c.Telegram.Admins {
		if id <= 0 || id > MaxTelegramID {
			errs = append(errs, fmt.Errorf("telegram.admins[%d]: %d is not a user id", i, id))
		}
	}
	if id := c.Telegram.StaffChat; id < -MaxTelegramID || id > MaxTelegramID {
		errs = append(errs, fmt.Errorf("telegram.staff_chat %d is not a chat id", id))
	}
	// NaN compares false with everything: test for the range, not outside it.
	if r := c.Telegram.RatePerSecond; !(r > 0 && r <= MaxRatePerSecond) {
		errs = append(errs, fmt.Errorf("telegram.rate_per_second %v: want more than 0 and at most %d", r, MaxRatePerSecond))
	}
	if n := c.Telegram.QuestionsPerMinute; n < 1 || n > MaxQuestionsPerMinute {
		errs = append(errs, fmt.Errorf("telegram.questions_per_minute %d: want 1 to %d", n, MaxQuestionsPerMinute))
	}
	if d := c.Telegram.TicketReminder; d < time.Minute || d > MaxTicketReminder {
		errs = append(errs, fmt.Errorf("telegram.ticket_reminder %s: want 1m to %s", d, MaxTicketReminder))
	}
	if w := c.Telegram.Webhook; w.URL != "" {
		if !strings.HasPrefix(w.URL, "https://") {
			errs = append(errs, fmt.Errorf("telegram.webhook.url %q: Telegram requires https://", w.URL))
		}
		if w.SecretToken == "" {
			errs = append(errs, errors.New("telegram.webhook.secret_token is required with telegram.webhook.url"))
		}
	}
	if loc, err := time.LoadLocation(c.Schedules.Timezone); err != nil || c.Schedules.Timezone == "" {
		errs = append(errs, fmt.Errorf("schedules.timezone %q: unknown time zone", c.Schedules.Timezone))
	} else if err := schedules.Validate(c.AllCampaigns(), loc); err != nil {
		errs = append(errs, fmt.Errorf("schedules.campaigns: %w", err))
	}
	if d := c.Schedules.CatchUp; d < 0 || d > MaxCatchUp {
		errs = append(errs, fmt.Errorf("schedules.catch_up %s: want 0s to %s", d, MaxCatchUp))
	}
	if err := c.validateOffices(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Database.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Web.validate(); err != nil {
		errs = append(errs, err)
	}
	if n := c.Privacy.RetainDays; n < 1 || n > store.MaxRetainDays {
		errs = append(errs, fmt.Errorf("privacy.retain_days %d: want 1 to %d days", n, store.MaxRetainDays))
	}
	if c.Privacy.KeyFile != "" && strings.TrimSpace(c.Privacy.KeyFile) == "" {
		errs = append(errs, errors.New("privacy.key_file is blank: leave it out for pseudonym.key in data_dir, or give a path"))
	}
	if c.Privacy.Key != "" {
		if k, err := hex.DecodeString(c.Privacy.Key); err != nil || len(k) < 16 {
			errs = append(errs, fmt.Errorf("%s: want at least 32 hexadecimal digits (for example from `openssl rand -hex 32`)", EnvPseudonymKey))
		}
	}
	return errors.Join(errs...)
}

// Redacted returns a copy safe to print or log: secrets are masked.
func (c Config) Redacted() Config {
	if c.Telegram.Token != "" {
		c.Telegram.Token = "***"
	}
	if c.Telegram.Webhook.SecretToken != "" {
		c.Telegram.Webhook.SecretToken = "***"
	}
	if c.Privacy.Key != "" {
		c.Privacy.Key = "***"
	}
	c.Database.URL = redactURL(c.Database.URL)
	return c
}
