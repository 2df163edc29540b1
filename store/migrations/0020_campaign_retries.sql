-- When a pending delivery may be tried again after a transient error
-- (unix seconds; 0 = now). Campaign retries back off instead of hammering
-- a recipient or the Bot API.
ALTER TABLE deliveries ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
