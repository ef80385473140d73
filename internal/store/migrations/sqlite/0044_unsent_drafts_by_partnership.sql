-- The retention review's unsent concern drafts (§4.3) were found by one walk
-- of every partnership's unsent drafts in order of their last save, keeping
-- those whose writer's organisation is in the lead's partnership: a lead
-- among 150 partnerships passed over the others' drafts to fill a page.
-- Each draft is now filed under its writer's partnership as well, and the
-- review walks its own partnership's unsent drafts by last save. Saving a
-- draft files it; a writer who moves to another organisation, or an
-- organisation that moves to another partnership, takes their drafts along;
-- `waymark verify` checks the filing and `waymark rebuild` writes it again.
ALTER TABLE concern_drafts ADD COLUMN partnership_id TEXT NOT NULL DEFAULT '';
UPDATE concern_drafts SET partnership_id = COALESCE((SELECT o.partnership_id FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = concern_drafts.user_id), '');
CREATE INDEX concern_drafts_unsent_walk_by_partnership ON concern_drafts(partnership_id, updated_at, id) WHERE submitted_case_id IS NULL;
DROP INDEX concern_drafts_unsent_walk;
