-- The money layer: payments' refundable balances, refund intents, the ledger, store credit and
-- disputes. Amounts are integer minor units beside an ISO 4217 code; the constraints below
-- hold whatever the application does.

-- What each payment can still give back. A row is made from the order's payment the first time
-- money moves on it; refunds reserve here while in flight.
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    order_id TEXT NOT NULL REFERENCES orders(id),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    captured_minor INTEGER NOT NULL CHECK (captured_minor >= 0),
    refunded_minor INTEGER NOT NULL CHECK (refunded_minor >= 0),
    reserved_minor INTEGER NOT NULL CHECK (reserved_minor >= 0),
    CHECK (refunded_minor + reserved_minor <= captured_minor)
) STRICT;
CREATE INDEX payments_order ON payments(store_id, order_id);

-- Refund intents, written before any provider hears of them. One key, one intent, per store.
CREATE TABLE refunds (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    order_id TEXT NOT NULL REFERENCES orders(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    payment_id TEXT REFERENCES payments(id),
    idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    method TEXT NOT NULL CHECK (method IN ('original_payment', 'store_credit', 'gift_card')),
    status TEXT NOT NULL CHECK (status IN ('requested', 'awaiting_approval', 'approved', 'rejected', 'sent',
                                           'pending_settlement', 'succeeded', 'failed')),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (store_id, idempotency_key),
    CHECK ((method = 'gift_card') = (payment_id IS NULL))
) STRICT;
CREATE INDEX refunds_order ON refunds(store_id, order_id, created_at_us);
CREATE INDEX refunds_work ON refunds(status, updated_at_us);

-- The ledger: postings and their legs, append-only. Each posting's legs balance per currency
-- (checked by the domain before writing, and by a trigger when a posting is sealed).
CREATE TABLE postings (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    order_id TEXT,
    case_id TEXT,
    payment_id TEXT,
    refund_id TEXT,
    kind TEXT NOT NULL,
    corrects TEXT REFERENCES postings(id),
    at_us INTEGER NOT NULL,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX postings_store ON postings(store_id, at_us);
CREATE INDEX postings_order ON postings(store_id, order_id, at_us);

CREATE TABLE legs (
    posting_id TEXT NOT NULL REFERENCES postings(id),
    store_id TEXT NOT NULL REFERENCES stores(id),
    position INTEGER NOT NULL,
    account TEXT NOT NULL CHECK (account IN ('provider_balance', 'sales', 'refunds', 'store_credit', 'gift_cards',
                                             'compensation', 'fees_charged', 'chargebacks')),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor INTEGER NOT NULL CHECK (amount_minor <> 0),
    PRIMARY KEY (posting_id, position)
) STRICT;
CREATE INDEX legs_store ON legs(store_id, account, currency);

CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings BEGIN SELECT RAISE(ABORT, 'postings are never edited: post a correction'); END;
CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings BEGIN SELECT RAISE(ABORT, 'postings are never deleted: post a correction'); END;
CREATE TRIGGER legs_no_update BEFORE UPDATE ON legs BEGIN SELECT RAISE(ABORT, 'postings are never edited: post a correction'); END;
CREATE TRIGGER legs_no_delete BEFORE DELETE ON legs BEGIN SELECT RAISE(ABORT, 'postings are never deleted: post a correction'); END;

-- A posting is sealed by writing this row after its legs: the trigger refuses it unless every
-- currency of the posting sums to zero, and the writer commits nothing unsealed.
CREATE TABLE posting_seals (
    posting_id TEXT PRIMARY KEY REFERENCES postings(id)
) STRICT;
CREATE TRIGGER posting_balances BEFORE INSERT ON posting_seals
WHEN EXISTS (SELECT 1 FROM legs WHERE posting_id = NEW.posting_id GROUP BY currency HAVING SUM(amount_minor) <> 0)
  OR (SELECT COUNT(*) FROM legs WHERE posting_id = NEW.posting_id) < 2
BEGIN SELECT RAISE(ABORT, 'a posting must balance in every currency'); END;

-- Store credit per customer and currency: never below zero.
CREATE TABLE store_credit (
    store_id TEXT NOT NULL REFERENCES stores(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    balance_minor INTEGER NOT NULL CHECK (balance_minor >= 0),
    PRIMARY KEY (store_id, customer_id, currency)
) STRICT;

CREATE TABLE disputes (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    order_id TEXT NOT NULL REFERENCES orders(id),
    payment_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    provider_reference TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('warning_needs_response', 'warning_under_review', 'warning_closed',
                                           'needs_response', 'under_review', 'won', 'lost', 'prevented')),
    reason TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    evidence_due_at_us INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (store_id, provider_reference)
) STRICT;
CREATE INDEX disputes_case ON disputes(store_id, case_id);
