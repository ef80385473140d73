-- The retention review walked every partnership's closed cases (§4.3):
-- cases_closed_walk ordered the whole deployment's closed cases by closure,
-- so a partnership lead among 150 passed over the others' cases to fill a
-- page, and every erased case stayed on that walk for ever. closed_cases
-- holds one row for each closed case that is not erased, filed under the
-- partnership of its Children's Services organisation and walked by that
-- partnership and closure. SaveProjection keeps it with the other read
-- models, an erasure deletes the case's row, and an organisation's move to
-- another partnership moves its cases' rows.
CREATE TABLE closed_cases (
    case_id        TEXT PRIMARY KEY,
    partnership_id TEXT NOT NULL,
    closed_at      TIMESTAMP NOT NULL
);
CREATE INDEX closed_cases_walk ON closed_cases(partnership_id, closed_at, case_id);
INSERT INTO closed_cases(case_id, partnership_id, closed_at)
SELECT c.id, o.partnership_id, c.closed_at FROM cases c JOIN organisations o ON o.id = c.cs_org_id
WHERE c.closed AND c.closed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM erasures e WHERE e.case_id = c.id);
DROP INDEX cases_closed_walk;
