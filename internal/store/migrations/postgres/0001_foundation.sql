-- Foundation: organisations, people, sessions, cases as event logs, read models, audit.
CREATE TABLE organisations (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL,
    first_responder    BOOLEAN NOT NULL DEFAULT FALSE,
    childrens_services BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until    TIMESTAMPTZ,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL REFERENCES users(id),
    name       TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE case_events (
    case_id  TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    type     TEXT NOT NULL,
    payload  JSONB NOT NULL,
    actor_id TEXT NOT NULL,
    org_id   TEXT NOT NULL,
    at       TIMESTAMPTZ NOT NULL,
    corrects INTEGER,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE cases (
    id                TEXT PRIMARY KEY,
    reference         TEXT UNIQUE,
    stage             TEXT NOT NULL,
    child_name        TEXT NOT NULL,
    search_text       TEXT NOT NULL,
    referrer_user_id  TEXT NOT NULL,
    referrer_org_id   TEXT NOT NULL,
    cs_org_id         TEXT NOT NULL,
    family_suspected  BOOLEAN NOT NULL,
    age_uncertain     BOOLEAN NOT NULL,
    immediate_risk    BOOLEAN NOT NULL,
    raised_at         TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    version           INTEGER NOT NULL
);
CREATE INDEX cases_cs_org ON cases(cs_org_id, stage);

CREATE TABLE case_members (
    case_id     TEXT NOT NULL REFERENCES cases(id),
    member_kind TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    role        TEXT NOT NULL,
    PRIMARY KEY (case_id, member_kind, member_id)
);
CREATE INDEX case_members_member ON case_members(member_kind, member_id);

CREATE TABLE clocks (
    case_id      TEXT NOT NULL REFERENCES cases(id),
    clock_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    label        TEXT NOT NULL,
    owner_org_id TEXT NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    due_at       TIMESTAMPTZ NOT NULL,
    stopped_at   TIMESTAMPTZ,
    PRIMARY KEY (case_id, clock_id)
);
CREATE INDEX clocks_due ON clocks(owner_org_id, due_at);

CREATE TABLE concern_drafts (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users(id),
    data              JSONB NOT NULL,
    version           INTEGER NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    submitted_case_id TEXT
);
CREATE INDEX concern_drafts_user ON concern_drafts(user_id);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    next INTEGER NOT NULL
);

CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor_id  TEXT NOT NULL,
    org_id    TEXT NOT NULL,
    case_id   TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_case ON audit_log(case_id);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head(id, seq, hash) VALUES (1, 0, '');
