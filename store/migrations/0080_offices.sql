-- A county runs one service for its townships' offices. Every record says
-- which office it belongs to; '' is the one implicit office of a single
-- township, so a database from before offices needs nothing else.
ALTER TABLE consultations ADD COLUMN office TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN office TEXT NOT NULL DEFAULT '';
ALTER TABLE occurrences ADD COLUMN office TEXT NOT NULL DEFAULT '';  -- '' = the shared calendar, every office
ALTER TABLE deliveries ADD COLUMN office TEXT NOT NULL DEFAULT '';   -- the recipient's office when it was sent
ALTER TABLE chats ADD COLUMN office TEXT NOT NULL DEFAULT '';        -- a subscriber's or a registered group's office
ALTER TABLE subscription_events ADD COLUMN office TEXT NOT NULL DEFAULT '';

-- The office a resident chose (deep link, /start, /office), by pseudonym:
-- no Telegram id and no time, like the consultations it scopes.
CREATE TABLE resident_offices (
    resident TEXT PRIMARY KEY,
    office   TEXT NOT NULL
);

-- Office reports read one office's consultations of a period.
CREATE INDEX consultations_office_at ON consultations(office, at);
CREATE INDEX tickets_office ON tickets(office, status);
