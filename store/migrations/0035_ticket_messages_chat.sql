-- Staff-chat messages that stand for a ticket are keyed by chat as well as
-- message id: message ids are only unique within a chat, and after the
-- staff chat changes (a new group, or a group upgraded to a supergroup) a
-- reply to an unrelated message with a reused id must not reach a
-- resident. Rows from before this migration have chat_id 0 (unknown).
CREATE TABLE ticket_messages_by_chat (
    chat_id    INTEGER NOT NULL DEFAULT 0,
    message_id INTEGER NOT NULL,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    PRIMARY KEY (chat_id, message_id)
);
INSERT INTO ticket_messages_by_chat(chat_id, message_id, ticket_id) SELECT 0, message_id, ticket_id FROM ticket_messages;
DROP TABLE ticket_messages;
ALTER TABLE ticket_messages_by_chat RENAME TO ticket_messages;
CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id);
