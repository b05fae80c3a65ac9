-- Channels: the addresses a store takes mail at, the identities customers write from, every
-- message received (kept raw, de-duplicated by the provider's id), the outbox of messages to
-- send and the dead letters that could not be read or stored.
CREATE TABLE support_addresses (
    address TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    position INTEGER NOT NULL,
    created_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX support_addresses_by_store ON support_addresses (store_id);

CREATE TABLE channel_accounts (
    channel TEXT NOT NULL CHECK (channel IN ('whatsapp', 'messenger', 'instagram', 'telegram')),
    account_id TEXT NOT NULL CHECK (length(account_id) BETWEEN 1 AND 100),
    store_id TEXT NOT NULL REFERENCES stores(id),
    created_at_us INTEGER NOT NULL,
    PRIMARY KEY (channel, account_id)
) STRICT;
CREATE INDEX channel_accounts_by_store ON channel_accounts (store_id);

CREATE TABLE contact_identities (
    store_id TEXT NOT NULL REFERENCES stores(id),
    kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'whatsapp', 'messenger', 'instagram', 'telegram')),
    value TEXT NOT NULL CHECK (length(value) BETWEEN 1 AND 320),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    created_at_us INTEGER NOT NULL,
    PRIMARY KEY (store_id, kind, value)
) STRICT;
CREATE INDEX contact_identities_by_customer ON contact_identities (store_id, customer_id);

CREATE TABLE inbound_messages (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    channel TEXT NOT NULL,
    provider_message_id TEXT NOT NULL CHECK (length(provider_message_id) BETWEEN 1 AND 998),
    case_id TEXT REFERENCES cases(id),
    message_id TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('case_opened', 'threaded', 'automatic')),
    sender TEXT,
    received_at_us INTEGER NOT NULL,
    raw BLOB NOT NULL,
    UNIQUE (store_id, channel, provider_message_id)
) STRICT;
CREATE INDEX inbound_messages_by_case ON inbound_messages (store_id, case_id, received_at_us);
CREATE INDEX inbound_messages_by_sender ON inbound_messages (store_id, channel, sender, received_at_us);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    message_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    provider_message_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at_us INTEGER NOT NULL,
    last_error TEXT,
    created_at_us INTEGER NOT NULL,
    sent_at_us INTEGER,
    doc TEXT NOT NULL,
    UNIQUE (store_id, channel, provider_message_id)
) STRICT;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at_us);
CREATE INDEX outbox_by_case ON outbox (store_id, case_id, created_at_us);

CREATE TABLE dead_letters (
    id TEXT PRIMARY KEY,
    store_id TEXT REFERENCES stores(id),
    channel TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    raw BLOB NOT NULL,
    received_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX dead_letters_by_store ON dead_letters (store_id, received_at_us);
