-- Chats the bot talks to: residents' private chats and village groups.
-- chat_id is needed to deliver messages; nothing else about a person is kept.
CREATE TABLE chats (
    chat_id      INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,              -- private, group, supergroup, channel
    title        TEXT NOT NULL DEFAULT '',   -- group title (empty for private chats)
    group_registered INTEGER NOT NULL DEFAULT 0, -- staff registered this group for campaigns
    blocked_at   INTEGER,                    -- unix seconds when Telegram said 403
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- Subscriptions: topic '*' means every campaign.
CREATE TABLE subscriptions (
    chat_id    INTEGER NOT NULL REFERENCES chats(chat_id) ON DELETE CASCADE,
    topic      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, topic)
);

-- Anonymous subscription events, kept for "subscribers gained and lost".
CREATE TABLE subscription_events (
    id    INTEGER PRIMARY KEY,
    at    INTEGER NOT NULL,
    kind  TEXT NOT NULL,   -- subscribe, unsubscribe, blocked, forget
    topic TEXT NOT NULL DEFAULT '*'
);
CREATE INDEX subscription_events_at ON subscription_events(at);

-- One row per question asked (人次). resident is a keyed hash, never a raw id.
CREATE TABLE consultations (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,               -- unix seconds, UTC
    resident    TEXT NOT NULL DEFAULT '',       -- pseudonym; '' for anonymous/offline records
    channel     TEXT NOT NULL DEFAULT 'telegram', -- telegram, cli, phone, visit, other
    chat_type   TEXT NOT NULL DEFAULT '',       -- private, group, supergroup
    topic       TEXT NOT NULL DEFAULT '',       -- topic id, '' when unknown
    answer_kind TEXT NOT NULL DEFAULT '',       -- citation, faq, articles, none
    articles    TEXT NOT NULL DEFAULT '',       -- cited articles, one citation per line
    faq_id      TEXT NOT NULL DEFAULT '',
    question    TEXT,                           -- deleted after privacy.retain_days
    feedback    INTEGER NOT NULL DEFAULT 0,     -- 1 helpful, -1 not helpful, 0 none
    handed_over INTEGER NOT NULL DEFAULT 0,
    latency_ms  REAL NOT NULL DEFAULT 0
);
CREATE INDEX consultations_at ON consultations(at);
CREATE INDEX consultations_resident ON consultations(resident);

-- Hand-over tickets: a resident asked for a person.
CREATE TABLE tickets (
    id            INTEGER PRIMARY KEY,
    consultation_id INTEGER REFERENCES consultations(id) ON DELETE SET NULL,
    chat_id       INTEGER,                 -- where to relay staff replies; NULL after /forget
    resident      TEXT NOT NULL DEFAULT '',
    question      TEXT,
    answer        TEXT,
    status        TEXT NOT NULL DEFAULT 'open', -- open, answered, closed
    created_at    INTEGER NOT NULL,
    first_reply_at INTEGER,
    closed_at     INTEGER,
    announced_at  INTEGER NOT NULL          -- last time staff were told about it
);
CREATE INDEX tickets_status ON tickets(status);

-- Messages in the staff chat that stand for a ticket (announcement and reminders),
-- so a reply to any of them reaches the resident.
CREATE TABLE ticket_messages (
    message_id INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE
);

-- One firing of a campaign (scheduled, manual run or staff broadcast).
CREATE TABLE occurrences (
    id           INTEGER PRIMARY KEY,
    campaign_id  TEXT NOT NULL,
    scheduled_at INTEGER NOT NULL,
    kind         TEXT NOT NULL DEFAULT 'scheduled', -- scheduled, manual, broadcast
    title        TEXT NOT NULL DEFAULT '',
    audience     TEXT NOT NULL DEFAULT 'subscribers',
    message      TEXT NOT NULL,
    buttons      TEXT NOT NULL DEFAULT '',  -- JSON
    status       TEXT NOT NULL DEFAULT 'pending', -- pending, running, done, skipped
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    UNIQUE (campaign_id, scheduled_at)
);
CREATE INDEX occurrences_status ON occurrences(status);

-- One recipient of one occurrence.
CREATE TABLE deliveries (
    occurrence_id INTEGER NOT NULL REFERENCES occurrences(id) ON DELETE CASCADE,
    chat_id       INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending', -- pending, sent, blocked, failed
    attempts      INTEGER NOT NULL DEFAULT 0,
    sent_at       INTEGER,
    error         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (occurrence_id, chat_id)
);
CREATE INDEX deliveries_pending ON deliveries(occurrence_id, status);

-- Small durable settings: the pseudonym key, the Telegram update offset.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
