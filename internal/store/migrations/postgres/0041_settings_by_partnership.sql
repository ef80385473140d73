-- Each partnership's own dated settings (§4.3). One deployment may serve
-- several partnerships, and a setting such as the decision-panel pilot
-- routes that partnership's NRM decisions: another partnership's lead or
-- administrator must neither read nor change it.
--
-- Before this migration one set governed every partnership's cases, so
-- every partnership keeps what governed it: the changes recorded so far
-- become the default partnership's (migration 0036), and each other
-- partnership gets a copy of them, in the same order (a statistics setting
-- cannot be recorded again for a past date, so nothing may be lost here).
-- A copy's seq is the original's plus the highest seq times the
-- partnership's place among the others, so every copy is numbered after
-- every original and the order within a partnership is kept.
ALTER TABLE partnership_settings ADD COLUMN partnership_id TEXT NOT NULL DEFAULT 'default';
INSERT INTO partnership_settings(seq, setting_key, value, effective_from, reason, recorded_by, recorded_at, partnership_id)
SELECT m.top * p.n + s.seq, s.setting_key, s.value, s.effective_from, s.reason, s.recorded_by, s.recorded_at, p.id
FROM partnership_settings s
CROSS JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM partnerships WHERE id <> 'default') p
CROSS JOIN (SELECT COALESCE(MAX(seq), 0) AS top FROM partnership_settings) m
WHERE s.partnership_id = 'default';
CREATE INDEX partnership_settings_of ON partnership_settings (partnership_id, seq);
