-- Which master keys each running replica holds (docs/operations.md
-- "Encryption keys"): written by `serve` as it starts and every minute, read
-- by `waymark keys check` and `keys rotate`, so that no key is made the one
-- that wraps while a replica does not know it, and none is retired while a
-- replica still wraps under it. Key ids only: never a key.
CREATE TABLE replica_keys (
    replica     TEXT PRIMARY KEY,        -- host name and listening address
    primary_key TEXT NOT NULL,           -- the id that wraps and seals there
    unwrap_only TEXT NOT NULL,           -- ids marked unwrap-only there, comma-separated
    known       TEXT NOT NULL,           -- every id configured there, comma-separated
    started_at  TIMESTAMPTZ NOT NULL,
    seen_at     TIMESTAMPTZ NOT NULL
);
