-- The store's support team, who sign in to the agent workspace, and their sessions.
-- Only an argon2 hash of each password and a SHA-256 of each session token are kept.
CREATE TABLE agents (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    email_key TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    doc JSONB NOT NULL,
    UNIQUE (store_id, email_key)
);

CREATE TABLE agent_sessions (
    token_hash TEXT PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    agent_id UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    created_at_us BIGINT NOT NULL,
    expires_at_us BIGINT NOT NULL
);
CREATE INDEX agent_sessions_agent ON agent_sessions(agent_id);
