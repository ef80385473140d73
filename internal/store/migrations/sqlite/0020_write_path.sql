-- The blind-index tokens (0007) without a rowid (issue 10, bytes per
-- event): the table was a rowid table beside an index of its primary key,
-- so every token was stored three times (table, primary key, search index).
-- Without a rowid the primary key is the table, and each token is stored
-- twice. Same columns, same keys, same rows.
ALTER TABLE search_tokens RENAME TO search_tokens_rowid;
CREATE TABLE search_tokens (
    case_id    TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    PRIMARY KEY (case_id, token_hash)
) WITHOUT ROWID;
INSERT INTO search_tokens(case_id, token_hash) SELECT case_id, token_hash FROM search_tokens_rowid;
DROP TABLE search_tokens_rowid;
CREATE INDEX search_tokens_hash ON search_tokens(token_hash, case_id);
