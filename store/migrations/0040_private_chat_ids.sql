-- A private chat's id is the resident's Telegram id. It is kept only while
-- it is needed (a subscription, an open ticket, a pending delivery), and
-- never next to a time that could be matched with a consultation's.
-- Finished deliveries and closed tickets' relayed messages get a keyed
-- stand-in (store.ChatRef) when the database is next opened with its key.

-- Private chats without a subscription: residents who only asked.
DELETE FROM chats WHERE kind = 'private' AND chat_id NOT IN (SELECT chat_id FROM subscriptions);
UPDATE chats SET created_at = 0, updated_at = 0 WHERE kind = 'private';

-- Subscriptions without a time, and without rowids, whose order would tell
-- when each was made (matched with the anonymous events).
CREATE TABLE subscriptions_private (
    chat_id    INTEGER NOT NULL REFERENCES chats(chat_id) ON DELETE CASCADE,
    topic      TEXT NOT NULL,
    created_at INTEGER NOT NULL DEFAULT 0,  -- always 0: no time is kept
    PRIMARY KEY (chat_id, topic)
) WITHOUT ROWID;
INSERT INTO subscriptions_private(chat_id, topic, created_at) SELECT chat_id, topic, 0 FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_private RENAME TO subscriptions;

-- Anonymous events keep the kind and time only: a topic and a time could
-- be matched with a consultation and the few subscribers of that topic.
-- Their time is kept to the hour (reports count by day).
UPDATE subscription_events SET topic = '*', at = at - at % 3600;

-- A closed ticket needs no way to reach the resident.
UPDATE tickets SET chat_id = NULL WHERE status = 'closed';

-- Send errors used to quote the chat id.
UPDATE deliveries SET error = replace(error, 'to chat ' || chat_id || ':', 'to a resident''s chat:')
WHERE chat_id > 0 AND error <> '';

-- Handled updates are kept a while only to recognise repeats.
UPDATE telegram_updates SET chat_id = 0 WHERE done_at IS NOT NULL;
