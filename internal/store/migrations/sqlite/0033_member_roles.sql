-- A person may hold several roles on one case (§6.5, §6.7, §6.8): the
-- referrer assigned to work it and invited to its meeting holds all three,
-- and their access is the union. The key was (case_id, member_kind,
-- member_id), which kept only the first role; it now includes the role.
-- SQLite cannot change a primary key in place, so the table is made again
-- and its rows (each still unique under the wider key, seals unchanged:
-- a member row's seal already covers its role) copied over. A role the old
-- key dropped is written by the case's next event or `waymark rebuild`
-- (the payloads are sealed, so SQL cannot replay them).
CREATE TABLE case_members_by_role (
    case_id     TEXT NOT NULL REFERENCES cases(id),
    member_kind TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    role        TEXT NOT NULL,
    seal_key    TEXT NOT NULL DEFAULT '',
    mac         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, member_kind, member_id, role)
);
INSERT INTO case_members_by_role(case_id, member_kind, member_id, role, seal_key, mac)
    SELECT case_id, member_kind, member_id, role, seal_key, mac FROM case_members;
DROP TABLE case_members;
ALTER TABLE case_members_by_role RENAME TO case_members;
CREATE INDEX case_members_member ON case_members(member_kind, member_id);
