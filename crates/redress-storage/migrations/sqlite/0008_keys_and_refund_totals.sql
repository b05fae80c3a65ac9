-- API keys say what they may do: an integration key (agent_id NULL: orders, cases, messages)
-- or a personal key of a team member (agent_id set: that person, with their role now).
-- Existing keys become integration keys.
ALTER TABLE api_keys ADD COLUMN agent_id TEXT REFERENCES agents(id) ON DELETE CASCADE;

-- Refunds carry their reason and fees as columns, so what an order gave back is summed in SQL
-- (the value bounds of every refund) without reading every earlier refund's document.
ALTER TABLE refunds ADD COLUMN reason TEXT NOT NULL DEFAULT 'items'
    CHECK (reason IN ('items', 'shipping', 'duplicate_charge', 'compensation', 'other'));
ALTER TABLE refunds ADD COLUMN fees_minor INTEGER NOT NULL DEFAULT 0 CHECK (fees_minor >= 0);
UPDATE refunds SET
    reason = COALESCE(json_extract(doc, '$.reason'), 'items'),
    fees_minor = COALESCE((SELECT SUM(json_extract(f.value, '$.amount.amount_minor')) FROM json_each(doc, '$.fees') AS f), 0);

-- Failed attempts (sign-in, order look-up) counted per key in a window, in the database so
-- every server of a deployment counts the same attempts.
CREATE TABLE attempts (
    key TEXT PRIMARY KEY,
    window_start_us INTEGER NOT NULL,
    count INTEGER NOT NULL CHECK (count > 0)
) STRICT;
CREATE INDEX attempts_window ON attempts(window_start_us);
