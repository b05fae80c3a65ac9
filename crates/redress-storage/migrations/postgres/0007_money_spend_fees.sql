-- Money, continued: fee accounts of their own, store credit spent (once per idempotency key),
-- and at most one correction per posting.

-- Legs may now sit on `shipping_fees` and `restocking_fees`.
ALTER TABLE legs DROP CONSTRAINT legs_account_check;
ALTER TABLE legs ADD CONSTRAINT legs_account_check
    CHECK (account IN ('provider_balance', 'sales', 'refunds', 'store_credit', 'gift_cards', 'compensation',
                       'fees_charged', 'chargebacks', 'shipping_fees', 'restocking_fees'));

-- A posting is corrected at most once; a correction is itself a posting and may be corrected.
CREATE UNIQUE INDEX postings_corrected_once ON postings(corrects) WHERE corrects IS NOT NULL;

-- Store credit spent, each spend with the posting that records it. One key, one spend, per store.
CREATE TABLE store_credit_spends (
    posting_id UUID PRIMARY KEY REFERENCES postings(id),
    store_id UUID NOT NULL REFERENCES stores(id),
    customer_id UUID NOT NULL REFERENCES customers(id),
    idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    at_us BIGINT NOT NULL,
    doc JSONB NOT NULL,
    UNIQUE (store_id, idempotency_key)
);
CREATE INDEX store_credit_spends_customer ON store_credit_spends(store_id, customer_id, at_us);
CREATE TRIGGER store_credit_spends_no_change BEFORE UPDATE OR DELETE ON store_credit_spends
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
