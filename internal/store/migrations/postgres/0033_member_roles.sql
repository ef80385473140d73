-- A person may hold several roles on one case (§6.5, §6.7, §6.8): the
-- referrer assigned to work it and invited to its meeting holds all three,
-- and their access is the union. The key was (case_id, member_kind,
-- member_id), which kept only the first role; it now includes the role.
-- Every stored row is still unique under the wider key, and its seal
-- already covers its role. A role the old key dropped is written by the
-- case's next event or `waymark rebuild` (the payloads are sealed, so SQL
-- cannot replay them).
ALTER TABLE case_members DROP CONSTRAINT case_members_pkey;
ALTER TABLE case_members ADD PRIMARY KEY (case_id, member_kind, member_id, role);
