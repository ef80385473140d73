-- The keys a case's child is filed under for finding earlier records of the
-- same child (issue 14, §4.3, §4.8, §7.1): each a keyed hash
-- (HMAC-SHA256 under the index key, domain-separated from search,
-- crypt.Index.MatchKeys) of one blocking key of the engine
-- (match.BlockingKeys). The key hash leads, so the candidates of a new
-- child are a walk of the primary key; case_id is indexed for the
-- per-case writes, erasure and `waymark verify`. Written with the events
-- (SaveProjection) and again by `waymark rebuild`; an erased case has none.
CREATE TABLE person_match_keys (
    key_hash TEXT NOT NULL,
    case_id  TEXT NOT NULL,
    PRIMARY KEY (key_hash, case_id)
);
CREATE INDEX person_match_keys_case ON person_match_keys(case_id);

-- The cases already recorded when this migration ran: SQL cannot hash
-- their keys (that needs the index key and their sealed details), so until
-- their next event or `waymark rebuild` files them, `waymark verify`
-- accepts that they have none. Filing a case removes it from here;
-- rebuilding empties it.
CREATE TABLE person_match_keys_unfiled (
    case_id TEXT NOT NULL PRIMARY KEY
);
INSERT INTO person_match_keys_unfiled(case_id) SELECT id FROM cases;

-- What the matching engine compares of each case's child (the names,
-- dates, ages, places and languages of pathway.MatchPerson), sealed with
-- the case's data key, so that comparing a candidate decrypts only this
-- record, not its whole history. digest is a keyed hash (under the index
-- key, with the case id) of the record, so a write can tell it unchanged
-- without decrypting it; it is never equal across two cases.
CREATE TABLE person_match_records (
    case_id TEXT NOT NULL PRIMARY KEY,
    record  TEXT NOT NULL,
    digest  TEXT NOT NULL
);
