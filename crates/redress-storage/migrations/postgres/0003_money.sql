-- The money layer: payments' refundable balances, refund intents, the ledger, store credit and
-- disputes. Amounts are integer minor units beside an ISO 4217 code; the constraints below
-- hold whatever the application does.

-- What each payment can still give back. A row is made from the order's payment the first time
-- money moves on it; refunds reserve here while in flight, with the row locked (FOR UPDATE).
CREATE TABLE payments (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    order_id UUID NOT NULL REFERENCES orders(id),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    captured_minor BIGINT NOT NULL CHECK (captured_minor >= 0),
    refunded_minor BIGINT NOT NULL CHECK (refunded_minor >= 0),
    reserved_minor BIGINT NOT NULL CHECK (reserved_minor >= 0),
    CHECK (refunded_minor + reserved_minor <= captured_minor)
);
CREATE INDEX payments_order ON payments(store_id, order_id);

-- Refund intents, written before any provider hears of them. One key, one intent, per store.
CREATE TABLE refunds (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    order_id UUID NOT NULL REFERENCES orders(id),
    case_id UUID NOT NULL REFERENCES cases(id),
    payment_id UUID REFERENCES payments(id),
    idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    method TEXT NOT NULL CHECK (method IN ('original_payment', 'store_credit', 'gift_card')),
    status TEXT NOT NULL CHECK (status IN ('requested', 'awaiting_approval', 'approved', 'rejected', 'sent',
                                           'pending_settlement', 'succeeded', 'failed')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    doc JSONB NOT NULL,
    UNIQUE (store_id, idempotency_key),
    CHECK ((method = 'gift_card') = (payment_id IS NULL))
);
CREATE INDEX refunds_order ON refunds(store_id, order_id, created_at_us);
CREATE INDEX refunds_work ON refunds(status, updated_at_us);

-- The ledger: postings and their legs, append-only; every posting balances per currency,
-- checked at commit by a deferred constraint trigger.
CREATE TABLE postings (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    order_id UUID,
    case_id UUID,
    payment_id UUID,
    refund_id UUID,
    kind TEXT NOT NULL,
    corrects UUID REFERENCES postings(id),
    at_us BIGINT NOT NULL,
    doc JSONB NOT NULL
);
CREATE INDEX postings_store ON postings(store_id, at_us);
CREATE INDEX postings_order ON postings(store_id, order_id, at_us);

CREATE TABLE legs (
    posting_id UUID NOT NULL REFERENCES postings(id),
    store_id UUID NOT NULL REFERENCES stores(id),
    position INTEGER NOT NULL,
    account TEXT NOT NULL CHECK (account IN ('provider_balance', 'sales', 'refunds', 'store_credit', 'gift_cards',
                                             'compensation', 'fees_charged', 'chargebacks')),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor BIGINT NOT NULL CHECK (amount_minor <> 0),
    PRIMARY KEY (posting_id, position)
);
CREATE INDEX legs_store ON legs(store_id, account, currency);

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'postings are never edited or deleted: post a correction';
END;
$$;
CREATE TRIGGER postings_no_change BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER legs_no_change BEFORE UPDATE OR DELETE ON legs
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();

CREATE FUNCTION posting_balances() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM legs WHERE posting_id = NEW.posting_id GROUP BY currency HAVING SUM(amount_minor) <> 0)
       OR (SELECT COUNT(*) FROM legs WHERE posting_id = NEW.posting_id) < 2 THEN
        RAISE EXCEPTION 'posting % does not balance in every currency', NEW.posting_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER legs_balance AFTER INSERT ON legs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION posting_balances();

-- Store credit per customer and currency: never below zero.
CREATE TABLE store_credit (
    store_id UUID NOT NULL REFERENCES stores(id),
    customer_id UUID NOT NULL REFERENCES customers(id),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    balance_minor BIGINT NOT NULL CHECK (balance_minor >= 0),
    PRIMARY KEY (store_id, customer_id, currency)
);

CREATE TABLE disputes (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    order_id UUID NOT NULL REFERENCES orders(id),
    payment_id UUID NOT NULL,
    case_id UUID NOT NULL REFERENCES cases(id),
    provider_reference TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('warning_needs_response', 'warning_under_review', 'warning_closed',
                                           'needs_response', 'under_review', 'won', 'lost', 'prevented')),
    reason TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    evidence_due_at_us BIGINT NOT NULL,
    doc JSONB NOT NULL,
    UNIQUE (store_id, provider_reference)
);
CREATE INDEX disputes_case ON disputes(store_id, case_id);
