-- Learning from past cases (issue 15): analytics that stay fast at a million cases.
--
-- case_facts: one row per case with what analytics groups by, kept by triggers on cases,
-- timeline and refunds (in the writing transaction, so no write path has to remember it).
-- SKU, carrier, region (shipping country) and currency are the order's as the case is opened
-- or its order changes: the case's first line's SKU, else the order's first line; the first
-- parcel's carrier. First response: the first outbound message, by anyone. Resolved: when the
-- status last became resolved or closed (a reopen clears it). by_person: an agent acted on it.
CREATE TABLE case_facts (
    case_id UUID PRIMARY KEY REFERENCES cases(id),
    store_id UUID NOT NULL REFERENCES stores(id),
    day INTEGER NOT NULL,             -- days since 1970-01-01 (UTC) of the opening
    opened_at_us BIGINT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    fault TEXT NOT NULL,
    sku TEXT NOT NULL,                -- '' when unknown, likewise below
    carrier TEXT NOT NULL,
    region TEXT NOT NULL,
    currency TEXT NOT NULL,
    first_response_us BIGINT,
    resolved_us BIGINT,
    by_person BOOLEAN NOT NULL DEFAULT false,
    refund_minor BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX case_facts_sku ON case_facts(store_id, sku, day);
CREATE INDEX case_facts_carrier ON case_facts(store_id, carrier, day);
CREATE INDEX case_facts_region ON case_facts(store_id, region, day);
CREATE INDEX case_facts_kind ON case_facts(store_id, kind, sku, day);

-- case_rollup: the facts added up per store, dimension, value, day and currency. A query over
-- any date range reads at most days × values short rows, whatever the number of cases.
CREATE TABLE case_rollup (
    store_id UUID NOT NULL,
    dim TEXT NOT NULL,
    day INTEGER NOT NULL,
    value TEXT NOT NULL,
    currency TEXT NOT NULL,
    opened BIGINT NOT NULL,
    responded BIGINT NOT NULL,
    response_s BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    resolution_s BIGINT NOT NULL,
    automated BIGINT NOT NULL,
    refund_minor BIGINT NOT NULL,
    damaged BIGINT NOT NULL,
    lost BIGINT NOT NULL,
    not_as_described BIGINT NOT NULL,
    returns BIGINT NOT NULL,
    PRIMARY KEY (store_id, dim, day, value, currency)
-- Every case change rewrites a few of these rows: room on each page lets the new version stay
-- on it (a HOT update, no index entry), so the rows read by a range stay together.
) WITH (fillfactor = 70);

-- Units ordered per SKU and day, for the return rate.
CREATE TABLE sku_sales (
    store_id UUID NOT NULL,
    sku TEXT NOT NULL,
    day INTEGER NOT NULL,
    units BIGINT NOT NULL,
    PRIMARY KEY (store_id, sku, day)
);

-- What a fact row adds to the rollup (sign 1) or takes out of it (sign -1): a row per dimension.
CREATE FUNCTION case_fact_contributions(f case_facts, k BIGINT) RETURNS SETOF case_rollup LANGUAGE sql STABLE AS $$
    SELECT f.store_id, d.dim, f.day, d.value, f.currency, k,
           k * (f.first_response_us IS NOT NULL)::int,
           k * coalesce((f.first_response_us - f.opened_at_us) / 1000000, 0),
           k * (f.resolved_us IS NOT NULL)::int,
           k * coalesce((f.resolved_us - f.opened_at_us) / 1000000, 0),
           k * (f.resolved_us IS NOT NULL AND NOT f.by_person)::int,
           k * f.refund_minor,
           k * (f.kind = 'damaged_in_transit')::int, k * (f.kind = 'not_received')::int,
           k * (f.kind = 'not_as_described')::int, k * (f.kind IN ('return_request', 'exchange_request'))::int
    FROM (VALUES ('kind', f.kind), ('channel', f.channel), ('language', f.language), ('fault', f.fault),
                 ('sku', f.sku), ('carrier', f.carrier), ('region', f.region)) AS d(dim, value)
$$;

-- Old and new contributions in one statement in key order, so two transactions cannot lock
-- the same rollup rows in opposite orders within it.
CREATE FUNCTION case_rollup_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_rollup AS r
    SELECT store_id, dim, day, value, currency, sum(opened), sum(responded), sum(response_s), sum(resolved),
           sum(resolution_s), sum(automated), sum(refund_minor), sum(damaged), sum(lost), sum(not_as_described), sum(returns)
    FROM (SELECT * FROM case_fact_contributions(NEW, 1)
          UNION ALL SELECT * FROM case_fact_contributions(OLD, -1) WHERE TG_OP = 'UPDATE') AS c
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (store_id, dim, day, value, currency) DO UPDATE SET
        opened = r.opened + excluded.opened, responded = r.responded + excluded.responded,
        response_s = r.response_s + excluded.response_s, resolved = r.resolved + excluded.resolved,
        resolution_s = r.resolution_s + excluded.resolution_s, automated = r.automated + excluded.automated,
        refund_minor = r.refund_minor + excluded.refund_minor, damaged = r.damaged + excluded.damaged,
        lost = r.lost + excluded.lost, not_as_described = r.not_as_described + excluded.not_as_described,
        returns = r.returns + excluded.returns;
    RETURN NULL;
END;
$$;
CREATE TRIGGER case_rollup_add AFTER INSERT ON case_facts FOR EACH ROW EXECUTE FUNCTION case_rollup_follow();
CREATE TRIGGER case_rollup_move AFTER UPDATE ON case_facts FOR EACH ROW
    WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION case_rollup_follow();

-- The dimensions a case takes from itself and its order.
CREATE VIEW case_fact_sources AS
    SELECT c.id AS case_id, c.store_id, (c.created_at_us / 86400000000)::int AS day, c.created_at_us AS opened_at_us, c.kind,
           coalesce(c.inbox_channel, '') AS channel, coalesce(c.inbox_language, '') AS language,
           coalesce(c.doc->'fault'->>'case', 'unknown') AS fault,
           coalesce(c.doc->'lines'->0->>'sku', o.doc->'lines'->0->>'sku', '') AS sku,
           coalesce(o.doc->'shipments'->0->>'carrier', '') AS carrier,
           coalesce(upper(o.doc->'shipping_address'->>'country'), '') AS region,
           coalesce(o.doc->>'currency', '') AS currency
    FROM cases c LEFT JOIN orders o ON o.id = c.order_id;

INSERT INTO case_facts (case_id, store_id, day, opened_at_us, kind, channel, language, fault, sku, carrier, region, currency,
                        first_response_us, resolved_us, by_person, refund_minor)
    SELECT s.*,
        (SELECT min(t.at_us) FROM timeline t WHERE t.case_id = s.case_id
            AND t.doc->'event'->>'type' = 'message_added' AND t.doc->'event'->>'direction' = 'outbound'),
        (SELECT max(t.at_us) FROM timeline t WHERE t.case_id = s.case_id
            AND t.doc->'event'->>'type' = 'status_changed' AND t.doc->'event'->>'to' IN ('resolved', 'closed')
            AND (SELECT status FROM cases WHERE id = s.case_id) IN ('resolved', 'closed')),
        EXISTS (SELECT 1 FROM timeline t WHERE t.case_id = s.case_id AND t.doc->'actor'->>'type' = 'agent'),
        coalesce((SELECT sum(amount_minor) FROM refunds r WHERE r.case_id = s.case_id AND r.status = 'succeeded'), 0)
    FROM case_fact_sources s;

CREATE FUNCTION case_facts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO case_facts (case_id, store_id, day, opened_at_us, kind, channel, language, fault, sku, carrier, region, currency)
            SELECT * FROM case_fact_sources WHERE case_id = NEW.id;
    ELSE
        UPDATE case_facts f SET (kind, language, fault, sku, carrier, region, currency) =
            (SELECT s.kind, s.language, s.fault, s.sku, s.carrier, s.region, s.currency FROM case_fact_sources s WHERE s.case_id = NEW.id)
        WHERE f.case_id = NEW.id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER case_facts_open AFTER INSERT ON cases FOR EACH ROW EXECUTE FUNCTION case_facts_follow();
CREATE TRIGGER case_facts_change AFTER UPDATE ON cases FOR EACH ROW
    WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.order_id IS DISTINCT FROM NEW.order_id
       OR OLD.inbox_language IS DISTINCT FROM NEW.inbox_language
       OR OLD.doc->'fault'->>'case' IS DISTINCT FROM NEW.doc->'fault'->>'case')
    EXECUTE FUNCTION case_facts_follow();

