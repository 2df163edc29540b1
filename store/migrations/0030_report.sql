-- Indexes for the consultation report and the retention job.

-- The report groups a long period's consultations by these columns. In
-- this order SQLite reads the groups straight off the index, with no sort
-- of a year's rows (see DB.ConsultationTotals).
CREATE INDEX consultations_dims ON consultations(topic, answer_kind, channel, feedback, handed_over, at);

-- Counts the distinct residents of a long period in index order.
CREATE INDEX consultations_resident_at ON consultations(resident, at);

-- Only rows that still hold question text: the daily retention job finds
-- what to delete without scanning the rows already purged.
CREATE INDEX consultations_question_at ON consultations(at) WHERE question IS NOT NULL;

CREATE INDEX tickets_created ON tickets(created_at);

-- Counts sent deliveries and the chats they reached per occurrence from the
-- index alone.
CREATE INDEX deliveries_report ON deliveries(occurrence_id, status, chat_id);

CREATE INDEX occurrences_scheduled ON occurrences(scheduled_at);
