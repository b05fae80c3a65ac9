-- A store's own help articles, per language; they add to and replace the shipped ones.
CREATE TABLE help_articles (
    store_id UUID NOT NULL REFERENCES stores(id),
    id TEXT NOT NULL,
    language TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    doc JSONB NOT NULL,
    PRIMARY KEY (store_id, id, language)
);
