-- Access: two-step verification (TOTP and recovery codes), sign-in
-- challenges between the password and the code, re-authentication times,
-- OpenID Connect identities and sign-in states, break-glass grants and the
-- alerts they raise.
CREATE TABLE user_totp (
    user_id      TEXT PRIMARY KEY REFERENCES users(id),
    secret       TEXT NOT NULL,
    confirmed_at TIMESTAMPTZ,
    last_step    BIGINT NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

-- A password accepted with the second step still to come. It is not a
-- session: nothing but the code page accepts it.
CREATE TABLE sign_in_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_challenges_user ON sign_in_challenges(user_id);

-- When the session last proved who it is (sign-in or re-authentication).
ALTER TABLE sessions ADD COLUMN reauth_at TIMESTAMPTZ;

CREATE TABLE user_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (issuer, subject)
);

CREATE TABLE oidc_states (
    state_hash   TEXT PRIMARY KEY,
    nonce        TEXT NOT NULL,
    verifier     TEXT NOT NULL,
    next         TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    session_hash TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);

-- No foreign key to cases: that table is a read model, rebuilt from the logs.
CREATE TABLE break_glass_grants (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id),
    org_id     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX break_glass_user_case ON break_glass_grants(user_id, case_id, expires_at);

CREATE TABLE alerts (
    id                TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    recipient_user_id TEXT NOT NULL REFERENCES users(id),
    grant_id          TEXT REFERENCES break_glass_grants(id),
    created_at        TIMESTAMPTZ NOT NULL,
    email_claimed_at  TIMESTAMPTZ,
    emailed_at        TIMESTAMPTZ,
    email_attempts    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alerts_recipient ON alerts(recipient_user_id, created_at);
CREATE INDEX alerts_unsent ON alerts(emailed_at);
