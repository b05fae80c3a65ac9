-- The store's support team, who sign in to the agent workspace, and their sessions.
-- Only an argon2 hash of each password and a SHA-256 of each session token are kept.
CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    email_key TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at_us INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (store_id, email_key)
) STRICT;

CREATE TABLE agent_sessions (
    token_hash TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    created_at_us INTEGER NOT NULL,
    expires_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX agent_sessions_agent ON agent_sessions(agent_id);
