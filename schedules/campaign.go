package schedules

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
}

// Button is a link button under a campaign message.
type Button struct {
	Text string `yaml:"text"`
	URL  string `yaml:"url"`
}
