package bot

import "github.com/pufabot/pufabot/internal/metrics"

// instruments are the bot's metrics; with a nil registry every one is a
// no-op.
type instruments struct {
	updates    *metrics.Counter   // by kind
	duplicates *metrics.Counter   // updates delivered again and skipped
	answers    *metrics.Counter   // by answer kind
	latency    *metrics.Histogram // update received → answer sent
	blocked    *metrics.Counter   // chats that blocked the bot
	panics     *metrics.Counter
	handovers  *metrics.Counter
	refused    *metrics.Counter // staff commands from non-staff
	limited    *metrics.Counter // questions refused by the flood limit
}

func newInstruments(r *metrics.Registry) instruments {
	return instruments{
		updates:    r.Counter("pufabot_bot_updates_total", "Telegram updates received, by kind.", "kind"),
		duplicates: r.Counter("pufabot_bot_duplicate_updates_total", "Telegram updates received again and skipped."),
		answers:    r.Counter("pufabot_bot_answers_total", "Questions answered, by how they were answered.", "kind"),
		latency: r.Histogram("pufabot_bot_answer_latency_seconds", "Time from receiving a question to sending its answer.",
			[]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}),
		blocked:   r.Counter("pufabot_bot_blocked_chats_total", "Chats found to have blocked the bot (403)."),
		panics:    r.Counter("pufabot_bot_handler_panics_total", "Update handlers that panicked (recovered)."),
		handovers: r.Counter("pufabot_bot_handovers_total", "Hand-over tickets opened."),
		refused:   r.Counter("pufabot_bot_staff_refusals_total", "Staff commands refused to users who are not staff."),
		limited:   r.Counter("pufabot_bot_flood_limited_total", "Questions refused by the per-resident flood limit."),
	}
}
