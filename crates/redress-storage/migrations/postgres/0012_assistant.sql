-- The self-service assistant's conversations: the state between turns, so a restart or another
-- server continues the same conversation. `version` guards against two turns at once.
CREATE TABLE assistant_conversations (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    version BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    doc JSONB NOT NULL
);
CREATE INDEX assistant_conversations_idle ON assistant_conversations(updated_at_us);
