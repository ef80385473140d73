-- The whole pathway: flags every list shows, and clocks owned by a person.
ALTER TABLE cases ADD COLUMN missing BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN closed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN open_escalations INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN high_missing_risk_until TIMESTAMP;
ALTER TABLE cases ADD COLUMN whereabouts_confidential BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE clocks ADD COLUMN owner_user_id TEXT NOT NULL DEFAULT '';
CREATE INDEX clocks_owner_user ON clocks(owner_user_id, due_at);
