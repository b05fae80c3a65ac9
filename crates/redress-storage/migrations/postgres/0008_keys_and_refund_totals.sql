-- API keys say what they may do: an integration key (agent_id NULL: orders, cases, messages)
-- or a personal key of a team member (agent_id set: that person, with their role now).
-- Existing keys become integration keys.
ALTER TABLE api_keys ADD COLUMN agent_id UUID REFERENCES agents(id) ON DELETE CASCADE;

-- Refunds carry their reason and fees as columns, so what an order gave back is summed in SQL
-- (the value bounds of every refund) without reading every earlier refund's document.
ALTER TABLE refunds ADD COLUMN reason TEXT NOT NULL DEFAULT 'items'
    CHECK (reason IN ('items', 'shipping', 'duplicate_charge', 'compensation', 'other'));
ALTER TABLE refunds ADD COLUMN fees_minor BIGINT NOT NULL DEFAULT 0 CHECK (fees_minor >= 0);
UPDATE refunds SET
    reason = COALESCE(doc->>'reason', 'items'),
    fees_minor = COALESCE((SELECT SUM((f->'amount'->>'amount_minor')::BIGINT) FROM jsonb_array_elements(doc->'fees') AS f), 0);

-- Failed attempts (sign-in, order look-up) counted per key in a window, in the database so
-- every server of a deployment counts the same attempts.
CREATE TABLE attempts (
    key TEXT PRIMARY KEY,
    window_start_us BIGINT NOT NULL,
    count INTEGER NOT NULL CHECK (count > 0)
);
CREATE INDEX attempts_window ON attempts(window_start_us);
