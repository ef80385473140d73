-- Contact references from a sequence (issue 10): taking a number from the
-- counters row locked that row until the transaction committed, so every
-- writer recording a contact queued behind every other. nextval locks
-- nothing. It starts where the counter stood; the counters row is no longer
-- moved for this name (store.NextNumber).
--
-- A number is taken only once the command has passed the pathway's rules
-- (casework.RecordContact), so a refused command leaves no gap. A
-- transaction that rolls back after taking one (a conflict with a
-- concurrent save of the same case, a failed commit, a crash) does leave a
-- gap: a sequence does not give numbers back. SQLite keeps the counters row,
-- whose rollback leaves none.
CREATE SEQUENCE contact_reference_seq MINVALUE 1;
SELECT setval('contact_reference_seq', COALESCE((SELECT next FROM counters WHERE name = 'contact-reference'), 1), false);
