-- Following cases through: each case's service clocks as last planned, the timers it needs
-- (claimed by one server at a time, like the outbox), the timeline position planning has read
-- up to, and satisfaction surveys (one per case).
CREATE TABLE follow_cases (
    case_id TEXT PRIMARY KEY REFERENCES cases(id),
    store_id TEXT NOT NULL REFERENCES stores(id),
    version INTEGER NOT NULL,
    first_response_met INTEGER,
    resolution_met INTEGER,
    planned_at_us INTEGER NOT NULL,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX follow_cases_store ON follow_cases(store_id);

CREATE TABLE follow_timers (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    due_at_us INTEGER NOT NULL,
    -- pending: waiting for next_at; claimed: a worker has it until next_at; done: fired or dropped.
    status TEXT NOT NULL CHECK (status IN ('pending', 'claimed', 'done')),
    next_at_us INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    fired_at_us INTEGER,
    UNIQUE (case_id, kind, subject, due_at_us)
) STRICT;
CREATE INDEX follow_timers_due ON follow_timers(status, next_at_us);
CREATE INDEX follow_timers_case ON follow_timers(case_id, status);

CREATE TABLE follow_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
) STRICT;
INSERT INTO follow_cursor (id, seq) VALUES (1, 0);

CREATE TABLE surveys (
    case_id TEXT PRIMARY KEY REFERENCES cases(id),
    store_id TEXT NOT NULL REFERENCES stores(id),
    sent_at_us INTEGER NOT NULL,
    agent TEXT,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    score INTEGER CHECK (score BETWEEN 1 AND 5),
    comment TEXT,
    answered_at_us INTEGER
) STRICT;
CREATE INDEX surveys_store ON surveys(store_id, answered_at_us);
