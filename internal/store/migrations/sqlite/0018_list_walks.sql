-- Lists that walk an index for one page (issue 10): the cost of a page
-- grows with the page, not with the number of cases.

-- case_viewers: one row per case and per member of it, in the order
-- "Your cases" lists them. viewer is 'p:' and the member's id for a person
-- or machine client (their ids never collide), 'o:' and the organisation's id
-- for an organisation. Written by SaveProjection (listwalk.go) from the same
-- member list as case_members; a row here only says where to look, and the
-- case is listed only when a case_members row with a matching seal agrees.
CREATE TABLE case_viewers (
    case_id         TEXT NOT NULL,
    viewer          TEXT NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    escalated_since TIMESTAMP,      -- when its oldest open escalation was raised (§8.6), else NULL
    PRIMARY KEY (case_id, viewer)
);
CREATE INDEX case_viewers_walk ON case_viewers(viewer, updated_at, case_id);
CREATE INDEX case_viewers_escalated ON case_viewers(viewer, escalated_since, case_id) WHERE escalated_since IS NOT NULL;

-- An escalated case's oldest open escalation is taken, for the rows made
-- here, as the first raised since its last resolution (the payloads are
-- sealed); the next event on the case writes the exact time.
INSERT INTO case_viewers(case_id, viewer, updated_at, escalated_since)
    SELECT DISTINCT m.case_id, CASE WHEN m.member_kind = 'org' THEN 'o:' ELSE 'p:' END || m.member_id, c.updated_at,
        CASE WHEN c.open_escalations > 0 THEN COALESCE(
            (SELECT MIN(e.at) FROM case_events e WHERE e.case_id = c.id AND e.type = 'escalation_raised'
                AND e.seq > COALESCE((SELECT MAX(r.seq) FROM case_events r WHERE r.case_id = c.id AND r.type = 'escalation_resolved'), 0)),
            c.updated_at) END
    FROM case_members m JOIN cases c ON c.id = m.case_id;

-- The retention review walks closed cases by closure, and unsent drafts by
-- their last save; the alerts page walks a person's alerts newest first.
CREATE INDEX cases_closed_walk ON cases(closed_at, id) WHERE closed AND closed_at IS NOT NULL;
CREATE INDEX concern_drafts_unsent_walk ON concern_drafts(updated_at, id) WHERE submitted_case_id IS NULL;
CREATE INDEX alerts_recipient_walk ON alerts(recipient_user_id, created_at, id);
DROP INDEX alerts_recipient;
CREATE INDEX audit_at ON audit_log(at);
