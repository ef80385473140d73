-- The same exploiters across cases (issue 14 §2, §6.8, §8.8): a case is
-- filed under the keyed hashes of its entities (a suspected exploiter's
-- name, an address, a phone number, a vehicle, a handle), so that the
-- cases an entity recurs in are found without the database holding the
-- value. The hash is HMAC-SHA256 under the search index key with a domain
-- of its own (crypt/entitykeys.go) of the kind and the value normalised for
-- matching (pathway.EntityKey).
--
-- entity_keys: one row per case and entity key, kept by SaveProjection in
-- the same transaction as the events (only the rows that change), written
-- by `waymark rebuild`, checked by `waymark verify`, deleted on erasure.
CREATE TABLE entity_keys (
    case_id  TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    kind     TEXT NOT NULL, -- pathway's entity kind: person, nickname, address, phone, vehicle, handle
    PRIMARY KEY (case_id, key_hash)
);
-- Where an entity recurs: the other cases with the same key.
CREATE INDEX entity_keys_hash ON entity_keys(key_hash, case_id);

-- entity_counts: how many cases each entity key is in, kept with
-- entity_keys, so the network view pages through the recurring entities
-- (in two or more cases), most cases first, without counting every row.
CREATE TABLE entity_counts (
    key_hash TEXT PRIMARY KEY,
    kind     TEXT NOT NULL,
    cases    INTEGER NOT NULL
);
CREATE INDEX entity_counts_recurring ON entity_counts(cases, key_hash) WHERE cases >= 2;
