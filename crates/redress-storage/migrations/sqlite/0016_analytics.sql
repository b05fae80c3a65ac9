-- Learning from past cases (issue 15): analytics that stay fast at a million cases.
--
-- case_facts: one row per case with what analytics groups by, kept by triggers on cases,
-- timeline and refunds (in the writing transaction, so no write path has to remember it).
-- SKU, carrier, region (shipping country) and currency are the order's as the case is opened
-- or its order changes: the case's first line's SKU, else the order's first line; the first
-- parcel's carrier. First response: the first outbound message, by anyone. Resolved: when the
-- status last became resolved or closed (a reopen clears it). by_person: an agent acted on it.
CREATE TABLE case_facts (
    case_id TEXT PRIMARY KEY REFERENCES cases(id),
    store_id TEXT NOT NULL REFERENCES stores(id),
    day INTEGER NOT NULL,             -- days since 1970-01-01 (UTC) of the opening
    opened_at_us INTEGER NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    fault TEXT NOT NULL,
    sku TEXT NOT NULL,                -- '' when unknown, likewise below
    carrier TEXT NOT NULL,
    region TEXT NOT NULL,
    currency TEXT NOT NULL,
    first_response_us INTEGER,
    resolved_us INTEGER,
    by_person INTEGER NOT NULL DEFAULT 0,
    refund_minor INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX case_facts_sku ON case_facts(store_id, sku, day);
CREATE INDEX case_facts_carrier ON case_facts(store_id, carrier, day);
CREATE INDEX case_facts_region ON case_facts(store_id, region, day);
CREATE INDEX case_facts_kind ON case_facts(store_id, kind, sku, day);

-- case_rollup: the facts added up per store, dimension, value, day and currency. A query over
-- any date range reads at most days × values short rows, whatever the number of cases.
CREATE TABLE case_rollup (
    store_id TEXT NOT NULL,
    dim TEXT NOT NULL,
    day INTEGER NOT NULL,
    value TEXT NOT NULL,
    currency TEXT NOT NULL,
    opened INTEGER NOT NULL,
    responded INTEGER NOT NULL,
    response_s INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    resolution_s INTEGER NOT NULL,
    automated INTEGER NOT NULL,
    refund_minor INTEGER NOT NULL,
    damaged INTEGER NOT NULL,
    lost INTEGER NOT NULL,
    not_as_described INTEGER NOT NULL,
    returns INTEGER NOT NULL,
    PRIMARY KEY (store_id, dim, day, value, currency)
) STRICT, WITHOUT ROWID;

-- Units ordered per SKU and day, for the return rate.
CREATE TABLE sku_sales (
    store_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    day INTEGER NOT NULL,
    units INTEGER NOT NULL,
    PRIMARY KEY (store_id, sku, day)
) STRICT, WITHOUT ROWID;

-- What one case adds to the rollup: a row per dimension.
CREATE VIEW case_fact_contributions AS
    WITH f AS (SELECT case_id, store_id, day, currency, 1 AS opened,
                      first_response_us IS NOT NULL AS responded,
                      coalesce((first_response_us - opened_at_us) / 1000000, 0) AS response_s,
                      resolved_us IS NOT NULL AS resolved,
                      coalesce((resolved_us - opened_at_us) / 1000000, 0) AS resolution_s,
                      resolved_us IS NOT NULL AND by_person = 0 AS automated,
                      refund_minor,
                      kind = 'damaged_in_transit' AS damaged, kind = 'not_received' AS lost,
                      kind = 'not_as_described' AS not_as_described,
                      kind IN ('return_request', 'exchange_request') AS returns,
                      kind, channel, language, fault, sku, carrier, region FROM case_facts)
    SELECT case_id, store_id, 'kind' AS dim, day, kind AS value, currency, opened, responded, response_s, resolved, resolution_s, automated, refund_minor, damaged, lost, not_as_described, returns FROM f
    UNION ALL SELECT case_id, store_id, 'channel', day, channel, currency, opened, responded, response_s, resolved, resolution_s, automated, refund_minor, damaged, lost, not_as_described, returns FROM f
    UNION ALL SELECT case_id, store_id, 'language', day, language, currency, opened, responded, response_s, resolved, resolution_s, automated, refund_minor, damaged, lost, not_as_described, returns FROM f
    UNION ALL SELECT case_id, store_id, 'fault', day, fault, currency, opened, responded, response_s, resolved, resolution_s, automated, refund_minor, damaged, lost, not_as_described, returns FROM f
    UNION ALL SELECT case_id, store_id, 'sku', day, sku, currency, opened, responded, response_s, resolved, resolution_s, automated, refund_minor, damaged, lost, not_as_described, returns FROM f
    UNION ALL SELECT case_id, store_id, 'carrier', day, carrier, currency, opened, responded, response_s, resolved, resolution_s, automated, refund_minor, damaged, lost, not_as_described, returns FROM f
    UNION ALL SELECT case_id, store_id, 'region', day, region, currency, opened, responded, response_s, resolved, resolution_s, automated, refund_minor, damaged, lost, not_as_described, returns FROM f;

-- Adding a row to this view adds it into the rollup: the one place the sums are written.
CREATE VIEW case_rollup_delta AS SELECT * FROM case_rollup WHERE 0;
CREATE TRIGGER case_rollup_delta_add INSTEAD OF INSERT ON case_rollup_delta BEGIN
    INSERT INTO case_rollup VALUES (new.store_id, new.dim, new.day, new.value, new.currency, new.opened, new.responded,
        new.response_s, new.resolved, new.resolution_s, new.automated, new.refund_minor, new.damaged, new.lost,
        new.not_as_described, new.returns)
    ON CONFLICT DO UPDATE SET opened = opened + excluded.opened, responded = responded + excluded.responded,
        response_s = response_s + excluded.response_s, resolved = resolved + excluded.resolved,
        resolution_s = resolution_s + excluded.resolution_s, automated = automated + excluded.automated,
        refund_minor = refund_minor + excluded.refund_minor, damaged = damaged + excluded.damaged,
        lost = lost + excluded.lost, not_as_described = not_as_described + excluded.not_as_described,
        returns = returns + excluded.returns;
END;
CREATE TRIGGER case_facts_add AFTER INSERT ON case_facts BEGIN
    INSERT INTO case_rollup_delta SELECT store_id, dim, day, value, currency, opened, responded, response_s, resolved,
        resolution_s, automated, refund_minor, damaged, lost, not_as_described, returns
    FROM case_fact_contributions WHERE case_id = new.case_id;
END;
-- A change takes the row's old contribution out before and puts the new one in after.
CREATE TRIGGER case_facts_take_out BEFORE UPDATE ON case_facts BEGIN
    INSERT INTO case_rollup_delta SELECT store_id, dim, day, value, currency, -opened, -responded, -response_s, -resolved,
        -resolution_s, -automated, -refund_minor, -damaged, -lost, -not_as_described, -returns
    FROM case_fact_contributions WHERE case_id = old.case_id;
END;
CREATE TRIGGER case_facts_put_in AFTER UPDATE ON case_facts BEGIN
    INSERT INTO case_rollup_delta SELECT store_id, dim, day, value, currency, opened, responded, response_s, resolved,
        resolution_s, automated, refund_minor, damaged, lost, not_as_described, returns
    FROM case_fact_contributions WHERE case_id = new.case_id;
END;

-- The dimensions a case takes from itself and its order.
CREATE VIEW case_fact_sources AS
    SELECT c.id AS case_id, c.store_id, c.created_at_us / 86400000000 AS day, c.created_at_us AS opened_at_us, c.kind,
           coalesce(c.inbox_channel, '') AS channel, coalesce(c.inbox_language, '') AS language,
           coalesce(json_extract(c.doc, '$.fault.case'), 'unknown') AS fault,
           coalesce(json_extract(c.doc, '$.lines[0].sku'), json_extract(o.doc, '$.lines[0].sku'), '') AS sku,
           coalesce(json_extract(o.doc, '$.shipments[0].carrier'), '') AS carrier,
           coalesce(upper(json_extract(o.doc, '$.shipping_address.country')), '') AS region,
           coalesce(json_extract(o.doc, '$.currency'), '') AS currency
    FROM cases c LEFT JOIN orders o ON o.id = c.order_id;

INSERT INTO case_facts (case_id, store_id, day, opened_at_us, kind, channel, language, fault, sku, carrier, region, currency)
    SELECT * FROM case_fact_sources;
UPDATE case_facts SET
    first_response_us = (SELECT min(t.at_us) FROM timeline t WHERE t.case_id = case_facts.case_id
        AND json_extract(t.doc, '$.event.type') = 'message_added' AND json_extract(t.doc, '$.event.direction') = 'outbound'),
    resolved_us = (SELECT max(t.at_us) FROM timeline t WHERE t.case_id = case_facts.case_id
        AND json_extract(t.doc, '$.event.type') = 'status_changed' AND json_extract(t.doc, '$.event.to') IN ('resolved', 'closed')
        AND (SELECT status FROM cases WHERE id = case_facts.case_id) IN ('resolved', 'closed')),
    by_person = EXISTS (SELECT 1 FROM timeline t WHERE t.case_id = case_facts.case_id AND json_extract(t.doc, '$.actor.type') = 'agent'),
    refund_minor = coalesce((SELECT sum(amount_minor) FROM refunds r WHERE r.case_id = case_facts.case_id AND r.status = 'succeeded'), 0);

CREATE TRIGGER case_facts_open AFTER INSERT ON cases BEGIN
    INSERT INTO case_facts (case_id, store_id, day, opened_at_us, kind, channel, language, fault, sku, carrier, region, currency)
        SELECT * FROM case_fact_sources WHERE case_id = new.id;
END;
CREATE TRIGGER case_facts_follow AFTER UPDATE ON cases
WHEN old.kind IS NOT new.kind OR old.order_id IS NOT new.order_id OR old.inbox_language IS NOT new.inbox_language
  OR json_extract(old.doc, '$.fault.case') IS NOT json_extract(new.doc, '$.fault.case') BEGIN
    UPDATE case_facts SET (kind, language, fault, sku, carrier, region, currency) =
        (SELECT kind, language, fault, sku, carrier, region, currency FROM case_fact_sources WHERE case_id = new.id)
    WHERE case_id = new.id;
END;
CREATE TRIGGER case_facts_answered AFTER INSERT ON timeline
WHEN json_extract(new.doc, '$.event.type') = 'message_added' AND json_extract(new.doc, '$.event.direction') = 'outbound' BEGIN
    UPDATE case_facts SET first_response_us = new.at_us WHERE case_id = new.case_id AND first_response_us IS NULL;
END;
CREATE TRIGGER case_facts_resolved AFTER INSERT ON timeline
WHEN json_extract(new.doc, '$.event.type') = 'status_changed' AND json_extract(new.doc, '$.event.to') IN ('resolved', 'closed') BEGIN
    UPDATE case_facts SET resolved_us = new.at_us WHERE case_id = new.case_id AND resolved_us IS NULL;
END;
CREATE TRIGGER case_facts_reopened AFTER INSERT ON timeline
WHEN json_extract(new.doc, '$.event.type') = 'reopened' BEGIN
    UPDATE case_facts SET resolved_us = NULL WHERE case_id = new.case_id AND resolved_us IS NOT NULL;
END;
CREATE TRIGGER case_facts_person AFTER INSERT ON timeline
WHEN json_extract(new.doc, '$.actor.type') = 'agent' BEGIN
    UPDATE case_facts SET by_person = 1 WHERE case_id = new.case_id AND by_person = 0;
END;
CREATE TRIGGER case_facts_refund_insert AFTER INSERT ON refunds WHEN new.status = 'succeeded' BEGIN
    UPDATE case_facts SET refund_minor = refund_minor + new.amount_minor WHERE case_id = new.case_id;
END;
CREATE TRIGGER case_facts_refund_update AFTER UPDATE OF status ON refunds
WHEN new.status = 'succeeded' AND old.status IS NOT 'succeeded' BEGIN
    UPDATE case_facts SET refund_minor = refund_minor + new.amount_minor WHERE case_id = new.case_id;
END;

-- Units ordered, per SKU and the day the order was placed.
INSERT INTO sku_sales
    SELECT o.store_id, json_extract(l.value, '$.sku'), o.placed_at_us / 86400000000, sum(json_extract(l.value, '$.quantity'))
    FROM orders o, json_each(o.doc, '$.lines') l GROUP BY 1, 2, 3;
CREATE TRIGGER sku_sales_insert AFTER INSERT ON orders BEGIN
    INSERT INTO sku_sales
        SELECT new.store_id, json_extract(l.value, '$.sku'), new.placed_at_us / 86400000000, json_extract(l.value, '$.quantity')
        FROM json_each(new.doc, '$.lines') l WHERE true
    ON CONFLICT DO UPDATE SET units = units + excluded.units;
END;
CREATE TRIGGER sku_sales_update AFTER UPDATE OF doc ON orders
WHEN json_extract(old.doc, '$.lines') IS NOT json_extract(new.doc, '$.lines') OR old.placed_at_us IS NOT new.placed_at_us BEGIN
    INSERT INTO sku_sales
        SELECT old.store_id, json_extract(l.value, '$.sku'), old.placed_at_us / 86400000000, -json_extract(l.value, '$.quantity')
        FROM json_each(old.doc, '$.lines') l WHERE true
    ON CONFLICT DO UPDATE SET units = units + excluded.units;
    INSERT INTO sku_sales
        SELECT new.store_id, json_extract(l.value, '$.sku'), new.placed_at_us / 86400000000, json_extract(l.value, '$.quantity')
        FROM json_each(new.doc, '$.lines') l WHERE true
    ON CONFLICT DO UPDATE SET units = units + excluded.units;
END;

-- Incidents (issue 15): declared by a lead, the cases grouped under each (answered at once
-- when they arrived, or told proactively), so resolving tells the same cases again.
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    declared_at_us INTEGER NOT NULL,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX incidents_store ON incidents(store_id, status, declared_at_us);
CREATE TABLE incident_cases (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    store_id TEXT NOT NULL REFERENCES stores(id),
    linked_at_us INTEGER NOT NULL,
    PRIMARY KEY (incident_id, case_id)
) STRICT, WITHOUT ROWID;
