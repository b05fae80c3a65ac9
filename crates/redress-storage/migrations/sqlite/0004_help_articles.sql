-- A store's own help articles, per language; they add to and replace the shipped ones.
CREATE TABLE help_articles (
    store_id TEXT NOT NULL REFERENCES stores(id),
    id TEXT NOT NULL,
    language TEXT NOT NULL,
    updated_at_us INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (store_id, id, language)
) STRICT;
