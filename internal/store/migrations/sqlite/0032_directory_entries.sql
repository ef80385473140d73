-- The partnership's directory of supporting organisations and key contacts
-- (issue 13; §6.8, §9.4, §9.5, annex). The seed ships in the catalogue
-- (catalog/data/directory.json); a row here is a partnership lead's or an
-- administrator's edit of a seed entry (same id), or an entry of the
-- partnership's own (an id the seed does not have). A row replaces the
-- seed entry as a whole; hidden takes an entry off the directory without
-- losing it. Every edit is also in the audit log with its old and new text.
-- The directory is not case data: every signed-in practitioner reads it.
CREATE TABLE directory_entries (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    section          TEXT NOT NULL DEFAULT '',
    description      TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT '',
    website          TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    hours            TEXT NOT NULL DEFAULT '',
    area             TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    last_checked     TEXT NOT NULL,          -- YYYY-MM-DD (or YYYY-MM from the seed)
    check_before_use BOOLEAN NOT NULL,
    hidden           BOOLEAN NOT NULL DEFAULT FALSE,
    edited_by        TEXT NOT NULL,          -- the editor's user id
    edited_at        TIMESTAMP NOT NULL
);
