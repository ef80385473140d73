-- What the case overview shows of a child's possible earlier records
-- (issue 14 §1): worked out when the child's identifying details change
-- (or the case is filed for matching), not on every view, so that opening
-- the overview decrypts no other case and writes no comparison audit
-- entries. hint is sealed with the case's own data key (as its child's
-- name is): the ids of the candidate cases at or above the "possible"
-- match probability with their probabilities, the digest of the match
-- record they were worked out for, and how many times the details were
-- compared that day (the probing limit, docs/security.md). It opens
-- nothing: the earlier-records page compares afresh, audited.
CREATE TABLE earlier_record_hints (
    case_id TEXT NOT NULL PRIMARY KEY,
    hint    TEXT NOT NULL
);

-- That every case recorded before migration 0034 has been filed for
-- matching: one row, written here when none is left unfiled (a new
-- database, or one whose cases were all filed), or else by the start that
-- files the last of them (store.FileUnfiledMatchKeys), with the audit
-- entry `match_keys.filed` in the same transaction. From then on a case listed in person_match_keys_unfiled,
-- or a case with a history and no match keys, was hidden from matching
-- behind Waymark's back: the start files nothing again and `waymark
-- verify` names it. The audit entry, on the hash chain, is what verify
-- trusts: this row only spares each start a search of the audit log, and
-- verify names it deleted where the audit log records the filing.
CREATE TABLE match_keys_filed (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1)
);
INSERT INTO match_keys_filed(id) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM person_match_keys_unfiled);
