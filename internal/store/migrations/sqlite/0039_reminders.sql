-- Email reminders (issue 15 §2): an outbox of reminders, one row per
-- clock, kind, recipient and due time (or per person and day for the
-- digest). The id is a hash of that key, so the scanners of every replica
-- insert each reminder once (ON CONFLICT DO NOTHING), and it makes the
-- email's Message-ID. The row carries no child details: the case and clock
-- ids are kept only so that a reminder held overnight is dropped if the
-- clock was stopped meanwhile.
CREATE TABLE reminders (
    id                TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    recipient_user_id TEXT NOT NULL,
    case_id           TEXT NOT NULL DEFAULT '',
    clock_id          TEXT NOT NULL DEFAULT '',
    item_count        INTEGER NOT NULL DEFAULT 0,
    emergency         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        TIMESTAMP NOT NULL,
    not_before        TIMESTAMP NOT NULL,
    claimed_at        TIMESTAMP,
    attempts          INTEGER NOT NULL DEFAULT 0,
    done_at           TIMESTAMP,
    outcome           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reminders_pending ON reminders(done_at, not_before);
CREATE INDEX reminders_kind ON reminders(kind, created_at);

-- Which reminders each person receives; no row means all of them.
CREATE TABLE reminder_preferences (
    user_id    TEXT PRIMARY KEY,
    due_soon   BOOLEAN NOT NULL,
    overdue    BOOLEAN NOT NULL,
    digest     BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
