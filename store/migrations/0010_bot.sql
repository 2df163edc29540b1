-- Telegram updates as received: the inbox that lets the bot finish handling
-- an update after a restart, and the record that de-duplicates update ids
-- (Telegram may deliver an update again when an acknowledgement is lost).
-- payload is dropped as soon as the update is handled.
CREATE TABLE telegram_updates (
    update_id   INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    payload     BLOB,
    attempts    INTEGER NOT NULL DEFAULT 0,   -- times handling was started after a restart
    done_at     INTEGER
);
CREATE INDEX telegram_updates_pending ON telegram_updates(update_id) WHERE done_at IS NULL;
CREATE INDEX telegram_updates_received ON telegram_updates(received_at);

-- Messages in a resident's chat that carry a staff reply, so that the
-- resident's reply to one of them reaches the same ticket.
CREATE TABLE ticket_relays (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX ticket_relays_ticket ON ticket_relays(ticket_id);
CREATE INDEX tickets_chat ON tickets(chat_id);
