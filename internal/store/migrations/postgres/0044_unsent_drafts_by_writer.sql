-- The retention review's unsent concern drafts (§4.3) were found by one walk
-- of every partnership's unsent drafts in order of their last save, keeping
-- those whose writer's organisation is in the lead's partnership: a lead
-- among 150 partnerships passed over the others' drafts to fill a page.
-- The review now starts from its own partnership's organisations and their
-- people, and walks each writer's unsent drafts by last save, so it reads
-- only its own partnership's drafts. Drafts are filed under their writer
-- alone: nothing to keep in step when a person or an organisation moves.
CREATE INDEX concern_drafts_unsent_by_writer ON concern_drafts(user_id, updated_at, id) WHERE submitted_case_id IS NULL;
DROP INDEX concern_drafts_unsent_walk;
