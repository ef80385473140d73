-- The partnership lead's list of open escalations (§8.6) reads each listed
-- case's open escalations from here, not by replaying its history (issue
-- 10). One row per case with an escalation open: body is the open
-- escalations, oldest first, as JSON sealed with the case's data key and
-- bound to the case and its version (the reason and the notes are case
-- content). SaveProjection writes it in the same transaction as the events;
-- `waymark verify` compares it with the history; erasure deletes it.
CREATE TABLE case_escalations (
    case_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL, -- the case's version when it was written
    body    TEXT NOT NULL
);

-- Cases escalated before this migration get a placeholder (version 0, no
-- body: the payloads are sealed, so SQL cannot write it): the list reads
-- their history until their next event or `waymark rebuild` writes the row.
INSERT INTO case_escalations(case_id, version, body)
    SELECT id, 0, '' FROM cases WHERE open_escalations > 0 AND id NOT IN (SELECT case_id FROM erasures);
