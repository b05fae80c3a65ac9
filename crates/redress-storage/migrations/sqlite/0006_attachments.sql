-- Photos customers send with a case (damage, defects), kept with their case. The limits are
-- the schema's too, so no path around the portal can store a large or non-image file.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    filename TEXT NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    size_bytes INTEGER NOT NULL CHECK (size_bytes BETWEEN 1 AND 5242880),
    created_at_us INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    CHECK (length(bytes) = size_bytes)
) STRICT;
CREATE INDEX attachments_by_case ON attachments (store_id, case_id, created_at_us);
