-- The resolution engine: returns, claims, store policies and idempotency keys. Every row
-- carries store_id; every query filters on it.

-- Customer history (cases in the last 90 days) is counted per customer.
ALTER TABLE cases ADD COLUMN customer_id UUID;
UPDATE cases SET customer_id = (doc->>'customer_id')::uuid;
CREATE INDEX cases_customer ON cases(store_id, customer_id, created_at_us);

CREATE TABLE returns (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    case_id UUID NOT NULL REFERENCES cases(id),
    order_id UUID NOT NULL REFERENCES orders(id),
    customer_id UUID,
    status TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    version BIGINT NOT NULL CHECK (version > 0),
    doc JSONB NOT NULL
);
CREATE INDEX returns_case ON returns(store_id, case_id, created_at_us);
CREATE INDEX returns_order ON returns(store_id, order_id);
CREATE INDEX returns_customer ON returns(store_id, customer_id, created_at_us);

CREATE TABLE claims (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    case_id UUID NOT NULL REFERENCES cases(id),
    order_id UUID NOT NULL REFERENCES orders(id),
    customer_id UUID,
    resolution TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    doc JSONB NOT NULL
);
CREATE INDEX claims_case ON claims(store_id, case_id, created_at_us);
CREATE INDEX claims_customer ON claims(store_id, customer_id, created_at_us);

-- Every version of a store's policy document is kept; the highest is in force.
CREATE TABLE policies (
    store_id UUID NOT NULL REFERENCES stores(id),
    version BIGINT NOT NULL CHECK (version > 0),
    policy_id TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    PRIMARY KEY (store_id, version)
);

-- Idempotency-Key → first answer, per store. The key is reserved in the transaction of the
-- write it guards, so a retry can never carry the write out twice.
CREATE TABLE idempotency_keys (
    store_id UUID NOT NULL REFERENCES stores(id),
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    body TEXT,
    created_at_us BIGINT NOT NULL,
    PRIMARY KEY (store_id, key)
);
