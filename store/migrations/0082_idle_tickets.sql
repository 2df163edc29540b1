-- A blocked resident's chat records the fact, not the time: a time next to
-- a Telegram id could be matched with a consultation's.
UPDATE chats SET blocked_at = 0 WHERE kind = 'private' AND blocked_at IS NOT NULL;

-- When a ticket last saw activity (announced, answered, written to): the
-- retention job closes tickets left idle, so that their chat id and
-- pseudonym do not stay forever.
ALTER TABLE tickets ADD COLUMN active_at INTEGER NOT NULL DEFAULT 0;
UPDATE tickets SET active_at = CASE WHEN COALESCE(first_reply_at, 0) > announced_at THEN first_reply_at ELSE announced_at END;
