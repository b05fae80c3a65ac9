-- The desk inbox ranks, counts and searches all of a store's cases in SQL (issue 18).
--
-- Ranking: what the inbox sorts by are generated columns (computed from the case's columns and
-- document, so no write path has to remember them) with one index per filter, each ending in
-- the ranking order, so the first page of any filter is read in order from an index.
ALTER TABLE cases ADD COLUMN inbox_attention INTEGER GENERATED ALWAYS AS (
    CASE status WHEN 'new' THEN 0 WHEN 'open' THEN 0
                WHEN 'waiting_on_customer' THEN 1 WHEN 'waiting_on_third_party' THEN 1 ELSE 2 END) VIRTUAL;
ALTER TABLE cases ADD COLUMN inbox_urgency INTEGER GENERATED ALWAYS AS (
    CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END) VIRTUAL;
ALTER TABLE cases ADD COLUMN inbox_due_us INTEGER GENERATED ALWAYS AS (
    CAST(round((julianday(json_extract(doc, '$.response_due_at')) - 2440587.5) * 86400000000.0) AS INTEGER)) VIRTUAL;
ALTER TABLE cases ADD COLUMN inbox_language TEXT GENERATED ALWAYS AS (
    lower(substr(json_extract(doc, '$.language'), 1, instr(json_extract(doc, '$.language') || '-', '-') - 1))) VIRTUAL;
ALTER TABLE cases ADD COLUMN inbox_channel TEXT GENERATED ALWAYS AS (json_extract(doc, '$.channel')) VIRTUAL;
ALTER TABLE cases ADD COLUMN inbox_escalated INTEGER GENERATED ALWAYS AS (
    json_array_length(doc, '$.escalation') > 0) VIRTUAL;

CREATE INDEX cases_rank ON cases(store_id, inbox_attention, inbox_urgency DESC, inbox_due_us, created_at_us, id);
CREATE INDEX cases_rank_status ON cases(store_id, status, inbox_urgency DESC, inbox_due_us, created_at_us, id);
CREATE INDEX cases_rank_kind ON cases(store_id, kind, inbox_attention, inbox_urgency DESC, inbox_due_us, created_at_us, id);
CREATE INDEX cases_rank_assignee ON cases(store_id, assignee, inbox_attention, inbox_urgency DESC, inbox_due_us, created_at_us, id);
CREATE INDEX cases_rank_language ON cases(store_id, inbox_language, inbox_attention, inbox_urgency DESC, inbox_due_us, created_at_us, id);
CREATE INDEX cases_rank_channel ON cases(store_id, inbox_channel, inbox_attention, inbox_urgency DESC, inbox_due_us, created_at_us, id);
CREATE INDEX cases_rank_escalated ON cases(store_id, inbox_escalated, inbox_attention, inbox_urgency DESC, inbox_due_us, created_at_us, id);

-- The true count without counting a million rows: cases per combination of everything the
-- inbox filters by, kept by triggers. A store has at most a few thousand combinations, so
-- any filter's count is a sum over a few thousand short rows, whatever the number of cases.
CREATE TABLE case_counts (
    store_id TEXT NOT NULL,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    assignee TEXT NOT NULL,   -- '' when nobody
    language TEXT NOT NULL,
    channel TEXT NOT NULL,
    escalated INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (store_id, status, kind, assignee, language, channel, escalated)
) STRICT, WITHOUT ROWID;
INSERT INTO case_counts
    SELECT store_id, status, kind, coalesce(assignee, ''), coalesce(inbox_language, ''), coalesce(inbox_channel, ''),
           inbox_escalated, count(*)
    FROM cases GROUP BY 1, 2, 3, 4, 5, 6, 7;
CREATE TRIGGER case_counts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_counts VALUES (new.store_id, new.status, new.kind, coalesce(new.assignee, ''),
        coalesce(new.inbox_language, ''), coalesce(new.inbox_channel, ''), new.inbox_escalated, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER case_counts_update AFTER UPDATE ON cases
WHEN old.status IS NOT new.status OR old.kind IS NOT new.kind OR old.assignee IS NOT new.assignee
  OR old.inbox_language IS NOT new.inbox_language OR old.inbox_channel IS NOT new.inbox_channel
  OR old.inbox_escalated IS NOT new.inbox_escalated BEGIN
    UPDATE case_counts SET n = n - 1
    WHERE store_id = old.store_id AND status = old.status AND kind = old.kind AND assignee = coalesce(old.assignee, '')
      AND language = coalesce(old.inbox_language, '') AND channel = coalesce(old.inbox_channel, '')
      AND escalated = old.inbox_escalated;
    INSERT INTO case_counts VALUES (new.store_id, new.status, new.kind, coalesce(new.assignee, ''),
        coalesce(new.inbox_language, ''), coalesce(new.inbox_channel, ''), new.inbox_escalated, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- Search: an FTS5 index of each case's subject and customer address, keyed by the case's
-- rowid (cases are never deleted, and Redress never runs VACUUM, which could renumber them).
-- Typo tolerance is a correction step against the index's own vocabulary (case_words, which
-- FTS5 keeps for free and reads by term range): see crates/redress-storage/src/search.rs.
CREATE VIRTUAL TABLE case_search USING fts5(
    body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE case_words USING fts5vocab(case_search, 'row');
INSERT INTO case_search(rowid, body)
    SELECT rowid, coalesce(json_extract(doc, '$.subject'), '') || ' ' || coalesce(json_extract(doc, '$.customer_email'), '')
    FROM cases;
CREATE TRIGGER case_search_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_search(rowid, body) VALUES (new.rowid,
        coalesce(json_extract(new.doc, '$.subject'), '') || ' ' || coalesce(json_extract(new.doc, '$.customer_email'), ''));
END;
CREATE TRIGGER case_search_update AFTER UPDATE OF doc ON cases
WHEN json_extract(old.doc, '$.subject') IS NOT json_extract(new.doc, '$.subject')
  OR json_extract(old.doc, '$.customer_email') IS NOT json_extract(new.doc, '$.customer_email') BEGIN
    DELETE FROM case_search WHERE rowid = old.rowid;
    INSERT INTO case_search(rowid, body) VALUES (new.rowid,
        coalesce(json_extract(new.doc, '$.subject'), '') || ' ' || coalesce(json_extract(new.doc, '$.customer_email'), ''));
END;

-- The portal's order look-up forgives format: `nw-11007`, `NW11007` and `11007` find NW-11007.
-- number_key is the number in capitals without separators; number_tail is number_key without
-- its leading letters (the shop's prefix). The same rule is written in Rust
-- (redress_storage::search::OrderNumberKey); the look-up takes a match only when it is the one.
ALTER TABLE orders ADD COLUMN number_key TEXT GENERATED ALWAYS AS (
    upper(replace(replace(replace(replace(replace(replace(number, '-', ''), ' ', ''), '#', ''), '/', ''), '.', ''), '_', ''))) VIRTUAL;
ALTER TABLE orders ADD COLUMN number_tail TEXT GENERATED ALWAYS AS (
    ltrim(upper(replace(replace(replace(replace(replace(replace(number, '-', ''), ' ', ''), '#', ''), '/', ''), '.', ''), '_', '')),
          'ABCDEFGHIJKLMNOPQRSTUVWXYZ')) VIRTUAL;
CREATE INDEX orders_number_key ON orders(store_id, number_key);
CREATE INDEX orders_number_tail ON orders(store_id, number_tail);
