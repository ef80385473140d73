-- The partnership's interpreter register (§6.7, §7.5): kept by administrators,
-- read when an interpreter is booked for a child. Lists are stored one item a line.
CREATE TABLE interpreters (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    languages      TEXT NOT NULL,
    dialects       TEXT NOT NULL DEFAULT '',
    gender         TEXT NOT NULL,
    professional   BOOLEAN NOT NULL,
    approved       BOOLEAN NOT NULL,
    dbs_checked_on TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD; empty when never checked
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX interpreters_name ON interpreters(name);
