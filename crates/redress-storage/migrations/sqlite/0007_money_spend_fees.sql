-- Money, continued: fee accounts of their own, store credit spent (once per idempotency key),
-- and at most one correction per posting.

-- Legs may now sit on `shipping_fees` and `restocking_fees`. SQLite cannot change a CHECK in
-- place, so the table is rebuilt with its rows, index and append-only triggers; the seal
-- trigger that reads it is dropped first and made again after.
DROP TRIGGER posting_balances;
DROP TRIGGER legs_no_update;
DROP TRIGGER legs_no_delete;
CREATE TABLE legs_new (
    posting_id TEXT NOT NULL REFERENCES postings(id),
    store_id TEXT NOT NULL REFERENCES stores(id),
    position INTEGER NOT NULL,
    account TEXT NOT NULL CHECK (account IN ('provider_balance', 'sales', 'refunds', 'store_credit', 'gift_cards',
                                             'compensation', 'fees_charged', 'chargebacks', 'shipping_fees',
                                             'restocking_fees')),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor INTEGER NOT NULL CHECK (amount_minor <> 0),
    PRIMARY KEY (posting_id, position)
) STRICT;
INSERT INTO legs_new (posting_id, store_id, position, account, currency, amount_minor)
    SELECT posting_id, store_id, position, account, currency, amount_minor FROM legs;
DROP TABLE legs;
ALTER TABLE legs_new RENAME TO legs;
CREATE INDEX legs_store ON legs(store_id, account, currency);
CREATE TRIGGER legs_no_update BEFORE UPDATE ON legs BEGIN SELECT RAISE(ABORT, 'postings are never edited: post a correction'); END;
CREATE TRIGGER legs_no_delete BEFORE DELETE ON legs BEGIN SELECT RAISE(ABORT, 'postings are never deleted: post a correction'); END;
CREATE TRIGGER posting_balances BEFORE INSERT ON posting_seals
WHEN EXISTS (SELECT 1 FROM legs WHERE posting_id = NEW.posting_id GROUP BY currency HAVING SUM(amount_minor) <> 0)
  OR (SELECT COUNT(*) FROM legs WHERE posting_id = NEW.posting_id) < 2
BEGIN SELECT RAISE(ABORT, 'a posting must balance in every currency'); END;

-- A posting is corrected at most once; a correction is itself a posting and may be corrected.
CREATE UNIQUE INDEX postings_corrected_once ON postings(corrects) WHERE corrects IS NOT NULL;

-- Store credit spent, each spend with the posting that records it. One key, one spend, per store.
CREATE TABLE store_credit_spends (
    posting_id TEXT PRIMARY KEY REFERENCES postings(id),
    store_id TEXT NOT NULL REFERENCES stores(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    at_us INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (store_id, idempotency_key)
) STRICT;
CREATE INDEX store_credit_spends_customer ON store_credit_spends(store_id, customer_id, at_us);
CREATE TRIGGER store_credit_spends_no_update BEFORE UPDATE ON store_credit_spends BEGIN SELECT RAISE(ABORT, 'spends are never edited'); END;
CREATE TRIGGER store_credit_spends_no_delete BEFORE DELETE ON store_credit_spends BEGIN SELECT RAISE(ABORT, 'spends are never deleted'); END;
