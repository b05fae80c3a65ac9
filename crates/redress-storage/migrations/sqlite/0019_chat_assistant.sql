-- The assistant on messaging apps: a conversation is found again by the channel identity that
-- writes to it (`chat_sender`, such as `whatsapp:48600100200`), and its answers leave through
-- the outbox before any case exists, so an outbox entry's case and message become optional.
ALTER TABLE assistant_conversations ADD COLUMN chat_sender TEXT
    CHECK (chat_sender IS NULL OR length(chat_sender) BETWEEN 1 AND 300);
CREATE INDEX assistant_conversations_by_sender
    ON assistant_conversations (store_id, chat_sender, updated_at_us) WHERE chat_sender IS NOT NULL;

-- SQLite cannot drop a NOT NULL: the table is rebuilt with the same rows.
CREATE TABLE outbox_rebuilt (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    case_id TEXT REFERENCES cases(id),
    message_id TEXT,
    channel TEXT NOT NULL,
    provider_message_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at_us INTEGER NOT NULL,
    last_error TEXT,
    created_at_us INTEGER NOT NULL,
    sent_at_us INTEGER,
    doc TEXT NOT NULL,
    delivered_as TEXT CHECK (delivered_as IS NULL OR length(delivered_as) BETWEEN 1 AND 998),
    delivery TEXT CHECK (delivery IS NULL OR delivery IN ('sent', 'delivered', 'read', 'failed')),
    CHECK ((case_id IS NULL) = (message_id IS NULL)),
    UNIQUE (store_id, channel, provider_message_id)
) STRICT;
INSERT INTO outbox_rebuilt (id, store_id, case_id, message_id, channel, provider_message_id, status, attempts,
                            next_attempt_at_us, last_error, created_at_us, sent_at_us, doc, delivered_as, delivery)
    SELECT id, store_id, case_id, message_id, channel, provider_message_id, status, attempts,
           next_attempt_at_us, last_error, created_at_us, sent_at_us, doc, delivered_as, delivery
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at_us);
CREATE INDEX outbox_by_case ON outbox (store_id, case_id, created_at_us);
CREATE INDEX outbox_by_delivered_as ON outbox (channel, delivered_as) WHERE delivered_as IS NOT NULL;
