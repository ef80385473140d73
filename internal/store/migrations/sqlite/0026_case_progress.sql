-- A case's position on the whole pathway in practitioners' words
-- (pathway.Case.Progress: "NRM referral submitted", "Multi-agency meeting
-- held"), so that every list shows where the case really stands without
-- opening it; the stage alone stops at "Outcome given". SaveProjection
-- writes it with the other columns and `waymark verify` compares it with
-- the history. Cases saved before this migration have none (NULL): the
-- lists show their stage until their next event or `waymark rebuild`
-- writes it (the payloads are sealed, so SQL cannot).
ALTER TABLE cases ADD COLUMN progress TEXT;

-- How many workers are assigned to the case (§6.7), for the manager's list
-- of unallocated cases: an index on the open cases no one is assigned to,
-- so that the list walks only them, oldest raised first.
ALTER TABLE cases ADD COLUMN assigned_workers INTEGER NOT NULL DEFAULT 0;
UPDATE cases SET assigned_workers = (SELECT COUNT(*) FROM case_members m
    WHERE m.case_id = cases.id AND m.member_kind = 'user' AND m.role = 'worker');
CREATE INDEX cases_unallocated ON cases(cs_org_id, raised_at, id) WHERE assigned_workers = 0 AND NOT closed;

-- The manager's home lists the supervision last recorded on the team's
-- cases (pathway.SupervisionRecorded, §6.8), newest first: an index on
-- those events alone, by time.
CREATE INDEX case_events_supervision ON case_events(at) WHERE type = 'supervision_recorded';
