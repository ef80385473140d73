-- Each partnership's own dated settings (§4.3). One deployment may serve
-- several partnerships, and a setting such as the decision-panel pilot
-- routes that partnership's NRM decisions: another partnership's lead or
-- administrator must neither read nor change it. Every change recorded
-- before this migration was the one partnership's a deployment then had,
-- the default one (migration 0036).
ALTER TABLE partnership_settings ADD COLUMN partnership_id TEXT NOT NULL DEFAULT 'default';
CREATE INDEX partnership_settings_of ON partnership_settings (partnership_id, seq);
