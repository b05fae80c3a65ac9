-- Erasing customers' personal data (their request, or the store's retention period).

-- When a case's personal data was erased: the retention pass skips erased cases.
ALTER TABLE cases ADD COLUMN erased_at_us BIGINT;

-- The timeline stays append-only but for one exception: an erasure rewrites an entry's
-- document once with the customer's words redacted, marking it so; position, case, store and
-- time never change, and a redacted entry never changes again.
ALTER TABLE timeline ADD COLUMN redacted BOOLEAN NOT NULL DEFAULT FALSE;
CREATE OR REPLACE FUNCTION timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NOT OLD.redacted AND NEW.redacted AND NEW.seq = OLD.seq
       AND NEW.store_id = OLD.store_id AND NEW.case_id = OLD.case_id AND NEW.at_us = OLD.at_us THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the timeline is append-only';
END;
$$;
