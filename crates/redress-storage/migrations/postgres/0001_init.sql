-- Every table carries store_id; every query filters on it. Timestamps are Unix microseconds,
-- as in the SQLite schema, so both backends order and page identically.
-- Each row keeps the full domain value as JSONB (`doc`) beside the columns queries filter on.
CREATE TABLE stores (
    id UUID PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    next_case_number BIGINT NOT NULL DEFAULT 1 CHECK (next_case_number > 0),
    created_at_us BIGINT NOT NULL,
    doc JSONB NOT NULL
);

CREATE TABLE api_keys (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    label TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at_us BIGINT NOT NULL
);
CREATE INDEX api_keys_store ON api_keys(store_id);

CREATE TABLE customers (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    email TEXT NOT NULL,
    doc JSONB NOT NULL,
    UNIQUE (store_id, email)
);

CREATE TABLE orders (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    number TEXT NOT NULL,
    customer_id UUID NOT NULL REFERENCES customers(id),
    placed_at_us BIGINT NOT NULL,
    doc JSONB NOT NULL,
    UNIQUE (store_id, number)
);
CREATE INDEX orders_customer ON orders(store_id, customer_id, placed_at_us);

CREATE TABLE cases (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    number BIGINT NOT NULL,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    priority TEXT NOT NULL,
    assignee TEXT,
    order_id UUID,
    created_at_us BIGINT NOT NULL,
    version BIGINT NOT NULL,
    doc JSONB NOT NULL,
    UNIQUE (store_id, number)
);
CREATE INDEX cases_store_created ON cases(store_id, created_at_us DESC, id DESC);
CREATE INDEX cases_store_status ON cases(store_id, status, created_at_us DESC);

CREATE TABLE messages (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    case_id UUID NOT NULL REFERENCES cases(id),
    created_at_us BIGINT NOT NULL,
    doc JSONB NOT NULL
);
CREATE INDEX messages_case ON messages(store_id, case_id, created_at_us);

CREATE TABLE timeline (
    seq BIGSERIAL PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    case_id UUID NOT NULL REFERENCES cases(id),
    at_us BIGINT NOT NULL,
    doc JSONB NOT NULL
);
CREATE INDEX timeline_case ON timeline(store_id, case_id, seq);

-- Append-only: refuse updates and deletes of timeline rows.
CREATE FUNCTION timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the timeline is append-only';
END;
$$;
CREATE TRIGGER timeline_no_change BEFORE UPDATE OR DELETE ON timeline
    FOR EACH ROW EXECUTE FUNCTION timeline_append_only();
