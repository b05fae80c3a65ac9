-- The agent desk's own state: who is looking at which case (presence, so two agents on one
-- case see each other whichever server they reach), the store's macros (saved replies with
-- variables and an optional action) and the inbox's saved views.
CREATE TABLE desk_presence (
    store_id UUID NOT NULL REFERENCES stores(id),
    case_id UUID NOT NULL REFERENCES cases(id),
    agent_id UUID NOT NULL,
    agent_name TEXT NOT NULL,
    last_seen_us BIGINT NOT NULL,
    PRIMARY KEY (store_id, case_id, agent_id)
);

CREATE TABLE desk_macros (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    name TEXT NOT NULL,
    doc JSONB NOT NULL,
    UNIQUE (store_id, name)
);

-- A view with no agent is the whole team's.
CREATE TABLE desk_views (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    agent_id UUID,
    name TEXT NOT NULL,
    doc JSONB NOT NULL
);
CREATE INDEX desk_views_store ON desk_views(store_id, name);
