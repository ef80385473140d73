-- Sealed history (docs/architecture.md, "Audit"). Every case event carries
-- an HMAC-SHA256 chained to the event before it in the same case, under a key
-- derived from a master key that is never in the database (seal_key names
-- which). Audit entries are keyed the same way from keyed_from on; entries
-- before it keep their SHA-256 hashes. heads records the case chains an
-- audit entry's transaction appended to, so the audit chain knows every case
-- and how far its history reaches. Erasure records are sealed too.
ALTER TABLE case_events ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
ALTER TABLE case_events ADD COLUMN mac TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN heads TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN keyed_from BIGINT NOT NULL DEFAULT 0;
ALTER TABLE erasures ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
ALTER TABLE erasures ADD COLUMN mac TEXT NOT NULL DEFAULT '';
-- Break-glass grants open a case to someone outside it: sealed the same way.
ALTER TABLE break_glass_grants ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
ALTER TABLE break_glass_grants ADD COLUMN mac TEXT NOT NULL DEFAULT '';
-- A member row opens a case: each is sealed, so a row written behind
-- Waymark's back opens nothing, not even a line in a list.
ALTER TABLE case_members ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
ALTER TABLE case_members ADD COLUMN mac TEXT NOT NULL DEFAULT '';
-- Each saved version of an NRM draft answer is sealed: who saved what, when.
ALTER TABLE nrm_drafts ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
ALTER TABLE nrm_drafts ADD COLUMN mac TEXT NOT NULL DEFAULT '';
