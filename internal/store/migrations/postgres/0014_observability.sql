-- The id of the HTTP request each audit entry was written for, so that a
-- request's log line and its audit entries can be joined; '' for commands,
-- background work and every entry written before it was recorded. New
-- entries' seals cover it (audit.MAC).
ALTER TABLE audit_log ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
-- /metrics reads the newest checkpoint and the newest successful
-- verification on every scrape (cached briefly).
CREATE INDEX audit_verified ON audit_log(seq) WHERE action = 'audit.verified';
CREATE INDEX audit_checkpoints ON audit_log(seq) WHERE action = 'checkpoint.signed';
