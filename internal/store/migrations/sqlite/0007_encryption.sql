-- Encryption at rest (docs/security.md): every case and concern draft has a
-- data key of its own, stored only wrapped under a master key that is never
-- in the database. Destroying a data key (lawful erasure) leaves the case's
-- events as unreadable ciphertext. The search index key is kept the same way.
CREATE TABLE data_keys (
    owner_kind    TEXT NOT NULL,          -- case, draft or index
    owner_id      TEXT NOT NULL,
    master_key_id TEXT NOT NULL,          -- which master key wraps it ('' once destroyed)
    wrapped       TEXT NOT NULL,          -- base64 of nonce and ciphertext ('' once destroyed)
    created_at    TIMESTAMP NOT NULL,
    destroyed_at  TIMESTAMP,
    PRIMARY KEY (owner_kind, owner_id)
);
CREATE INDEX data_keys_master ON data_keys(master_key_id);

-- Keyed blind indexes of the child's names and aliases (HMAC-SHA256).
CREATE TABLE search_tokens (
    case_id    TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    PRIMARY KEY (case_id, token_hash)
);
CREATE INDEX search_tokens_hash ON search_tokens(token_hash, case_id);

-- Lawful erasures: who erased which case, when, why and on what legal basis.
CREATE TABLE erasures (
    case_id     TEXT PRIMARY KEY,
    erased_at   TIMESTAMP NOT NULL,
    erased_by   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    legal_basis TEXT NOT NULL
);

-- Retention reviews: a decision to keep a record past its retention period.
CREATE TABLE retention_decisions (
    item_kind  TEXT NOT NULL,             -- closed-case or unsent-draft
    item_id    TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    decided_by TEXT NOT NULL,
    keep_until TIMESTAMP NOT NULL,
    note       TEXT NOT NULL,
    PRIMARY KEY (item_kind, item_id, decided_at, decided_by)
);

-- When a case was closed, for its retention period.
ALTER TABLE cases ADD COLUMN closed_at TIMESTAMP;
