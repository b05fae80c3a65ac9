-- Every table carries store_id; every query filters on it. Timestamps are Unix microseconds.
-- Each row keeps the full domain value as JSON (`doc`) beside the columns queries filter on.
CREATE TABLE stores (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    next_case_number INTEGER NOT NULL DEFAULT 1 CHECK (next_case_number > 0),
    created_at_us INTEGER NOT NULL,
    doc TEXT NOT NULL
) STRICT;

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    label TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX api_keys_store ON api_keys(store_id);

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    email TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (store_id, email)
) STRICT;

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    number TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    placed_at_us INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (store_id, number)
) STRICT;
CREATE INDEX orders_customer ON orders(store_id, customer_id, placed_at_us);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    number INTEGER NOT NULL,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    priority TEXT NOT NULL,
    assignee TEXT,
    order_id TEXT,
    created_at_us INTEGER NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (store_id, number)
) STRICT;
CREATE INDEX cases_store_created ON cases(store_id, created_at_us DESC, id DESC);
CREATE INDEX cases_store_status ON cases(store_id, status, created_at_us DESC);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    created_at_us INTEGER NOT NULL,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX messages_case ON messages(store_id, case_id, created_at_us);

-- Append-only: no statement in Redress updates or deletes a timeline row, and triggers
-- refuse it should anyone try by hand.
CREATE TABLE timeline (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id TEXT NOT NULL REFERENCES stores(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    at_us INTEGER NOT NULL,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX timeline_case ON timeline(store_id, case_id, seq);
CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;
CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;
