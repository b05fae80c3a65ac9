-- Events told to the outside world (webhook deliveries, changes pushed to a shop) are read
-- from the timeline, which every change writes in its own transaction: a worker turns the
-- entries after this cursor into `platform_pushes` rows named by the entry, so an entry read
-- twice writes nothing new and a crash loses nothing. The cursor starts at the timeline's end:
-- what happened before this version (told the old way) is not told again, not even by the
-- re-reading behind the cursor: `floor` bounds it.
CREATE TABLE platform_events_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    floor INTEGER NOT NULL
) STRICT;
INSERT INTO platform_events_cursor (id, seq, floor)
SELECT 1, COALESCE(MAX(seq), 0), COALESCE(MAX(seq), 0) FROM timeline;

-- The entries told already, so reading behind the cursor again costs nothing; written with
-- their pushes, forgotten once the cursor is far enough past them.
CREATE TABLE platform_told (
    seq INTEGER PRIMARY KEY
) STRICT;

-- The desk lists a store's deliveries, newest first.
CREATE INDEX platform_pushes_store ON platform_pushes(store_id, kind, created_at_us);
