-- The web front: hand-over tickets opened from the resident chat page,
-- staff replies kept for the page to show, and the staff console's
-- one-time login links and sessions. Tokens are stored only as SHA-256
-- hashes, so a copy of the database cannot be used to log in.
CREATE TABLE web_tickets (
    ticket_id    INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    session_hash TEXT NOT NULL
);
CREATE INDEX web_tickets_session ON web_tickets(session_hash);

CREATE TABLE ticket_replies (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    text      TEXT NOT NULL
);
CREATE INDEX ticket_replies_ticket ON ticket_replies(ticket_id);

CREATE TABLE console_links (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

CREATE TABLE console_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
