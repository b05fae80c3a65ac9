-- The desk inbox ranks, counts and searches all of a store's cases in SQL (issue 18).
--
-- Ranking: what the inbox sorts by are generated columns (computed from the case's columns and
-- document, so no write path has to remember them) with one index per filter, each ending in
-- the ranking order, so the first page of any filter is read in order from an index.

-- RFC 3339 text (always with its offset) to microseconds: immutable for that input, which a
-- generated column needs and the general text-to-timestamptz cast does not promise.
CREATE FUNCTION redress_rfc3339_micros(text) RETURNS BIGINT LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT (extract(epoch FROM $1::timestamptz) * 1000000)::bigint
$$;

ALTER TABLE cases
    ADD COLUMN inbox_attention SMALLINT GENERATED ALWAYS AS (
        CASE status WHEN 'new' THEN 0 WHEN 'open' THEN 0
                    WHEN 'waiting_on_customer' THEN 1 WHEN 'waiting_on_third_party' THEN 1 ELSE 2 END) STORED,
    ADD COLUMN inbox_urgency SMALLINT GENERATED ALWAYS AS (
        CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END) STORED,
    ADD COLUMN inbox_due_us BIGINT GENERATED ALWAYS AS (redress_rfc3339_micros(doc->>'response_due_at')) STORED,
    ADD COLUMN inbox_language TEXT GENERATED ALWAYS AS (lower(split_part(doc->>'language', '-', 1))) STORED,
    ADD COLUMN inbox_channel TEXT GENERATED ALWAYS AS (doc->>'channel') STORED,
    ADD COLUMN inbox_escalated SMALLINT GENERATED ALWAYS AS (
        CASE WHEN jsonb_array_length(doc->'escalation') > 0 THEN 1 ELSE 0 END) STORED,
    -- Search: subject and customer address as words ('simple': no stemming, any language;
    -- the address split at its punctuation so a part of it is a word). Typo tolerance is a
    -- correction step against case_words below: see crates/redress-storage/src/search.rs.
    ADD COLUMN inbox_search TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple',
        translate(lower(coalesce(doc->>'subject', '') || ' ' || coalesce(doc->>'customer_email', '')), '@.-_+', '     '))) STORED;

CREATE INDEX cases_rank ON cases(store_id, inbox_attention, inbox_urgency DESC, inbox_due_us, created_at_us, id);
CREATE INDEX cases_rank_status ON cases(store_id, status, inbox_urgency DESC, inbox_due_us, created_at_us, id);
CREATE INDEX cases_rank_kind ON cases(store_id, kind, inbox_attention, inbox_urgency DESC, inbox_due_us, created_at_us, id);
CREATE INDEX cases_rank_assignee ON cases(store_id, assignee, inbox_attention, inbox_urgency DESC, inbox_due_us, created_at_us, id);
CREATE INDEX cases_rank_language ON cases(store_id, inbox_language, inbox_attention, inbox_urgency DESC, inbox_due_us, created_at_us, id);
CREATE INDEX cases_rank_channel ON cases(store_id, inbox_channel, inbox_attention, inbox_urgency DESC, inbox_due_us, created_at_us, id);
CREATE INDEX cases_rank_escalated ON cases(store_id, inbox_escalated, inbox_attention, inbox_urgency DESC, inbox_due_us, created_at_us, id);
CREATE INDEX cases_search ON cases USING gin (inbox_search);

-- The true count without counting a million rows: cases per combination of everything the
-- inbox filters by, kept by a trigger. A store has at most a few thousand combinations, so
-- any filter's count is a sum over a few thousand short rows, whatever the number of cases.
CREATE TABLE case_counts (
    store_id UUID NOT NULL,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    assignee TEXT NOT NULL,   -- '' when nobody
    language TEXT NOT NULL,
    channel TEXT NOT NULL,
    escalated SMALLINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (store_id, status, kind, assignee, language, channel, escalated)
);
INSERT INTO case_counts
    SELECT store_id, status, kind, coalesce(assignee, ''), coalesce(inbox_language, ''), coalesce(inbox_channel, ''),
           inbox_escalated, count(*)
    FROM cases GROUP BY 1, 2, 3, 4, 5, 6, 7;

