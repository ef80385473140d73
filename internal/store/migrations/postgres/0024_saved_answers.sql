-- Answers of a form posted after its session ended (docs/security.md
-- "Answers kept across signing in again"). One row per form posted; data
-- is sealed with a data key of the row's own (data_keys 'answers'/id),
-- which is deleted with the row when the answers are restored or expire.
CREATE TABLE saved_answers (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,      -- the person whose session ended; '' when the browser no longer named one
    case_id    TEXT NOT NULL,      -- the case the form was about, '' for none: for the audit log
    data       TEXT NOT NULL,      -- sealed JSON: the form's path and its answers
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX saved_answers_expires ON saved_answers(expires_at);
