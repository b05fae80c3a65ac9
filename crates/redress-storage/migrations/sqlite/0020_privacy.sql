-- Erasing customers' personal data (their request, or the store's retention period).

-- When a case's personal data was erased: the retention pass skips erased cases.
ALTER TABLE cases ADD COLUMN erased_at_us INTEGER;

-- The timeline stays append-only but for one exception: an erasure rewrites an entry's
-- document once with the customer's words redacted, marking it so; position, case, store and
-- time never change, and a redacted entry never changes again.
ALTER TABLE timeline ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0 CHECK (redacted IN (0, 1));
DROP TRIGGER timeline_no_update;
CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
WHEN NOT (old.redacted = 0 AND new.redacted = 1 AND new.seq = old.seq AND new.store_id = old.store_id
          AND new.case_id = old.case_id AND new.at_us = old.at_us)
BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;
