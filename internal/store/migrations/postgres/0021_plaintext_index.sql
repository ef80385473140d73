-- Rows still in plain text (issue 10, finding R10-5): partial indexes that
-- hold exactly the rows SealPlaintext seals, so asking whether there are
-- any is one probe of an index that is empty in a sealed database, not a
-- walk of the tables. A row restored from a backup taken before encryption
-- enters them, and is sealed at the next start.
CREATE INDEX case_events_plain ON case_events(case_id, seq) WHERE payload NOT LIKE 'wm1:%';
CREATE INDEX concern_drafts_plain ON concern_drafts(id) WHERE data NOT LIKE 'wm1:%';
CREATE INDEX cases_plain_name ON cases(id) WHERE child_name <> '' AND child_name NOT LIKE 'wm1:%';
