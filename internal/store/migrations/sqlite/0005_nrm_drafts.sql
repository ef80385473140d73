-- NRM referral and reconsideration drafts (§8.7–8.9): every answer the team
-- saves over Waymark's proposal is a new version of its field; none is ever
-- changed or deleted, so the history of each answer stays (§7.5).
CREATE TABLE nrm_drafts (
    case_id       TEXT NOT NULL REFERENCES cases(id),
    kind          TEXT NOT NULL, -- referral | reconsideration
    field_id      TEXT NOT NULL, -- the form's own field key
    version       INTEGER NOT NULL, -- 1, 2, …: the expected version plus one
    value         TEXT NOT NULL,
    saved_at      TIMESTAMP NOT NULL,
    saved_by      TEXT NOT NULL REFERENCES users(id),
    saved_by_name TEXT NOT NULL, -- as the user was named when they saved it
    PRIMARY KEY (case_id, kind, field_id, version)
);