-- Both rows a move touches are changed in one statement in key order, so two transactions
-- moving cases in opposite directions lock the rows in the same order and cannot deadlock.
CREATE FUNCTION case_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO case_counts AS c VALUES (NEW.store_id, NEW.status, NEW.kind, coalesce(NEW.assignee, ''),
            coalesce(NEW.inbox_language, ''), coalesce(NEW.inbox_channel, ''), NEW.inbox_escalated, 1)
        ON CONFLICT (store_id, status, kind, assignee, language, channel, escalated) DO UPDATE SET n = c.n + 1;
    ELSE
        INSERT INTO case_counts AS c
        SELECT * FROM (VALUES
            (OLD.store_id, OLD.status, OLD.kind, coalesce(OLD.assignee, ''), coalesce(OLD.inbox_language, ''),
             coalesce(OLD.inbox_channel, ''), OLD.inbox_escalated, -1::bigint),
            (NEW.store_id, NEW.status, NEW.kind, coalesce(NEW.assignee, ''), coalesce(NEW.inbox_language, ''),
             coalesce(NEW.inbox_channel, ''), NEW.inbox_escalated, 1::bigint)
        ) AS d ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (store_id, status, kind, assignee, language, channel, escalated) DO UPDATE SET n = c.n + excluded.n;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER case_counts_insert AFTER INSERT ON cases FOR EACH ROW EXECUTE FUNCTION case_counts_follow();
CREATE TRIGGER case_counts_update AFTER UPDATE ON cases FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.kind IS DISTINCT FROM NEW.kind
       OR OLD.assignee IS DISTINCT FROM NEW.assignee OR OLD.inbox_language IS DISTINCT FROM NEW.inbox_language
       OR OLD.inbox_channel IS DISTINCT FROM NEW.inbox_channel OR OLD.inbox_escalated IS DISTINCT FROM NEW.inbox_escalated)
    EXECUTE FUNCTION case_counts_follow();

-- The words of every case's subject and address, for the search's typo correction (read by
-- prefix range, hence the byte-order collation). Words are only added: a word no case uses
-- any more can still be a correction, which then finds nothing, as the typo did.
CREATE TABLE case_words (term TEXT COLLATE "C" PRIMARY KEY);
CREATE FUNCTION case_words_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_words
    SELECT DISTINCT w FROM regexp_split_to_table(
        lower(coalesce(NEW.doc->>'subject', '') || ' ' || coalesce(NEW.doc->>'customer_email', '')), '[^[:alnum:]]+') AS w
    WHERE length(w) BETWEEN 2 AND 40 ORDER BY w
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
INSERT INTO case_words
    SELECT DISTINCT w FROM cases, regexp_split_to_table(
        lower(coalesce(doc->>'subject', '') || ' ' || coalesce(doc->>'customer_email', '')), '[^[:alnum:]]+') AS w
    WHERE length(w) BETWEEN 2 AND 40;
CREATE TRIGGER case_words_insert AFTER INSERT ON cases FOR EACH ROW EXECUTE FUNCTION case_words_follow();
CREATE TRIGGER case_words_update AFTER UPDATE ON cases FOR EACH ROW
    WHEN (OLD.doc->>'subject' IS DISTINCT FROM NEW.doc->>'subject'
       OR OLD.doc->>'customer_email' IS DISTINCT FROM NEW.doc->>'customer_email')
    EXECUTE FUNCTION case_words_follow();

-- The portal's order look-up forgives format: `nw-11007`, `NW11007` and `11007` find NW-11007.
-- number_key is the number in capitals without separators; number_tail is number_key without
-- its leading letters (the shop's prefix). The same rule is written in Rust
-- (redress_storage::search::OrderNumberKey); the look-up takes a match only when it is the one.
ALTER TABLE orders
    ADD COLUMN number_key TEXT GENERATED ALWAYS AS (
        upper(replace(replace(replace(replace(replace(replace(number, '-', ''), ' ', ''), '#', ''), '/', ''), '.', ''), '_', ''))) STORED,
    ADD COLUMN number_tail TEXT GENERATED ALWAYS AS (
        ltrim(upper(replace(replace(replace(replace(replace(replace(number, '-', ''), ' ', ''), '#', ''), '/', ''), '.', ''), '_', '')),
              'ABCDEFGHIJKLMNOPQRSTUVWXYZ')) STORED;
CREATE INDEX orders_number_key ON orders(store_id, number_key);
CREATE INDEX orders_number_tail ON orders(store_id, number_tail);
