-- The self-service assistant's conversations: the state between turns, so a restart or another
-- server continues the same conversation. `version` guards against two turns at once.
CREATE TABLE assistant_conversations (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    version INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX assistant_conversations_idle ON assistant_conversations(updated_at_us);
