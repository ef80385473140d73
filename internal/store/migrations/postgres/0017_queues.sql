-- Queues: the Children's Services inbox and "my work" as read models, kept
-- in the same transaction as the events (store/queue.go), so that each page
-- is one walk along an index from a cursor rather than a scan of every case
-- (issue 10). A row names a case, a clock and times; never a child.
--   queue    'inbox' (a case waiting on Children's Services),
--            'inbox.urgent' (a missing child, or a placement's first 72 hours: §4.3, §7.1),
--            'work.user' (a running clock a person owns), 'work.team' (one their team owns),
--            'work.staff' (one a person of the organisation owns, for its managers)
--   owner_id the organisation (for 'work.user', the person)
--   lane     0 listed before 1: inbox, a case with a running clock; work, a risk window
--   due_at   the deadline (inbox: the soonest running clock, or when raised if none)
--   tie_at   then: inbox, when the case was raised; work, when the clock started
--   until_at 'inbox.urgent': when the case stops being urgent; otherwise never
CREATE TABLE queue_items (
    queue    TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    lane     INTEGER NOT NULL,
    due_at   TIMESTAMPTZ NOT NULL,
    tie_at   TIMESTAMPTZ NOT NULL,
    case_id  TEXT NOT NULL,
    item_id  TEXT NOT NULL,
    until_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (queue, owner_id, lane, due_at, tie_at, case_id, item_id)
);
CREATE INDEX queue_items_case ON queue_items(case_id);
CREATE INDEX queue_items_urgent ON queue_items(owner_id, until_at) WHERE queue = 'inbox.urgent';

-- The rows the read models already imply (what SaveProjection would write):
-- erased cases have none.
INSERT INTO queue_items(queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at)
SELECT 'inbox', c.cs_org_id, CASE WHEN n.due IS NULL THEN 1 ELSE 0 END, COALESCE(n.due, c.raised_at), c.raised_at, c.id, '', TIMESTAMPTZ '9999-12-31 00:00:00+00'
FROM cases c LEFT JOIN (SELECT case_id, MIN(due_at) AS due FROM clocks WHERE stopped_at IS NULL GROUP BY case_id) n ON n.case_id = c.id
WHERE c.cs_org_id <> '' AND c.stage IN ('concern_raised', 'contact_recorded') AND c.id NOT IN (SELECT case_id FROM erasures);

INSERT INTO queue_items(queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at)
SELECT 'inbox.urgent', c.cs_org_id, CASE WHEN n.due IS NULL THEN 1 ELSE 0 END, COALESCE(n.due, c.raised_at), c.raised_at, c.id, '',
    CASE WHEN c.missing THEN TIMESTAMPTZ '9999-12-31 00:00:00+00' ELSE c.high_missing_risk_until END
FROM cases c LEFT JOIN (SELECT case_id, MIN(due_at) AS due FROM clocks WHERE stopped_at IS NULL GROUP BY case_id) n ON n.case_id = c.id
WHERE c.cs_org_id <> '' AND (c.missing OR c.high_missing_risk_until IS NOT NULL) AND c.id NOT IN (SELECT case_id FROM erasures);

INSERT INTO queue_items(queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at)
SELECT 'work.user', k.owner_user_id, CASE WHEN k.risk_window THEN 0 ELSE 1 END, k.due_at, k.started_at, k.case_id, k.clock_id, TIMESTAMPTZ '9999-12-31 00:00:00+00'
FROM clocks k WHERE k.stopped_at IS NULL AND k.owner_user_id <> '';

INSERT INTO queue_items(queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at)
SELECT 'work.staff', k.owner_org_id, CASE WHEN k.risk_window THEN 0 ELSE 1 END, k.due_at, k.started_at, k.case_id, k.clock_id, TIMESTAMPTZ '9999-12-31 00:00:00+00'
FROM clocks k WHERE k.stopped_at IS NULL AND k.owner_user_id <> '' AND k.owner_org_id <> '';

INSERT INTO queue_items(queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at)
SELECT 'work.team', k.owner_org_id, CASE WHEN k.risk_window THEN 0 ELSE 1 END, k.due_at, k.started_at, k.case_id, k.clock_id, TIMESTAMPTZ '9999-12-31 00:00:00+00'
FROM clocks k WHERE k.stopped_at IS NULL AND k.owner_user_id = '' AND k.owner_org_id <> '';
