-- A mailbox a store's mail is read from by IMAP: its address (sealed by the application), where
-- the reading stands (UIDVALIDITY and the last UID stored), and the poll's claim, so one
-- server reads it at a time.
CREATE TABLE mailboxes (
    store_id UUID PRIMARY KEY REFERENCES stores(id),
    sealed_url BYTEA NOT NULL,
    shown_as TEXT NOT NULL CHECK (length(shown_as) BETWEEN 1 AND 500),
    uid_validity BIGINT,
    last_uid BIGINT,
    next_poll_at_us BIGINT NOT NULL,
    last_polled_at_us BIGINT,
    last_error TEXT,
    messages_read BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX mailboxes_due ON mailboxes (next_poll_at_us);