CREATE FUNCTION case_facts_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    event TEXT := NEW.doc->'event'->>'type';
BEGIN
    IF event = 'message_added' AND NEW.doc->'event'->>'direction' = 'outbound' THEN
        UPDATE case_facts SET first_response_us = NEW.at_us WHERE case_id = NEW.case_id AND first_response_us IS NULL;
    ELSIF event = 'status_changed' AND NEW.doc->'event'->>'to' IN ('resolved', 'closed') THEN
        UPDATE case_facts SET resolved_us = NEW.at_us WHERE case_id = NEW.case_id AND resolved_us IS NULL;
    ELSIF event = 'reopened' THEN
        UPDATE case_facts SET resolved_us = NULL WHERE case_id = NEW.case_id AND resolved_us IS NOT NULL;
    END IF;
    IF NEW.doc->'actor'->>'type' = 'agent' THEN
        UPDATE case_facts SET by_person = true WHERE case_id = NEW.case_id AND NOT by_person;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER case_facts_timeline AFTER INSERT ON timeline FOR EACH ROW EXECUTE FUNCTION case_facts_timeline();

CREATE FUNCTION case_facts_refund() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'succeeded' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'succeeded') THEN
        UPDATE case_facts SET refund_minor = refund_minor + NEW.amount_minor WHERE case_id = NEW.case_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER case_facts_refund AFTER INSERT OR UPDATE OF status ON refunds FOR EACH ROW EXECUTE FUNCTION case_facts_refund();

