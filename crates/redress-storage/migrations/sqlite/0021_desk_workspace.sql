-- The agent desk's own state: who is looking at which case (presence, so two agents on one
-- case see each other whichever server they reach), the store's macros (saved replies with
-- variables and an optional action) and the inbox's saved views.
CREATE TABLE desk_presence (
    store_id TEXT NOT NULL REFERENCES stores(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    agent_id TEXT NOT NULL,
    agent_name TEXT NOT NULL,
    last_seen_us INTEGER NOT NULL,
    PRIMARY KEY (store_id, case_id, agent_id)
) STRICT;

CREATE TABLE desk_macros (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (store_id, name)
) STRICT;

-- A view with no agent is the whole team's.
CREATE TABLE desk_views (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    agent_id TEXT,
    name TEXT NOT NULL,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX desk_views_store ON desk_views(store_id, name);
