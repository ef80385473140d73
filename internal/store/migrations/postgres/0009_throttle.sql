-- Sign-in throttling (docs/security.md "Lockout"): failed attempts counted
-- per account and source address, per account, per source and per session,
-- shared by every replica. A row is forgotten once expires_at has passed.
-- Keys are SHA-256 hashes of what they count ("acct-src", email, address),
-- so the table lists no email addresses or client addresses in clear.
-- "known" rows mark a source that has signed in to an account, which the
-- account-wide ceiling then leaves alone.
CREATE TABLE sign_in_throttle (
    key_hash     TEXT PRIMARY KEY,
    account_hash TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    last_at      TIMESTAMPTZ NOT NULL,
    blocked_until TIMESTAMPTZ,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_throttle_account ON sign_in_throttle(account_hash);
CREATE INDEX sign_in_throttle_expires ON sign_in_throttle(expires_at);
