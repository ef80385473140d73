-- Which statistics rows a case's are filed as (statistics.go): the way the
-- rows were derived, the partnership and the referring organisation's kind
-- they were last written with. An event that changes nothing counted, on a
-- case whose rows are filed as they would be written now, leaves them
-- alone: at a million cases the rows are keyed by a keyed token, so each
-- read or write of them is one more page from anywhere in a large index.
-- Empty (every case before this migration): the case's next event writes
-- its rows as every event did before, and files them.
ALTER TABLE cases ADD COLUMN stats_filed TEXT NOT NULL DEFAULT '';