-- Units ordered, per SKU and the day the order was placed.
INSERT INTO sku_sales
    SELECT o.store_id, l->>'sku', (o.placed_at_us / 86400000000)::int, sum((l->>'quantity')::bigint)
    FROM orders o, jsonb_array_elements(o.doc->'lines') l GROUP BY 1, 2, 3;
CREATE FUNCTION sku_sales_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sku_sales AS s
    SELECT store_id, sku, day, sum(units) FROM (
        SELECT NEW.store_id AS store_id, l->>'sku' AS sku, (NEW.placed_at_us / 86400000000)::int AS day,
               (l->>'quantity')::bigint AS units
        FROM jsonb_array_elements(NEW.doc->'lines') l
        UNION ALL
        SELECT OLD.store_id, l->>'sku', (OLD.placed_at_us / 86400000000)::int, -(l->>'quantity')::bigint
        FROM jsonb_array_elements(CASE WHEN TG_OP = 'UPDATE' THEN OLD.doc->'lines' ELSE '[]'::jsonb END) l
    ) AS u GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (store_id, sku, day) DO UPDATE SET units = s.units + excluded.units;
    RETURN NULL;
END;
$$;
CREATE TRIGGER sku_sales_insert AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION sku_sales_follow();
CREATE TRIGGER sku_sales_update AFTER UPDATE ON orders FOR EACH ROW
    WHEN (OLD.doc->'lines' IS DISTINCT FROM NEW.doc->'lines' OR OLD.placed_at_us IS DISTINCT FROM NEW.placed_at_us)
    EXECUTE FUNCTION sku_sales_follow();

-- Incidents (issue 15): declared by a lead, the cases grouped under each (answered at once
-- when they arrived, or told proactively), so resolving tells the same cases again.
CREATE TABLE incidents (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    declared_at_us BIGINT NOT NULL,
    doc JSONB NOT NULL
);
CREATE INDEX incidents_store ON incidents(store_id, status, declared_at_us);
CREATE TABLE incident_cases (
    incident_id UUID NOT NULL REFERENCES incidents(id),
    case_id UUID NOT NULL REFERENCES cases(id),
    store_id UUID NOT NULL REFERENCES stores(id),
    linked_at_us BIGINT NOT NULL,
    PRIMARY KEY (incident_id, case_id)
);
